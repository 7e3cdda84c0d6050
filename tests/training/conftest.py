import datetime

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

DAY = datetime.date(2027, 1, 15)


@pytest.fixture(autouse=True)
def _evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"


def prepare(tmp_path, provinces: str = "81") -> dict[str, str]:
    """Run the command; the sheets' username → one-time password."""
    out = tmp_path / "sheets"
    call_command("prepare_training", provinces=provinces, day=DAY.isoformat(), out=str(out))
    passwords = {}
    for path in sorted(out.glob("training-*.xlsx")):
        rows = list(load_workbook(path)["บัญชี"].iter_rows(values_only=True))
        assert rows[1][:2] == ("ชื่อผู้ใช้", "รหัสผ่านครั้งแรก")
        passwords |= {row[0]: row[1] for row in rows[2:]}
    return passwords
