"""Teams for the review tests: a province's team with its lead and members, assigned to assessments;
and a submitted assessment with its reviewers (submitted_for_review)."""

from dataclasses import dataclass

from accounts.models import Role, User
from assessments import selfassessment
from assessments.models import Assessment, Indicator, IndicatorOption, Round
from organizations.models import Province
from reviews.models import Assignment, Team, TeamMember, VerifiedAnswer
from tests.assessments.factories import SelfAssessment
from tests.factories import province as province_of
from tests.factories import user_with_role


@dataclass
class ReviewTeam:
    team: Team
    lead: User
    members: list[User]

    def assign(self, *assessments: Assessment, visit_on=None) -> None:
        for assessment in assessments:
            Assignment.objects.update_or_create(
                assessment=assessment, defaults={"team": self.team, "visit_on": visit_on, "assigned_by": self.lead}
            )


def review_team(
    round: Round, *, province: Province | None = None, name: str = "คณะที่ 1", members: int = 1
) -> ReviewTeam:
    """A team of the province (กระบี่ by default): a lead and `members` other assessors."""
    province = province or province_of("81")
    team = Team.objects.create(round=round, province=province, name=name)
    lead = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province)
    TeamMember.objects.create(team=team, user=lead, is_lead=True)
    others = [user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province) for _ in range(members)]
    TeamMember.objects.bulk_create(TeamMember(team=team, user=user) for user in others)
    return ReviewTeam(team=team, lead=lead, members=others)


def assigned_team(assessment: Assessment, **kwargs) -> ReviewTeam:
    """A new team of the assessment's province, assigned to it."""
    team = review_team(assessment.round, province=assessment.organization.district.province, **kwargs)
    team.assign(assessment)
    return team


# A submitted assessment ready for review (reviews/workflow/ tests).

SELF_ASSESSED = {
    # code: (indicator fields, what the organization answers)
    "1.1": ({"kind": "levels"}, "level 5"),  # 0–5 by level; chooses the 5th level: 4 points
    "1.2": ({"kind": "checklist", "options": [2, 2, 1]}, "ticks 1, 2"),  # 4 of 5
    "1.3": ({"kind": "figure", "options": [(1, 50), (3, 70), (5, 80)], "unit": "ร้อยละ"}, "85"),  # 5 of 5
    "1.4": ({"kind": "all_or_nothing", "options": [0, 0, 0], "all_or_nothing_points": 5}, "ticks all"),  # 5 of 5
    "1.5": ({"kind": "levels", "allows_not_applicable": True}, "not applicable"),  # counts 0 of 5 unconfirmed
}


