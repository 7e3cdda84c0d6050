"""The demo framework: a realistic year loaded from the framework workbook in fixtures/.

It goes in through the same importer as the department's own workbooks, so the demo also
exercises that path. To change it, edit the workbook (in Excel, or import → edit → export)
and run tests/assessments/test_demo.py.
"""

from django.conf import settings

from accounts.models import User
from assessments.models import Round
from assessments.workbook import import_framework_workbook

DEMO_FRAMEWORK = settings.BASE_DIR / "fixtures" / "demo_framework_2569.xlsx"
DEMO_YEAR = 2569


def load_demo_framework(*, year: int = DEMO_YEAR, by: User | None = None) -> Round:
    """The round for `year` with the demo framework; an existing round is left as it is."""
    existing = Round.objects.filter(year=year).first()
    if existing is not None:
        return existing
    return import_framework_workbook(DEMO_FRAMEWORK, by=by, year=year)
