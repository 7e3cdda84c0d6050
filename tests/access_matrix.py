"""The role × URL matrix: who gets what from each page.

Each later feature adds its pages to MATRIX. A case names a URL (built from the `World`
of test data below) and the status each role must get; anonymous visitors are always
sent to the login page. "Outsiders" hold the same roles, but in another province or
another organization: they must get 404, never a glimpse of the object.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from accounts.models import Role, User
from organizations.models import Organization, Province
from tests.factories import OrganizationFactory, district, user_with_role

# Roles in the matrix: the six real roles scoped to กระบี่ / organization A, plus outsiders.
ROLES = (
    "org_staff",
    "org_head",
    "assessor",
    "province_admin",
    "department",
    "system_admin",
    "outsider_org_staff",
    "outsider_assessor",
    "outsider_province_admin",
)
LOGIN = "login"  # expected outcome for anonymous: redirect to the login page


@dataclass
class World:
    """Two organizations in two provinces and a user for every role in the matrix."""

    organization: Organization  # in กระบี่; the insiders' scope
    other_organization: Organization  # in ชลบุรี; the outsiders' scope
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> World:
    krabi, chonburi = Province.objects.get(code="81"), Province.objects.get(code="20")
    home = OrganizationFactory(district=district("8101"), type=Organization.Type.TOWN_MUNICIPALITY)
    away = OrganizationFactory(district=district("2001"), type=Organization.Type.SAO)
    world = World(organization=home, other_organization=away)
    world.users = {
        "org_staff": user_with_role(Role.Kind.ORG_STAFF, organization=home),
        "org_head": user_with_role(Role.Kind.ORG_HEAD, organization=home),
        "assessor": user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=krabi),
        "province_admin": user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=krabi),
        "department": user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
        "system_admin": user_with_role(Role.Kind.SYSTEM_ADMIN),
        "outsider_org_staff": user_with_role(Role.Kind.ORG_STAFF, organization=away),
        "outsider_assessor": user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=chonburi),
        "outsider_province_admin": user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=chonburi),
    }
    return world


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[World], str]
    # Status per role; roles left out get `default`.
    expect: dict[str, int]
    default: int = 404
    method: str = "get"

    def expected(self, role: str) -> int:
        return self.expect.get(role, self.default)


EVERYONE = {role: 200 for role in ROLES}
MANAGERS = {"province_admin": 200, "department": 200, "system_admin": 200, "outsider_province_admin": 200}
KRABI_MANAGERS = {"province_admin": 200, "department": 200, "system_admin": 200}

MATRIX: list[Case] = [
    Case("home", lambda w: reverse("home"), EVERYONE),
    Case("profile", lambda w: reverse("accounts:profile"), EVERYONE),
    Case("session status", lambda w: reverse("accounts:session_status"), EVERYONE),
    Case("password change", lambda w: reverse("password_change"), EVERYONE),
    Case(
        "organization list",
        lambda w: reverse("organizations:list"),
        EVERYONE,
    ),
    Case(
        "organization detail (กระบี่)",
        lambda w: w.organization.get_absolute_url(),
        {"org_staff": 200, "org_head": 200, "assessor": 200, "province_admin": 200, "department": 200, "system_admin": 200},
    ),
    Case(
        "organization detail (ชลบุรี)",
        lambda w: w.other_organization.get_absolute_url(),
        {
            "department": 200,
            "system_admin": 200,
            "outsider_org_staff": 200,
            "outsider_assessor": 200,
            "outsider_province_admin": 200,
        },
    ),
    Case("registry import", lambda w: reverse("organizations:import"), {"department": 200, "system_admin": 200}),
    Case("user list", lambda w: reverse("accounts:user_list"), MANAGERS),
    Case("user create", lambda w: reverse("accounts:user_create"), MANAGERS),
    Case("user import", lambda w: reverse("accounts:user_import"), MANAGERS),
    Case("user import template", lambda w: reverse("accounts:user_import_template"), MANAGERS),
    Case(
        "user detail (กระบี่ staff)",
        lambda w: reverse("accounts:user_detail", args=[w.users["org_staff"].pk]),
        KRABI_MANAGERS,
    ),
    Case(
        "user deactivate confirmation (กระบี่ staff)",
        lambda w: reverse("accounts:user_deactivate", args=[w.users["org_staff"].pk]),
        KRABI_MANAGERS,
    ),
    Case(
        "user password reset is POST-only",
        lambda w: reverse("accounts:user_password_reset", args=[w.users["org_staff"].pk]),
        # Any manager learns only that GET is refused, whoever the account belongs to.
        {"province_admin": 405, "department": 405, "system_admin": 405, "outsider_province_admin": 405},
    ),
    Case(
        "user detail (system admin)",
        lambda w: reverse("accounts:user_detail", args=[w.users["system_admin"].pk]),
        {"system_admin": 200},
    ),
]


# Assessment rounds: round 2569 in set-up and round 2568 open, each with a
# national indicator "N", a กระบี่ indicator "K" and a ชลบุรี indicator "C".
SETUP_YEAR, OPEN_YEAR = 2569, 2568


def matrix_round(world: World, year: int) -> int:
    """The round of `year` for the matrix, built on first use; returns the year."""
    from assessments.models import Round
    from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with

    if Round.objects.filter(year=year).exists():
        return year
    round, (national, provincial) = framework_with(RoundFactory(year=year), dimensions=2, open_last=True)
    IndicatorFactory(category=national, code="N")
    IndicatorFactory(category=provincial, code="K", province=Province.objects.get(code="81"))
    IndicatorFactory(category=provincial, code="C", province=Province.objects.get(code="20"))
    if year == OPEN_YEAR:
        round.open(by=world.users["department"])
    return year


def round_url(name: str, year: int, *args) -> Callable[[World], str]:
    return lambda w: reverse(f"assessments:{name}", args=[matrix_round(w, year), *args])


NATIONAL = {"department": 200, "system_admin": 200}
ROUND_READERS = {
    "assessor": 200,
    "province_admin": 200,
    "outsider_assessor": 200,
    "outsider_province_admin": 200,
    **NATIONAL,
}
# Provincial admins see rounds in set-up (to add their indicators); assessors do not yet.
SETUP_READERS = {"province_admin": 200, "outsider_province_admin": 200, **NATIONAL}
# Read-only users of a round get 403 on the department's pages about it.
SETUP_DEPARTMENT_PAGE = {"province_admin": 403, "outsider_province_admin": 403, **NATIONAL}
OPEN_DEPARTMENT_PAGE = {role: 403 for role in ROUND_READERS} | NATIONAL

MATRIX += [
    Case("round list", lambda w: reverse("assessments:round_list"), ROUND_READERS),
    Case("round create", lambda w: reverse("assessments:round_create"), NATIONAL),
    Case("round detail (set-up)", round_url("round_detail", SETUP_YEAR), SETUP_READERS),
    Case("round detail (open)", round_url("round_detail", OPEN_YEAR), ROUND_READERS),
    Case("framework changes (set-up)", round_url("framework_changes", SETUP_YEAR), SETUP_READERS),
    Case("framework changes (open)", round_url("framework_changes", OPEN_YEAR), ROUND_READERS),
    Case(
        "framework changes export (set-up, since the open year)",
        lambda w: reverse("assessments:framework_changes_export", args=[matrix_round(w, SETUP_YEAR)])
        + f"?since={matrix_round(w, OPEN_YEAR)}",
        SETUP_READERS,
    ),
    Case("round settings (set-up)", round_url("round_settings", SETUP_YEAR), SETUP_DEPARTMENT_PAGE),
    Case("round settings (open)", round_url("round_settings", OPEN_YEAR), OPEN_DEPARTMENT_PAGE),
    Case("round open confirmation", round_url("round_open", SETUP_YEAR), SETUP_DEPARTMENT_PAGE),
    Case("framework export (open)", round_url("framework_export", OPEN_YEAR), OPEN_DEPARTMENT_PAGE),
    Case("framework import (set-up)", round_url("framework_import", SETUP_YEAR), SETUP_DEPARTMENT_PAGE),
    Case("dimension add", round_url("dimension_add", SETUP_YEAR), SETUP_DEPARTMENT_PAGE),
    Case("dimension edit", round_url("dimension_edit", SETUP_YEAR, 1), SETUP_DEPARTMENT_PAGE),
    Case("category add", round_url("category_add", SETUP_YEAR, 1), SETUP_DEPARTMENT_PAGE),
    Case("category edit", round_url("category_edit", SETUP_YEAR, 2, 1), SETUP_DEPARTMENT_PAGE),
    Case("indicator create (set-up)", round_url("indicator_create", SETUP_YEAR), SETUP_READERS),
    Case(
        "indicator create (open)",
        round_url("indicator_create", OPEN_YEAR),
        {**ROUND_READERS, "assessor": 403, "outsider_assessor": 403},
    ),
    Case("national indicator detail (open)", round_url("indicator_detail", OPEN_YEAR, "N"), ROUND_READERS),
    Case(
        "กระบี่ indicator detail (open)",
        round_url("indicator_detail", OPEN_YEAR, "K"),
        {"assessor": 200, "province_admin": 200, **NATIONAL},
    ),
    Case("national indicator edit (set-up)", round_url("indicator_edit", SETUP_YEAR, "N"), SETUP_DEPARTMENT_PAGE),
    Case(
        "กระบี่ indicator edit (set-up)",
        round_url("indicator_edit", SETUP_YEAR, "K"),
        {"province_admin": 200, **NATIONAL},
    ),
    Case(
        "กระบี่ indicator edit (open)",
        round_url("indicator_edit", OPEN_YEAR, "K"),
        {"assessor": 403, "province_admin": 200, **NATIONAL},
    ),
    Case(
        "กระบี่ indicator remove (set-up)",
        round_url("indicator_remove", SETUP_YEAR, "K"),
        {"province_admin": 200, **NATIONAL},
    ),
    Case(
        "ชลบุรี indicator remove (set-up)",
        round_url("indicator_remove", SETUP_YEAR, "C"),
        {"outsider_province_admin": 200, **NATIONAL},
    ),
]


# Self-assessment: organization A's assessment in an open round, with one
# indicator "A" answered and one file as evidence, assigned to no team yet. Outsiders (another
# organization, another province) get 404, and so does the province's assessor: an assessor
# reads only the assessments assigned to a team they are on (the review year's below). The
# provincial office and the department may read but not write (403).
SELF_ASSESSMENT_YEAR = 2567


def matrix_assessment(world: World):
    """Organization A's assessment, built on first use."""
    from assessments.evidence import add_evidence_file
    from assessments.models import Assessment
    from assessments.selfassessment import answer_for
    from tests.assessments.factories import IndicatorFactory, framework_with, open_round, pdf_bytes, upload

    existing = Assessment.objects.filter(round__year=SELF_ASSESSMENT_YEAR, organization=world.organization).first()
    if existing:
        return existing
    round, (category,) = framework_with(open_round(year=SELF_ASSESSMENT_YEAR))
    indicator = IndicatorFactory(category=category, code="A", evidence_required="คำสั่ง")
    assessment = Assessment.objects.create(round=round, organization=world.organization, org_type=world.organization.type)
    add_evidence_file(answer=answer_for(assessment, indicator), upload=upload("คำสั่ง.pdf", pdf_bytes()), by=world.users["org_staff"])
    return assessment


