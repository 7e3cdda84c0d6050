import pytest

from tests.factories import district
from tests.reviews.factories import submitted_for_review


@pytest.fixture(autouse=True)
def export_folder(settings, tmp_path):
    settings.LPA_EXPORTS_ROOT = tmp_path / "exports"


@pytest.fixture
def cases():
    """A verified กระบี่ assessment and a ชลบุรี draft in one round."""
    krabi = submitted_for_review()
    krabi.verified()
    chonburi = submitted_for_review(krabi.round, submit=False, assign=False, district=district("2001"))
    return krabi, chonburi