@dataclass
class ReviewCase:
    """A Krabi อบต.'s assessment, answered and submitted, with the people of its review.

    Indicators 1.1–1.5 (SELF_ASSESSED): levels, checklist, figure, all-or-nothing, and a
    levels indicator the organization declared not applicable. Self-assessed: 18 of 25.
    """

    sa: SelfAssessment
    office: User  # the provincial office (admin) of the organization's province
    department: User
    team: ReviewTeam | None = None  # None: not assigned yet

    @property
    def assessment(self) -> Assessment:
        return self.sa.assessment

    @property
    def round(self) -> Round:
        return self.sa.round

    def indicator(self, code: str) -> Indicator:
        return self.round.indicators.get(code=code)

    def option(self, code: str, position: int) -> IndicatorOption:
        return IndicatorOption.objects.get(indicator__round=self.round, indicator__code=code, position=position)

    def reload(self) -> Assessment:
        return Assessment.objects.select_related("round", "organization__district").get(pk=self.assessment.pk)

    def score(self, code: str, data: dict, *, by: User | None = None) -> VerifiedAnswer:
        """Save the team's result for `code` from the current version (a fresh form)."""
        from reviews.workflow import save_verified_answer, verified_answer_for

        indicator = self.indicator(code)
        version = verified_answer_for(self.assessment, indicator).version
        return save_verified_answer(
            assessment=self.assessment,
            indicator=indicator,
            data=data,
            expected_version=version,
            by=by or self.team.members[0],
        )

    def score_as_claimed(self, *codes: str, by: User | None = None) -> None:
        """The team agrees with the organization on `codes` (all five by default; N/A confirmed)."""
        agreed = {
            "1.1": {"level": self.option("1.1", 5).pk},
            "1.2": {"ticked": [self.option("1.2", 1).pk, self.option("1.2", 2).pk]},
            "1.3": {"figure": "85"},
            "1.4": {"ticked": [self.option("1.4", p).pk for p in (1, 2, 3)]},
            "1.5": {"na_confirmed": True},
        }
        for code in codes or agreed:
            self.score(code, agreed[code], by=by)

    def verified(self) -> None:
        """Scored as claimed by the team and verified by its lead."""
        from reviews.workflow import verify

        self.score_as_claimed()
        verify(assessment=self.assessment, by=self.team.lead)

    def approved(self) -> None:
        from reviews.workflow import approve

        self.verified()
        approve(assessment=self.assessment, by=self.office)

    def published(self) -> None:
        """Approved and published (with whatever else of the round is approved)."""
        from reviews.workflow import publish_round

        self.approved()
        publish_round(assessment_round=self.round, by=self.department)

    def appealed(self, *codes: str) -> list:
        """Published, then the head appeals `codes` (1.1 by default); returns the appeals."""
        from reviews.workflow import open_appeal

        self.published()
        return open_appeal(
            assessment=self.assessment,
            arguments={self.indicator(code): f"มีหลักฐานครบสำหรับ {code}" for code in codes or ("1.1",)},
            by=self.sa.head,
        )

    def answer(self, code: str, data: dict) -> None:
        from assessments.selfassessment import answer_for, save_answer

        indicator = self.indicator(code)
        save_answer(
            assessment=self.assessment,
            indicator=indicator,
            data=data,
            expected_version=answer_for(self.assessment, indicator).version,
            by=self.sa.staff,
        )


def submitted_for_review(
    round: Round | None = None, *, assign: bool = True, submit: bool = True, **organization_fields
) -> ReviewCase:
    """A new ReviewCase: answered as SELF_ASSESSED, assigned to a team of a lead and two
    members (unless `assign` is False) and submitted by the head (unless `submit` is False).
    The indicators are made once per round, so several cases can share one."""
    from tests.assessments.factories import IndicatorFactory, self_assessment

    sa = self_assessment(round, **organization_fields)
    for code, (fields, _answer) in SELF_ASSESSED.items():
        if not sa.round.indicators.filter(code=code).exists():
            IndicatorFactory(category=sa.category, code=code, position=int(code[-1]), **fields)
    case = ReviewCase(
        sa=sa,
        office=user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=sa.organization.district.province),
        department=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
    )
    case.answer("1.1", {"level": case.option("1.1", 5).pk})
    case.answer("1.2", {"ticked": [case.option("1.2", 1).pk, case.option("1.2", 2).pk]})
    case.answer("1.3", {"figure": "85"})
    case.answer("1.4", {"ticked": [case.option("1.4", p).pk for p in (1, 2, 3)]})
    case.answer("1.5", {"not_applicable": True, "na_reason": "ไม่มีท่าเรือในพื้นที่"})
    if assign:
        # Named after the organization, so several cases can share a round and a province.
        case.team = assigned_team(sa.assessment, members=2, name=f"คณะตรวจ {sa.organization.code}")
    if submit:
        selfassessment.submit(sa.assessment, by=sa.head)
    return case


def assert_refused(case: ReviewCase, error: type[Exception], action) -> Exception:
    """Run `action`, which must raise `error`; returns it after checking that nothing changed:
    status, revision, round phase, trail, verified answers, appeals, and nobody notified."""
    import pytest
    from django.test import TestCase

    from assessments.models import AssessmentEvent
    from reviews.models import Appeal

    def snapshot():
        assessment = Assessment.objects.select_related("round").get(pk=case.assessment.pk)
        return (
            assessment.status,
            assessment.revision,
            assessment.revision_due,
            assessment.round.phase,
            AssessmentEvent.objects.filter(assessment=assessment).count(),
            list(
                VerifiedAnswer.objects.filter(assessment=assessment).values_list("indicator__code", "points", "version")
            ),
            list(Appeal.objects.filter(assessment=assessment).values_list("indicator__code", "decision")),
        )

    before = snapshot()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks, pytest.raises(error) as raised:
        action()
    assert callbacks == []
    assert snapshot() == before
    return raised.value