def assessment_url(name: str, *args) -> Callable[[World], str]:
    return lambda w: reverse(f"assessments:{name}", args=[matrix_assessment(w).pk, *args])


def indicator_url(name: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        assessment = matrix_assessment(w)
        return reverse(f"assessments:{name}", args=[assessment.pk, assessment.round.indicators.get().pk])

    return url


def evidence_url(name: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        from assessments.models import Evidence

        return reverse(f"assessments:{name}", args=[Evidence.objects.get(answer__assessment=matrix_assessment(w)).pk])

    return url


ORGANIZATION = {"org_staff": 200, "org_head": 200}
ASSESSMENT_READERS = {**ORGANIZATION, "province_admin": 200, **NATIONAL}
# A write by a reader: the organization's people pass (200: the page again with the form's
# message, as an empty post gets), readers are refused.
ASSESSMENT_WRITERS = {**ORGANIZATION, "province_admin": 403, "department": 403, "system_admin": 403}

MATRIX += [
    Case("my assessments", lambda w: reverse("assessments:assessment_list"), {**ORGANIZATION, "outsider_org_staff": 200}),
    Case("assessment overview", assessment_url("assessment_detail"), ASSESSMENT_READERS),
    Case("assessment dimension page", assessment_url("assessment_dimension", 1), ASSESSMENT_READERS),
    Case("indicator editor (the block's editor; a page without script)", indicator_url("indicator_editor"), ASSESSMENT_READERS),
    Case("assessment submit page", assessment_url("assessment_submit"), ASSESSMENT_READERS),
    Case("assessment print view", assessment_url("assessment_print"), ASSESSMENT_READERS),
    Case("assessment PDF", assessment_url("assessment_pdf"), ASSESSMENT_READERS),
    Case("evidence download", evidence_url("evidence_download"), ASSESSMENT_READERS),
    Case("answer save (empty POST)", indicator_url("answer_save"), ASSESSMENT_WRITERS, method="post"),
    # Every signed-in user learns only that GET is refused (require_POST answers before the access check).
    Case("answer save is POST-only", indicator_url("answer_save"), {}, default=405),
    Case("evidence upload (empty POST)", indicator_url("evidence_upload"), ASSESSMENT_WRITERS, method="post"),
    Case("evidence link (empty POST)", indicator_url("evidence_link"), ASSESSMENT_WRITERS, method="post"),
    Case("evidence picker", indicator_url("evidence_pick"), ASSESSMENT_WRITERS),
    # An empty choice is a Thai 400 for the organization's people; readers are refused first.
    Case(
        "evidence picker (empty POST)",
        indicator_url("evidence_pick"),
        {**ASSESSMENT_WRITERS, "org_staff": 400, "org_head": 400},
        method="post",
    ),
    Case(
        "evidence remove",
        evidence_url("evidence_remove"),
        {**ASSESSMENT_WRITERS, "org_staff": 302, "org_head": 302},
        method="post",
    ),
    Case(
        "assessment submit (POST)",
        assessment_url("assessment_submit"),
        # Staff may not submit; the head is refused with the list of what is missing.
        {**ASSESSMENT_WRITERS, "org_staff": 403},
        method="post",
    ),
    Case(
        "extension grant",
        assessment_url("extension_grant"),
        {role: 403 for role in ASSESSMENT_READERS} | {"province_admin": 200},
    ),
]


# Provincial review: organization A's assessment of another open round, appealed
# after publication (so every review page has something to show), reviewed by a กระบี่ team
# led by the matrix's assessor. Assessors not on the team are tested in tests/reviews.
REVIEW_YEAR = 2571


def matrix_review(world: World):
    """Organization A's appealed assessment with its team, a verified answer and an appeal."""
    from django.utils import timezone

    from assessments.models import Assessment, Round
    from reviews.models import Appeal, Assignment, Team, TeamMember, VerifiedAnswer
    from tests.assessments.factories import IndicatorFactory, framework_with, open_round

    existing = Assessment.objects.filter(round__year=REVIEW_YEAR, organization=world.organization).first()
    if existing:
        return existing
    round, (category,) = framework_with(open_round(year=REVIEW_YEAR))
    Round.objects.filter(pk=round.pk).update(phase=Round.Phase.APPEAL)
    indicator = IndicatorFactory(category=category, code="R")
    head = world.users["org_head"]
    assessment = Assessment.objects.create(
        round=round,
        organization=world.organization,
        org_type=world.organization.type,
        status=Assessment.Status.APPEALED,
        submitted_at=timezone.now(),
        submitted_by=head,
    )
    team = Team.objects.create(round=round, province=world.organization.district.province, name="คณะที่ 1")
    TeamMember.objects.create(team=team, user=world.users["assessor"], is_lead=True)
    Assignment.objects.create(assessment=assessment, team=team, assigned_by=world.users["province_admin"])
    VerifiedAnswer.objects.create(assessment=assessment, indicator=indicator, level=indicator.options.last(), version=1)
    Appeal.objects.create(assessment=assessment, indicator=indicator, argument="ขอชี้แจง", opened_by=head, points_before=0)
    return assessment


def review_url(name: str, *args) -> Callable[[World], str]:
    return lambda w: reverse(f"reviews:{name}", args=[matrix_review(w).pk, *args])


def appeal_url(w: World) -> str:
    return reverse("reviews:appeal_answer", args=[matrix_review(w).appeals.get().pk])


def team_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(f"reviews:{name}", args=[matrix_review(w).assignment.team_id])


def province_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(f"reviews:{name}", args=[matrix_review(w).round.year, "81"])


# The team (the matrix's assessor), the provincial office and the department read a review;
# nobody else learns it exists, the organization included.
REVIEWERS = {"assessor": 200, "province_admin": 200, **NATIONAL}
# The organization's own view of results and history, beside the reviewers'.
RESULT_READERS = {**REVIEWERS, **ORGANIZATION}
PROVINCE_OFFICE = {"province_admin": 200, **NATIONAL}

MATRIX += [
    # Everyone provincial or national has a queue (empty for outsiders); offices with boards
    # in several running rounds get the list of them.
    Case(
        "review queue",
        lambda w: reverse("reviews:queue"),
        {"assessor": 200, "province_admin": 200, **NATIONAL, "outsider_assessor": 200, "outsider_province_admin": 200},
    ),
    Case("province board", province_url("province_board"), PROVINCE_OFFICE),
    # The team (its lead here) lists the appeals of its own organizations.
    Case("province appeals", province_url("appeal_list"), {**PROVINCE_OFFICE, "assessor": 200}),
    Case("team create", province_url("team_create"), {"province_admin": 200, **{k: 403 for k in NATIONAL}}),
    Case("team detail", team_url("team_detail"), REVIEWERS),
    Case("team edit", team_url("team_edit"), {**{k: 403 for k in REVIEWERS}, "province_admin": 200}),
    Case("team assign", team_url("team_assign"), {**{k: 403 for k in REVIEWERS}, "province_admin": 200}),
    Case("team visits", team_url("team_visits"), {**{k: 403 for k in REVIEWERS}, "province_admin": 200}),
    Case("round publish", lambda w: reverse("reviews:round_publish", args=[matrix_review(w).round.year]), NATIONAL),
    Case("review overview", review_url("review_detail"), REVIEWERS),
    Case("review dimension page", review_url("review_dimension", 1), REVIEWERS),
    # An indicator's review editor: the block's "ตรวจ/แก้ไข" link, a page of its own without script.
    Case(
        "review editor page",
        lambda w: reverse("reviews:review_editor", args=[matrix_review(w).pk, matrix_review(w).appeals.get().indicator_id]),
        REVIEWERS,
    ),
    Case(
        "review return page",
        review_url("review_return"),
        {**{k: 403 for k in REVIEWERS}, "assessor": 200, "province_admin": 200},
    ),
    # Verify (the lead) and approve (the provincial office) say what will happen before acting.
    Case("review verify confirmation", review_url("review_verify"), {**{k: 403 for k in REVIEWERS}, "assessor": 200}),
    Case(
        "review approve confirmation",
        review_url("review_approve"),
        {**{k: 403 for k in REVIEWERS}, "province_admin": 200},
    ),
    Case(
        "review reopen page",
        review_url("review_reopen"),
        {**{k: 403 for k in REVIEWERS}, "province_admin": 200, **NATIONAL},
    ),
    Case("history", review_url("history"), RESULT_READERS),
    Case("history export", review_url("history_export"), RESULT_READERS),
    Case("results", review_url("results"), RESULT_READERS),
    Case("appeal page", review_url("appeal_open"), {**{k: 403 for k in REVIEWERS}, **ORGANIZATION}),
    # The organization knows its own appeal (403: it reads the answer on the results page).
    Case(
        "appeal answer page",
        appeal_url,
        {**{k: 403 for k in RESULT_READERS}, "assessor": 200, "province_admin": 200},
    ),
    Case("notifications", lambda w: reverse("notifications:list"), EVERYONE),
]


# The self-assessment pages of the review year's assessment, assigned to the matrix assessor's
# team: the team reads them beside the office, the department and the organization.
def reviewed_assessment_url(name: str, *args) -> Callable[[World], str]:
    return lambda w: reverse(f"assessments:{name}", args=[matrix_review(w).pk, *args])


MATRIX += [
    Case("assessment overview (assigned to the team)", reviewed_assessment_url("assessment_detail"), RESULT_READERS),
    Case(
        "assessment dimension page (assigned to the team)",
        reviewed_assessment_url("assessment_dimension", 1),
        RESULT_READERS,
    ),
    Case("assessment PDF (assigned to the team)", reviewed_assessment_url("assessment_pdf"), RESULT_READERS),
]


# Result reports: the per-dimension workbook of the review round, and its open data.
# A provincial office gets its own province's workbook (the outsiders' office an empty one);
# asking for another province's is 404. The open data is for every signed-in user.


def results_url(name: str, query: str = "") -> Callable[[World], str]:
    return lambda w: reverse(f"results:{name}", args=[matrix_review(w).round.year]) + query


MATRIX += [
    Case("results workbook", results_url("workbook"), {**PROVINCE_OFFICE, "outsider_province_admin": 200}),
    Case("results workbook (กระบี่)", results_url("workbook", "?province=81"), PROVINCE_OFFICE),
    Case("open data CSV", results_url("open_data"), EVERYONE),
]


# Results dashboards: the department's country page (a provincial office is sent on
# to its own province's page: 302), a province's page for its office and the department.
# Assessors and organizations read results through their own pages: 404.

MATRIX += [
    Case(
        "results dashboard",
        results_url("dashboard"),
        {**NATIONAL, "province_admin": 302, "outsider_province_admin": 302},
    ),
    Case(
        "results dashboard (filtered)",
        results_url("dashboard", "?province=81&org_type=sao&status=verified"),
        {**NATIONAL, "province_admin": 302, "outsider_province_admin": 302},
    ),
    Case(
        "province results dashboard",
        lambda w: reverse("results:province_dashboard", args=[matrix_review(w).round.year, "81"]),
        PROVINCE_OFFICE,
    ),
    Case(
        "results dashboard workbook",
        results_url("dashboard_workbook"),
        {**NATIONAL, "province_admin": 302, "outsider_province_admin": 302},
    ),
    Case(
        "province results dashboard workbook",
        lambda w: reverse("results:province_dashboard_workbook", args=[matrix_review(w).round.year, "81"]),
        PROVINCE_OFFICE,
    ),
]


# Background exports: everyone has a list of their own; an export is its requester's
# only (the department's here): 404 for everyone else, whatever their reach.


def department_export(world: World):
    from exports.models import Export

    review = matrix_review(world)
    export, _ = Export.objects.get_or_create(
        kind=Export.Kind.RESULTS_WORKBOOK, round=review.round, province=None, requested_by=world.users["department"]
    )
    return export


MATRIX += [
    Case("my exports", lambda w: reverse("exports:list"), EVERYONE),
    Case("export page", lambda w: reverse("exports:detail", args=[department_export(w).pk]), {"department": 200}),
    Case("export status", lambda w: reverse("exports:status", args=[department_export(w).pk]), {"department": 200}),
]


# An organization's scorecard, its files and the drill-down to one indicator: its
# own people and everyone taking part in its review; outsiders 404.


def scorecard_url(name: str, *extra: str) -> Callable[[World], str]:
    return lambda w: reverse(f"results:{name}", args=[matrix_review(w).round.year, w.organization.code, *extra])


MATRIX += [
    Case("organization scorecard", scorecard_url("organization_scorecard"), RESULT_READERS),
    Case("scorecard PDF", scorecard_url("scorecard_pdf"), RESULT_READERS),
    Case("scorecard workbook", scorecard_url("scorecard_workbook"), RESULT_READERS),
    Case("scorecard indicator", scorecard_url("organization_indicator", "R"), RESULT_READERS),
]

MATRIX += [
    Case("national report PDF", results_url("national_report_pdf"), NATIONAL),
    Case(
        "province report PDF",
        lambda w: reverse("results:province_report_pdf", args=[matrix_review(w).round.year, "81"]),
        PROVINCE_OFFICE,
    ),
]


# Feedback on the system: everyone sends and lists their own; a comment is its author's and
# the department's (404 for everyone else, whatever their reach); the department's list,
# export and answer are the department's only.


def matrix_feedback(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from feedback.models import Feedback
    from feedback.workflow import send_feedback

    existing = Feedback.objects.filter(author=world.users["org_staff"]).first()
    if existing:
        return existing
    screenshot = SimpleUploadedFile("จอ.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    return send_feedback(author=world.users["org_staff"], page="/", text="ทดสอบ", screenshot=screenshot)


def feedback_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(f"feedback:{name}", args=[matrix_feedback(w).pk])


FEEDBACK_READERS = {"org_staff": 200, **NATIONAL}

MATRIX += [
    Case("feedback form", lambda w: reverse("feedback:new"), EVERYONE),
    Case("my feedback", lambda w: reverse("feedback:mine"), EVERYONE),
    Case("feedback list", lambda w: reverse("feedback:list"), NATIONAL),
    Case("feedback export", lambda w: reverse("feedback:export"), NATIONAL),
    Case("feedback detail", feedback_url("detail"), FEEDBACK_READERS),
    Case("feedback screenshot", feedback_url("screenshot"), FEEDBACK_READERS),
    # The department gets the page again with the form's message (an empty answer).
    Case("feedback answer (empty POST)", feedback_url("answer"), {"department": 400, "system_admin": 400}, method="post"),
    Case("feedback answer is POST-only", feedback_url("answer"), {}, default=405),
]

# The user guides (guide app): any signed-in user reads any role's guide and its PDF.
MATRIX += [
    Case("guide index", lambda w: reverse("guide:index"), EVERYONE),
    Case("guide", lambda w: reverse("guide:detail", args=["assessor"]), EVERYONE),
    Case("guide PDF", lambda w: reverse("guide:pdf", args=["org-head"]), EVERYONE),
    Case("unknown guide", lambda w: reverse("guide:detail", args=["mayor"]), {}),
    Case("unknown guide PDF", lambda w: reverse("guide:pdf", args=["mayor"]), {}),
]

# Review analyses (assessor calibration, indicator weak spots): the department the country or
# any province; a provincial office its own province (asked for another's: 404; without a
# province, its own: the outsiders' office sees its own too); everyone else 404.

ANALYSIS_READERS = {**PROVINCE_OFFICE, "outsider_province_admin": 200}

MATRIX += [
    Case(f"{label}{suffix}", results_url(name, query), expect)
    for name, label in (
        ("calibration", "calibration"),
        ("calibration_workbook", "calibration workbook"),
        ("weak_spots", "weak spots"),
        ("weak_spots_workbook", "weak spots workbook"),
    )
    for suffix, query, expect in (
        ("", "", ANALYSIS_READERS),
        (" (กระบี่)", "?province=81", PROVINCE_OFFICE),
    )
]
