"""The demo framework: a realistic year loaded from the framework workbook in fixtures/.

It goes in through the same importer as the department's own workbooks, so the demo also
exercises that path. To change it, edit the workbook (in Excel, or import → edit → export)
and run tests/assessments/test_demo.py.
"""

import datetime

from django.conf import settings

from accounts.models import User
from assessments.models import Round
from assessments.workbook import import_framework_workbook

DEMO_FRAMEWORK = settings.BASE_DIR / "fixtures" / "demo_framework_2569.xlsx"
DEMO_YEAR = 2569
# The demo round's windows around the day the demo is loaded: self-assessment opened a month
# ago and closes in two months; the review and appeal windows follow.
SELF_ASSESSMENT_OPENED_DAYS_AGO = 30
SELF_ASSESSMENT_DAYS_LEFT = 60
REVIEW_DAYS = 60
APPEAL_DAYS = 15


def load_demo_framework(*, year: int = DEMO_YEAR, by: User | None = None) -> Round:
    """The round for `year` with the demo framework; an existing round is left as it is."""
    existing = Round.objects.filter(year=year).first()
    if existing is not None:
        return existing
    return import_framework_workbook(DEMO_FRAMEWORK, by=by, year=year)


def open_demo_round(assessment_round: Round, *, by: User | None, today: datetime.date) -> Round:
    """Put the windows around `today` and open the round, so organizations can answer at once.

    A round already past set-up is left as it is (the demo may be loaded again).
    """
    if not assessment_round.is_editable:
        return assessment_round
    day = datetime.timedelta(days=1)
    assessment_round.self_assessment_opens = today - SELF_ASSESSMENT_OPENED_DAYS_AGO * day
    assessment_round.self_assessment_closes = today + SELF_ASSESSMENT_DAYS_LEFT * day
    assessment_round.review_opens = assessment_round.self_assessment_closes + day
    assessment_round.review_closes = assessment_round.review_opens + (REVIEW_DAYS - 1) * day
    assessment_round.appeal_opens = assessment_round.review_closes + day
    assessment_round.appeal_closes = assessment_round.appeal_opens + (APPEAL_DAYS - 1) * day
    assessment_round.full_clean()
    assessment_round.save()
    assessment_round.open(by=by)
    return assessment_round
