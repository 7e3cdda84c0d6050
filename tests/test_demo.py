"""The demo, seeded once for each class below rather than for each test (the full demo takes
~20 s): the class's data lives in a transaction rolled back after its last test, and each
test runs in a savepoint inside it, so what one test adds is gone before the next."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
from organizations.models import Organization


def seeded_once(django_db_blocker, *, progress: bool):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(progress=progress)
        yield
        transaction.set_rollback(True)


class TestDemo:
    """The demo as most tests load it: without the organizations further along."""

    @pytest.fixture(scope="class", autouse=True)
    def _demo(self, django_db_setup, django_db_blocker):
        yield from seeded_once(django_db_blocker, progress=False)

    @pytest.mark.django_db
    def test_demo_has_every_organization_type_in_three_provinces(self):
        types = Counter(Organization.objects.values_list("type", flat=True))
        assert set(types) == set(Organization.Type.values)
        provinces = set(Organization.objects.values_list("district__province__name_th", flat=True))
        assert provinces == {"กระบี่", "ชลบุรี", "ลำปาง"}
        assert types[Organization.Type.PAO] == 3
        assert Organization.objects.get(code="3200408").type == Organization.Type.PATTAYA

    @pytest.mark.django_db
    def test_demo_has_a_user_for_every_role_who_can_sign_in(self):
        kinds = set(
            Role.objects.filter(user__username__in=[d.username for d in DEMO_USERS]).values_list("kind", flat=True)
        )
        assert kinds == set(Role.Kind.values)
        for demo in DEMO_USERS:
            assert User.objects.get(username=demo.username).check_password(DEMO_PASSWORD)

    @pytest.mark.django_db
    def test_upgraded_organization_keeps_its_old_type_for_earlier_years(self):
        import datetime

        upgraded = Organization.objects.get(code="6810405")
        assert upgraded.type == Organization.Type.SUBDISTRICT_MUNICIPALITY
        assert upgraded.type_on(datetime.date(2024, 6, 1)) == Organization.Type.SAO

    @pytest.mark.django_db
    def test_demo_round_is_open_for_self_assessment_around_today(self):
        import datetime

        from assessments.models import Assessment, Round
        from assessments.selfassessment import days_left

        round = Round.objects.get(year=2569)
        today = timezone.localdate()
        assert round.phase == Round.Phase.SELF_ASSESSMENT
        assert round.self_assessment_opens < today < round.self_assessment_closes
        assert round.self_assessment_closes < round.review_opens <= round.review_closes < round.appeal_opens
        assessment = Assessment.objects.get(round=round, organization__code="4810103")
        assert assessment.window_problem(today) is None
        assert days_left(assessment) == 60
        count = Assessment.objects.count()
        seed_demo(progress=False)  # again: the round stays open, nothing is added
        assert Assessment.objects.count() == count
        assert Round.objects.get(year=2569).self_assessment_closes == today + datetime.timedelta(days=60)

    @pytest.mark.django_db
    def test_demo_krabi_has_two_review_teams_of_four_and_every_organization_assigned(self):
        from assessments.models import Assessment
        from reviews.models import Assignment, Team

        teams = {team.name: team for team in Team.objects.filter(round__year=2569, province__code="81")}
        assert len(teams) == 2
        for team in teams.values():
            members = list(team.members.select_related("user"))
            assert len(members) == 4 and sum(member.is_lead for member in members) == 1
        first = teams["คณะผู้ประเมินที่ 1"]
        assert first.lead.user.username == "assessor"
        assert {m.user.username for m in first.members.all()} == {"assessor", "assessor2", "assessor3", "assessor4"}
        krabi = Assessment.objects.filter(round__year=2569, organization__district__province__code="81")
        assert not krabi.filter(assignment__isnull=True).exists()
        assert not Assignment.objects.filter(assessment__in=krabi, visit_on__isnull=True).exists()
        # No other province is touched.
        assert not Assignment.objects.exclude(assessment__in=krabi).exists()
        demo = krabi.get(organization__code="4810103")
        assert demo.assignment.team == first and demo.status == Assessment.Status.DRAFT


class TestDemoInFull:
    """The demo as `make run` loads it, with the Krabi organizations further along."""

    @pytest.fixture(scope="class", autouse=True)
    def _demo(self, django_db_setup, django_db_blocker):
        yield from seeded_once(django_db_blocker, progress=True)

    @pytest.mark.django_db
    def test_running_the_demo_twice_changes_nothing(self):
        before = (Organization.objects.count(), User.objects.count(), Role.objects.count())
        result = seed_demo()
        assert result["created"] == 0
        assert (Organization.objects.count(), User.objects.count(), Role.objects.count()) == before

    @pytest.mark.django_db
    def test_seed_demo_command_prints_the_logins(self, capsys):
        call_command("seed_demo")
        out = capsys.readouterr().out
        assert DEMO_PASSWORD in out
        assert "dla_official" in out and "sysadmin" in out

    @pytest.mark.django_db
    def test_demo_has_krabi_organizations_further_along_built_through_the_workflow(self):
        from assessments.models import Assessment, AssessmentEvent, Indicator
        from demo.seed import DEMO_PROGRESS, IN_REVIEW_SCORED
        from reviews.models import VerifiedAnswer

        codes = [code for code, _status in DEMO_PROGRESS]
        rows = Assessment.objects.filter(round__year=2569, organization__code__in=codes)
        statuses = dict(rows.values_list("organization__code", "status"))
        assert statuses == dict(DEMO_PROGRESS)
        assert set(statuses.values()) == {"submitted", "in_review", "verified", "approved"}
        for code, status in DEMO_PROGRESS:
            assessment = Assessment.objects.get(round__year=2569, organization__code=code)
            indicators = Indicator.objects.for_assessment(assessment).count()
            verified = VerifiedAnswer.objects.filter(assessment=assessment).count()
            scored = {"submitted": 0, "in_review": IN_REVIEW_SCORED, "verified": indicators, "approved": indicators}
            assert verified == scored[status], code
            kinds = set(assessment.events.values_list("kind", flat=True))
            assert AssessmentEvent.Kind.SUBMITTED in kinds and AssessmentEvent.Kind.ASSIGNED in kinds
            if status in ("verified", "approved"):
                assert AssessmentEvent.Kind.VERIFIED in kinds
                # Some results differ from the self-assessment, each with its reason.
                differing = VerifiedAnswer.objects.filter(assessment=assessment).exclude(reason="")
                assert differing.exists()

    @pytest.mark.django_db
    def test_running_the_demo_twice_leaves_the_review_as_it_was(self):
        from assessments.models import Assessment, AssessmentEvent
        from reviews.models import Assignment, Team, TeamMember, VerifiedAnswer

        def state():
            return (
                Team.objects.count(),
                TeamMember.objects.count(),
                list(Assignment.objects.order_by("assessment_id").values_list("assessment_id", "team_id", "visit_on")),
                VerifiedAnswer.objects.count(),
                AssessmentEvent.objects.count(),
                sorted(Assessment.objects.values_list("pk", "status")),
                User.objects.count(),
            )

        before = state()
        seed_demo()
        assert state() == before
