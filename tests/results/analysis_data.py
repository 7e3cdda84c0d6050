"""Hand-made review data for the calibration and weak-spot tests (tests/results/test_calibration.py,
test_weak_spots.py) and their browser test.

A round in review with two dimensions and four counted indicators of 5 points each, so a
point is 5 percentage points of the 20 full marks: A (levels 0–5) and the pilot P in
dimension 1; B and C (levels 0–5, "not applicable" allowed) and K (checklist 2 + 2 + 1) in
dimension 2.
"""

from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from assessments.models import Answer, Assessment, Indicator, IndicatorOption, Round
from organizations.models import Organization
from results.scores import refresh_results
from reviews.models import Assignment, Team, VerifiedAnswer
from tests.assessments.factories import AssessmentFactory, IndicatorFactory, RoundFactory, framework_with
from tests.factories import OrganizationFactory, district, province, user_with_role

Status = Assessment.Status
SAO, TOWN = Organization.Type.SAO, Organization.Type.TOWN_MUNICIPALITY
# K's ticks for a number of points.
TICKS = {5: (1, 2, 3), 4: (1, 2), 3: (1, 3), 2: (1,), 1: (3,), 0: ()}
NA = "na"


class World:
    """The round, its indicators, and a maker of reviewed assessments."""

    def __init__(self, *, more_kinds: bool = False) -> None:
        self.round = RoundFactory(phase=Round.Phase.REVIEW)
        self.round, (first, second) = framework_with(self.round, dimensions=2)
        self.indicators = {
            "A": IndicatorFactory(category=first, code="A", position=1),
            "P": IndicatorFactory(category=first, code="P", position=2, is_pilot=True),
            "B": IndicatorFactory(category=second, code="B", position=1, allows_not_applicable=True),
            "C": IndicatorFactory(category=second, code="C", position=2, allows_not_applicable=True),
            "K": IndicatorFactory(
                category=second, code="K", position=3, kind=Indicator.Kind.CHECKLIST, options=[2, 2, 1]
            ),
        }
        if more_kinds:
            # F: a figure, 1 from 50, 3 from 70, 5 from 80; N: all three criteria or nothing, 5.
            self.indicators["F"] = IndicatorFactory(
                category=second, code="F", position=4, kind=Indicator.Kind.FIGURE, options=[(1, 50), (3, 70), (5, 80)]
            )
            self.indicators["N"] = IndicatorFactory(
                category=second,
                code="N",
                position=5,
                kind=Indicator.Kind.ALL_OR_NOTHING,
                options=[0, 0, 0],
                all_or_nothing_points=5,
            )
        self.office = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
        self.department = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
        self.assessments: list[Assessment] = []

    def team(self, name: str, code: str = "81") -> Team:
        return Team.objects.create(round=self.round, province=province(code), name=name)

    def reviewed(
        self,
        team: Team | None,
        own: dict[str, int | str],
        checked: dict[str, int | str],
        *,
        org_type: str = SAO,
        place: str = "8101",
        status: str = Status.VERIFIED,
    ) -> Assessment:
        """An assessment answered `own` and verified `checked` (code → points, or NA: claimed
        "not applicable" / confirmed), assigned to `team`."""
        organization = OrganizationFactory(district=district(place), type=org_type)
        head = user_with_role(Role.Kind.ORG_HEAD, organization=organization)
        assessment = AssessmentFactory(
            round=self.round, organization=organization, status=status, submitted_at=timezone.now(), submitted_by=head
        )
        for code, value in own.items():
            indicator = self.indicators[code]
            answer = Answer.objects.create(
                assessment=assessment,
                indicator=indicator,
                not_applicable=value == NA,
                na_reason="ไม่มีภารกิจนี้" if value == NA else "",
                level=self._level(indicator, value),
                figure=self._figure(indicator, value),
                answered_at=timezone.now(),
            )
            answer.ticked.set(self._ticks(indicator, value))
        for code, value in checked.items():
            indicator = self.indicators[code]
            verified = VerifiedAnswer.objects.create(
                assessment=assessment,
                indicator=indicator,
                na_confirmed=True if value == NA else (False if own.get(code) == NA else None),
                level=self._level(indicator, value),
                figure=self._figure(indicator, value),
            )
            verified.ticked.set(self._ticks(indicator, value))
        if team is not None:
            Assignment.objects.create(assessment=assessment, team=team, assigned_by=self.office)
        self.assessments.append(assessment)
        return assessment

    def store_results(self) -> None:
        refresh_results(self.assessments)

    def _level(self, indicator: Indicator, value) -> IndicatorOption | None:
        if value == NA or indicator.kind != Indicator.Kind.LEVELS:
            return None
        return indicator.options.get(points=Decimal(value))

    def _figure(self, indicator: Indicator, value) -> Decimal | None:
        return Decimal(value) if indicator.kind == Indicator.Kind.FIGURE else None

    def _ticks(self, indicator: Indicator, value) -> list[IndicatorOption]:
        """K: the ticks worth `value` points; N: the first `value` criteria."""
        if value == NA:
            return []
        if indicator.kind == Indicator.Kind.CHECKLIST:
            return list(indicator.options.filter(position__in=TICKS[value]))
        if indicator.kind == Indicator.Kind.ALL_OR_NOTHING:
            return list(indicator.options.filter(position__lte=value))
        return []


def points(a: int, b: int | str = 5, c: int | str = 5, k: int = 5, p: int = 0) -> dict[str, int | str]:
    """An answer to every indicator: A, B, C, K (and the pilot P) with these points."""
    return {"A": a, "B": b, "C": c, "K": k, "P": p}


def three_teams() -> tuple[World, dict[str, Team]]:
    """Three teams whose assessments give these overall % (self → verified, gap in points):

    harsh (กระบี่, อบต.): 100 → 70, 75, 80 (−30, −25, −20); changes A on all three and B on
      the first: 4 of 12 verified indicators changed, all lowered;
    fair (กระบี่, ทม.): 100 → 90, 95, 85 (−10, −5, −15); changes A on all: 3 of 12, lowered;
    soft (ชลบุรี, อบต.): 80 → 80, 75, 85 (0, −5, +5); changes A on two, one of them up.

    Besides, not counted: an assessment of the fair team still in review (100 → 0), and the
    pilot P, which every team scores 3 where the organization claimed 0.
    """
    world = World()
    teams = {name: world.team(name, code) for name, code in (("harsh", "81"), ("fair", "81"), ("soft", "20"))}
    full = points(5)
    for a, b in ((0, 4), (0, 5), (1, 5)):
        world.reviewed(teams["harsh"], full, points(a, b, p=3))
    for a in (3, 4, 2):
        world.reviewed(teams["fair"], full, points(a), org_type=TOWN, place="8102")
    own = points(1)  # 16 of 20: 80%
    for a in (1, 0, 2):
        world.reviewed(teams["soft"], own, points(a), place="2001")
    world.reviewed(teams["fair"], full, points(0, 0, 0, 0), status=Status.IN_REVIEW, org_type=TOWN, place="8102")
    world.store_results()
    return world, teams
