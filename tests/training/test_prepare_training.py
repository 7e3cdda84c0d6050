"""prepare_training on an empty (migrated) database, with a registry, and refused on real data."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from assessments.models import Assessment, Round
from notifications.models import Notification
from organizations.models import Organization
from reviews.models import Assignment, Team
from tests.assessments.factories import RoundFactory
from tests.factories import OrganizationFactory, district, user_with_role
from tests.training.conftest import DAY, prepare
from training.models import TrainingAccount, TrainingDay, TrainingOrganization

pytestmark = pytest.mark.django_db


def test_empty_database_gets_a_complete_training_copy_per_province(tmp_path):
    assert not Organization.objects.exists() and not User.objects.exists()  # what migrations leave

    passwords = prepare(tmp_path, provinces="81,20")

    assert (tmp_path / "sheets" / "training-81.xlsx").is_file() and (tmp_path / "sheets" / "training-20.xlsx").is_file()
    for code in ("81", "20"):
        roles = Role.objects.filter(user__username__startswith=f"t{code}-")
        assert roles.filter(kind=Role.Kind.PROVINCIAL_ADMIN, province__code=code).count() == 1
        assert roles.filter(kind=Role.Kind.PROVINCIAL_ASSESSOR, province__code=code).count() == 4
        organizations = Organization.objects.filter(district__province__code=code)
        assert sorted(organizations.values_list("type", flat=True)) == ["pao", "sao", "subdistrict"]
        for organization in organizations:
            assert set(roles.filter(organization=organization).values_list("kind", flat=True)) == {"org_staff", "org_head"}
        team = Team.objects.get(province__code=code)
        assert team.members.count() == 4 and team.members.filter(is_lead=True).count() == 1
        assigned = Assignment.objects.filter(team=team)
        assert set(assigned.values_list("assessment__organization", flat=True)) == set(organizations.values_list("pk", flat=True))
        assert set(assigned.values_list("visit_on", flat=True)) == {DAY}
    assert TrainingOrganization.objects.filter(created=True).count() == 6
    # Every account is marked, and its sheet's password is its password.
    users = User.objects.all()
    assert users.count() == len(passwords) == 2 * (1 + 4 + 3 * 2) == TrainingAccount.objects.count()
    for user in users:
        assert user.check_password(passwords[user.username]), user.username
    assert len(set(passwords.values())) == len(passwords)
    # The year of the day, open, its self-assessment window around the day.
    assessment_round = Round.objects.get()
    assert assessment_round.year == 2570 and assessment_round.phase == Round.Phase.SELF_ASSESSMENT
    assert assessment_round.self_assessment_opens < DAY < assessment_round.self_assessment_closes
    assert Assessment.objects.filter(round=assessment_round).count() == 6
    assert TrainingDay.objects.get().day == DAY
    # Training accounts have no address: nothing is mailed.
    assert not Notification.objects.exclude(email_status=Notification.EmailStatus.NOT_NEEDED).exists()


def test_registry_organizations_are_used_one_of_each_type(tmp_path):
    krabi = district("8101")
    sao = OrganizationFactory(district=krabi, type=Organization.Type.SAO)
    OrganizationFactory(district=krabi, type=Organization.Type.SAO)
    town = OrganizationFactory(district=krabi, type=Organization.Type.TOWN_MUNICIPALITY)
    pao = OrganizationFactory(district=krabi, type=Organization.Type.PAO)

    prepare(tmp_path)

    picked = set(TrainingOrganization.objects.values_list("organization", flat=True))
    assert picked == {sao.pk, town.pk, pao.pk}
    assert not TrainingOrganization.objects.filter(created=True).exists()
    assert Organization.objects.count() == 4  # none made


def test_a_superuser_without_roles_is_no_real_data(tmp_path):
    User.objects.create_superuser("admin", "admin@example.go.th", "x")
    prepare(tmp_path)
    assert TrainingDay.objects.exists()


@pytest.mark.parametrize(
    "real",
    [
        lambda: user_with_role(Role.Kind.ORG_STAFF),
        lambda: user_with_role(Role.Kind.DEPARTMENT_OFFICIAL, is_superuser=True),
        lambda: User.objects.create_user("someone"),
        lambda: RoundFactory(year=2569),
    ],
    ids=["user with a role", "superuser with a role", "user without a role", "a round"],
)
def test_a_database_with_real_data_is_refused_and_left_alone(tmp_path, real):
    real()
    users, organizations = User.objects.count(), Organization.objects.count()
    with pytest.raises(CommandError, match="ฐานข้อมูลนี้มีข้อมูลจริง"):
        prepare(tmp_path)
    assert not TrainingDay.objects.exists() and not TrainingAccount.objects.exists()
    assert (User.objects.count(), Organization.objects.count()) == (users, organizations)
    assert not Round.objects.filter(year=2570).exists()
    assert not (tmp_path / "sheets").exists() or not any((tmp_path / "sheets").iterdir())


def test_preparing_twice_is_refused(tmp_path):
    prepare(tmp_path)
    with pytest.raises(CommandError, match="--reset"):
        prepare(tmp_path)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"day": "15/01/2027", "out": "x"}, "YYYY-MM-DD"),
        ({"provinces": "81,99", "out": "x"}, "unknown province codes: 99"),
        ({"provinces": "10", "out": "x"}, "unknown province codes: 10"),  # Bangkok is not assessed
        ({"provinces": "81"}, "--out is required"),
        ({"reset": True, "provinces": "81"}, "--reset takes no other option"),
        ({"framework": "/no/such.xlsx", "out": "x"}, "framework workbook not found"),
    ],
)
def test_bad_options_are_refused_with_a_message(tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("prepare_training", **options)
    assert not TrainingDay.objects.exists()
