"""What the review page, an indicator's editor and a verified save cost in queries: a fixed
number whatever the number of indicators in the dimension (3 and 120), and the same row never
loaded twice by the views.

The stored results' refresh (results.scores, a receiver of assessments.signals.scores_changed)
runs inside a save and is counted apart: these pins are the review views' own, with the
receiver disconnected (`without_stored_results`); the last test shows it is still called
when connected.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Answer, Indicator
from assessments.signals import scores_changed
from reviews.models import VerifiedAnswer
from tests.assessments.factories import IndicatorFactory
from tests.reviews.factories import ReviewCase, submitted_for_review

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}

# Session and user (2), roles (1), the assessment (1), team membership (1), the dimension's
# indicators with whether the organization claimed N/A and when it last resubmitted each, and
# their options (2); the workflow (which asks no more about the team): the transaction's BEGIN and
# COMMIT (2, SQLite), the assessment's version bumped and its row locked (2: its cached
# pages go stale), the verified answer (1), the organization's answer and its ticks (2), the
# write (1), the ticks (1), the trail (1); the dimension's results and their ticks for its
# totals (2).
VERIFIED_SAVE_QUERIES = 19
# Session and user (2), roles (1), the assessment (1), team membership (1), the indicator with
# its evidence count, its options, the organization's answer and its ticks, the team's result
# and its ticks, the returns, the evidence (7), the comments (1); whether the viewer may
# comment asks the team membership already known.
EDITOR_QUERIES = 14


@pytest.fixture
def without_stored_results():
    """scores_changed with no receivers for the test (restored after)."""
    receivers = scores_changed.receivers[:]
    scores_changed.receivers = []
    scores_changed.sender_receivers_cache.clear()
    yield
    scores_changed.receivers = receivers
    scores_changed.sender_receivers_cache.clear()


@pytest.fixture
def case() -> ReviewCase:
    """In review: the team's first result (1.2) has started it, so a save changes no status."""
    case = submitted_for_review()
    case.score_as_claimed("1.2")
    return case


def more_indicators(case: ReviewCase, n: int) -> None:
    """`n` more answered, scored, commented indicators of each kind in the case's dimension."""
    member = case.team.members[0]
    for position in range(n):
        kind = [Indicator.Kind.LEVELS, Indicator.Kind.CHECKLIST, Indicator.Kind.FIGURE][position % 3]
        options = [(5, 80), (3, 50)] if kind == Indicator.Kind.FIGURE else None
        indicator = IndicatorFactory(category=case.sa.category, kind=kind, options=options, position=10 + position)
        row = Answer.objects.create(assessment=case.assessment, indicator=indicator, note="x", updated_by=case.sa.staff)
        row.ticked.set(indicator.options.all()[:1])
        row.evidence.create(url=f"https://example.go.th/{indicator.code}", uploaded_by=case.sa.staff)
        verified = VerifiedAnswer.objects.create(assessment=case.assessment, indicator=indicator, reason="x", version=1)
        verified.ticked.set(indicator.options.all()[:1])
        case.assessment.comments.create(indicator=indicator, author=member, body="ถาม")


def save_request(client, case: ReviewCase):
    """The team agrees with the organization's level on 1.1 (the script's save), ready to send."""
    indicator = case.indicator("1.1")
    version = VerifiedAnswer.objects.filter(assessment=case.assessment, indicator=indicator).values_list(
        "version", flat=True
    )
    data = {f"v{indicator.pk}-version": version.first() or 0, f"v{indicator.pk}-level": case.option("1.1", 5).pk}
    url = reverse("reviews:verified_answer_save", args=[case.assessment.pk, indicator.pk])
    return lambda: client.post(url, data, **FETCH)


def save(client, case: ReviewCase):
    return save_request(client, case)()


def counted(request) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    return len(queries), response


def test_a_verified_save_costs_the_same_for_5_and_120_indicators(client, case, without_stored_results):
    client.force_login(case.team.members[0])
    few, response = counted(save_request(client, case))
    assert response.status_code == 200 and response.json()["indicators"] == 5
    more_indicators(case, 115)
    many, response = counted(save_request(client, case))
    assert response.status_code == 200 and response.json()["indicators"] == 120
    assert few == many == VERIFIED_SAVE_QUERIES


def test_a_verified_save_loads_no_row_twice_outside_the_workflows_lock(client, case, without_stored_results):
    client.force_login(case.team.members[0])
    request = save_request(client, case)
    with CaptureQueriesContext(connection) as queries:
        assert request().status_code == 200
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # Only the workflow reads the organization's answer (under the lock), and the indicator once.
    assert sum(sql.startswith('SELECT "assessments_answer"."id"') for sql in selects) == 1
    assert sum(sql.startswith('SELECT "assessments_indicator"."id"') for sql in selects) == 1


def test_an_editor_costs_the_same_for_5_and_120_indicators(client, case):
    client.force_login(case.team.members[0])
    url = reverse("reviews:review_editor", args=[case.assessment.pk, case.indicator("1.2").pk])
    few, response = counted(lambda: client.get(url, **FETCH))
    assert response.status_code == 200
    more_indicators(case, 115)
    many, response = counted(lambda: client.get(url, **FETCH))
    assert response.status_code == 200
    assert few == many == EDITOR_QUERIES


def test_the_stored_results_still_follow_a_save(client, case):
    called = []

    def heard(sender, assessments, **kwargs):
        called.append([getattr(assessment, "pk", assessment) for assessment in assessments])

    scores_changed.connect(heard, dispatch_uid="test_review_queries")
    try:
        client.force_login(case.team.members[0])
        assert save(client, case).status_code == 200
    finally:
        scores_changed.disconnect(dispatch_uid="test_review_queries")
    assert called == [[case.assessment.pk]]


def test_a_38_indicator_review_page_weighs_under_80_kb(client, case):
    more_indicators(case, 33)  # beside the case's 5
    client.force_login(case.team.members[0])
    response = client.get(reverse("reviews:review_dimension", args=[case.assessment.pk, 1]))
    assert response.status_code == 200
    assert response.content.count(b"data-indicator-block") == 38
    assert len(response.content) < 80_000, len(response.content)
