from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from lpa.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from organizations.models import Organization


@pytest.mark.django_db
def test_demo_has_every_organization_type_in_three_provinces():
    seed_demo()
    types = Counter(Organization.objects.values_list("type", flat=True))
    assert set(types) == set(Organization.Type.values)
    provinces = set(Organization.objects.values_list("district__province__name_th", flat=True))
    assert provinces == {"กระบี่", "ชลบุรี", "ลำปาง"}
    assert types[Organization.Type.PAO] == 3
    assert Organization.objects.get(code="3200408").type == Organization.Type.PATTAYA


@pytest.mark.django_db
def test_demo_has_a_user_for_every_role_who_can_sign_in():
    seed_demo()
    kinds = set(Role.objects.filter(user__username__in=[d.username for d in DEMO_USERS]).values_list("kind", flat=True))
    assert kinds == set(Role.Kind.values)
    for demo in DEMO_USERS:
        assert User.objects.get(username=demo.username).check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_running_the_demo_twice_changes_nothing():
    seed_demo()
    before = (Organization.objects.count(), User.objects.count(), Role.objects.count())
    result = seed_demo()
    assert result["created"] == 0
    assert (Organization.objects.count(), User.objects.count(), Role.objects.count()) == before


@pytest.mark.django_db
def test_upgraded_organization_keeps_its_old_type_for_earlier_years():
    import datetime

    seed_demo()
    upgraded = Organization.objects.get(code="6810405")
    assert upgraded.type == Organization.Type.SUBDISTRICT_MUNICIPALITY
    assert upgraded.type_on(datetime.date(2024, 6, 1)) == Organization.Type.SAO


@pytest.mark.django_db
def test_seed_demo_command_prints_the_logins(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert "dla_official" in out and "sysadmin" in out


@pytest.mark.django_db
def test_demo_round_is_open_for_self_assessment_around_today():
    import datetime

    from assessments.models import Assessment, Round
    from assessments.selfassessment import bangkok_today, days_left

    seed_demo()
    round = Round.objects.get(year=2569)
    today = bangkok_today()
    assert round.phase == Round.Phase.SELF_ASSESSMENT
    assert round.self_assessment_opens < today < round.self_assessment_closes
    assert round.self_assessment_closes < round.review_opens <= round.review_closes < round.appeal_opens
    assessment = Assessment.objects.get(round=round, organization__code="4810103")
    assert assessment.window_problem(today) is None
    assert days_left(assessment) == 60
    count = Assessment.objects.count()
    seed_demo()  # again: the round stays open, nothing is added
    assert Assessment.objects.count() == count
    assert Round.objects.get(year=2569).self_assessment_closes == today + datetime.timedelta(days=60)
