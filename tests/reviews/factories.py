"""Teams for the review tests: a province's team with its lead and members, assigned to assessments."""

from dataclasses import dataclass

from accounts.models import Role, User
from assessments.models import Assessment, Round
from organizations.models import Province
from reviews.models import Assignment, Team, TeamMember
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
