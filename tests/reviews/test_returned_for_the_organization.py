"""What the organization sees first of a returned assessment: the return's due date (not the
self-assessment window's) and the flagged indicators with the reviewers' reasons, linked; a
dimension holding flagged indicators says so instead of "ครบ"."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.templatetags.thai_dates import thai_date
from reviews import workflow
from tests.assessments.factories import open_round
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

REASONS = {"1.1": "ระดับ 5 ต้องมีรายงานผลการประชุม", "1.3": "แนบสรุปผลการสำรวจความพึงพอใจ"}


@pytest.fixture
def case():
    """Submitted in a window closing in 60 days, returned with 1.1 and 1.3 due in 7 days."""
    case = submitted_for_review(open_round(closes_in_days=60))
    workflow.return_for_revision(
        assessment=case.assessment,
        flags={case.indicator(code): reason for code, reason in REASONS.items()},
        by=case.team.lead,
    )
    case.assessment.refresh_from_db()
    return case


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def get(client, case, url):
    client.force_login(case.sa.staff)
    return client.get(url).content.decode()


def test_the_overview_opens_with_the_returns_due_date_and_the_flagged_indicators(client, case):
    html = get(client, case, case.assessment.get_absolute_url())
    due = timezone.localdate() + datetime.timedelta(days=7)
    window_closes = case.round.self_assessment_closes
    notice = re.search(r'<section[^>]*aria-labelledby="returned-heading".*?</section>', html, re.S)
    assert notice, "no return notice"
    # First: before the details, the progress table and the history.
    main = html[html.index("<main") :]
    assert main.index("returned-heading") < main.index("<dl")
    words = text(notice.group(0))
    assert f"ส่งผลที่แก้ไขภายในวันที่ {thai_date(due, 'long')}" in words and "เหลืออีก 7 วัน" in words
    for code, reason in REASONS.items():
        indicator = case.indicator(code)
        assert code in words and reason in words
        url = reverse("assessments:assessment_dimension", args=[case.assessment.pk, 1])
        assert f"{url}#ind-{indicator.pk}" in notice.group(0)
    # The window's date is not presented as the due date anywhere.
    assert thai_date(window_closes, "long") not in text(html)
    assert "เหลืออีก 60 วัน" not in text(html)


def test_a_dimension_with_flagged_indicators_says_so_instead_of_complete(client, case):
    html = get(client, case, case.assessment.get_absolute_url())
    row = re.search(r'<section[^>]*aria-labelledby="progress-heading".*?</section>', html, re.S).group(0)
    body = text(re.search(r"<tbody>.*?</tbody>", row, re.S).group(0))
    assert "ส่งกลับแก้ไข 2 ตัวชี้วัด" in body and "ครบ" not in body


def test_the_dimension_page_opens_with_the_return_too(client, case):
    html = get(client, case, reverse("assessments:assessment_dimension", args=[case.assessment.pk, 1]))
    due = timezone.localdate() + datetime.timedelta(days=7)
    notice = re.search(r'<section[^>]*aria-labelledby="returned-heading".*?</section>', html, re.S)
    assert notice and f"ส่งผลที่แก้ไขภายในวันที่ {thai_date(due, 'long')}" in text(notice.group(0))
    assert REASONS["1.1"] in text(notice.group(0))
    assert "เหลืออีก 60 วัน" not in text(html)


def test_after_resubmission_the_notice_is_gone(client, case):
    from assessments.selfassessment import submit

    submit(case.assessment, by=case.sa.head)
    html = get(client, case, case.assessment.get_absolute_url())
    assert 'aria-labelledby="returned-heading"' not in html


def test_the_home_page_card_gives_the_returns_due_date(client, case):
    client.force_login(case.sa.staff)
    html = client.get(reverse("home")).content.decode()
    card = re.search(r'<section[^>]*aria-labelledby="my-assessments-heading".*?</section>', html, re.S).group(0)
    due = timezone.localdate() + datetime.timedelta(days=7)
    words = text(card)
    assert f"กำหนดส่งผลที่แก้ไข ภายในวันที่ {thai_date(due, 'long')}" in words and "เหลืออีก 7 วัน" in words
    assert "เหลืออีก 60 วัน" not in words
