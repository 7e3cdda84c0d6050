"""Which guide section explains which page: the "?" link in every main page's header.

PAGES maps a URL name (request.resolver_match.view_name) to the sections that explain it,
in the order of the roles the page belongs to: a person holding several roles gets the
first of these whose guide is theirs (the head on the submit page reads the head's guide
even when also staff), and someone holding none of them the first (a department official
reading an organization's page gets the organization's guide). A page left out of PAGES
shows no "?".
"""

from dataclasses import dataclass

from django.urls import reverse

from accounts.access import scope_for
from accounts.models import User
from guide.guides import GUIDES, Guide, Section

EVERY_START = [(slug, "start") for slug in GUIDES]

PAGES: dict[str, list[tuple[str, str]]] = {
    "home": EVERY_START,
    "notifications:list": [("org-staff", "notifications"), ("org-head", "notifications")],
    # The organization's self-assessment.
    "assessments:assessment_list": [("org-staff", "assessment"), ("org-head", "assessment")],
    "assessments:assessment_detail": [
        ("org-staff", "assessment"),
        ("org-head", "assessment"),
        ("province", "extension"),
        ("department", "progress"),
    ],
    "assessments:assessment_dimension": [("org-staff", "answering"), ("org-head", "assessment")],
    "assessments:assessment_submit": [("org-head", "submit"), ("org-staff", "assessment")],
    "assessments:extension_grant": [("province", "extension")],
    # Review.
    "reviews:queue": [("assessor", "queue"), ("province", "board"), ("department", "progress")],
    "reviews:province_board": [("province", "board"), ("assessor", "queue"), ("department", "progress")],
    "reviews:review_detail": [("assessor", "review-page"), ("province", "board"), ("department", "progress")],
    "reviews:review_dimension": [("assessor", "scoring"), ("province", "board"), ("department", "progress")],
    "reviews:review_return": [("assessor", "return"), ("province", "return")],
    "reviews:review_verify": [("assessor", "verify")],
    "reviews:review_approve": [("province", "approve")],
    "reviews:review_reopen": [("province", "approve"), ("department", "progress")],
    "reviews:history": [("assessor", "history"), ("province", "board"), ("department", "progress")],
    "reviews:team_create": [("province", "teams")],
    "reviews:team_detail": [("province", "teams"), ("assessor", "queue")],
    "reviews:team_edit": [("province", "teams")],
    "reviews:team_assign": [("province", "teams")],
    "reviews:team_visits": [("province", "teams"), ("assessor", "queue")],
    # Results and appeals.
    "reviews:results": [("org-head", "results"), ("org-staff", "results")],
    "reviews:appeal_open": [("org-head", "appeal")],
    "reviews:appeal_answer": [("assessor", "appeals"), ("province", "appeals")],
    "reviews:appeal_list": [("province", "appeals"), ("assessor", "appeals")],
    "reviews:round_publish": [("department", "publish")],
    "results:dashboard": [("department", "reports"), ("province", "reports")],
    "results:province_dashboard": [("province", "reports"), ("department", "reports")],
    "results:organization_scorecard": [
        ("org-head", "results"),
        ("org-staff", "results"),
        ("province", "reports"),
        ("department", "reports"),
    ],
    "results:organization_indicator": [("org-staff", "results"), ("org-head", "results"), ("department", "reports")],
    # Rounds, framework, registry.
    "assessments:round_list": [("department", "rounds"), ("province", "provincial-indicators")],
    "assessments:round_create": [("department", "rounds")],
    "assessments:round_detail": [("department", "rounds"), ("province", "provincial-indicators")],
    "assessments:round_settings": [("department", "rounds")],
    "assessments:round_open": [("department", "open-round")],
    "assessments:framework_import": [("department", "framework")],
    "assessments:dimension_add": [("department", "framework")],
    "assessments:dimension_edit": [("department", "framework")],
    "assessments:category_add": [("department", "framework"), ("province", "provincial-indicators")],
    "assessments:category_edit": [("department", "framework")],
    "assessments:indicator_create": [("department", "framework"), ("province", "provincial-indicators")],
    "assessments:indicator_edit": [("department", "framework"), ("province", "provincial-indicators")],
    "assessments:indicator_detail": [("department", "framework"), ("province", "provincial-indicators")],
    "assessments:indicator_remove": [("department", "framework"), ("province", "provincial-indicators")],
    "organizations:list": [("department", "registry"), ("org-staff", "start")],
    "organizations:import": [("department", "registry")],
    # Reports to download, people.
    "exports:list": [("department", "exports"), ("province", "reports")],
    "exports:detail": [("department", "exports"), ("province", "reports")],
    "accounts:user_list": [("province", "users"), ("department", "users"), ("system-admin", "accounts")],
    "accounts:user_create": [("province", "users"), ("department", "users"), ("system-admin", "accounts")],
    "accounts:user_import": [("province", "users"), ("department", "users"), ("system-admin", "accounts")],
    "accounts:user_detail": [("province", "users"), ("department", "users"), ("system-admin", "accounts")],
}


@dataclass(frozen=True)
class HelpLink:
    guide: Guide
    section: Section

    @property
    def url(self) -> str:
        return f"{reverse('guide:detail', args=[self.guide.slug])}#{self.section.anchor}"


def help_for(view_name: str | None, user: User) -> HelpLink | None:
    """The section explaining page `view_name` to `user`, or None when no guide covers it."""
    entries = PAGES.get(view_name or "")
    if not entries:
        return None
    kinds = scope_for(user).kinds
    slug, anchor = next(((slug, anchor) for slug, anchor in entries if GUIDES[slug].role in kinds), entries[0])
    guide = GUIDES[slug]
    return HelpLink(guide, guide.section(anchor))
