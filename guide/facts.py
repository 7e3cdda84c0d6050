"""The numbers the guides state, read from where the product keeps them.

A guide that wrote "20 MB" by hand would go on saying so after a deployment set
LPA_EVIDENCE_MAX_BYTES to 50 MB; the guides read these instead.
"""

from django.conf import settings

from assessments.evidence import evidence_max_bytes, evidence_max_items
from assessments.models.rounds import DEFAULT_BANDS, DEFAULT_PASS_MARK
from assessments.reminders import DEFAULT_DAYS
from exports.building import KEEP_DAYS
from reviews.progress import REVIEW_START_DAYS
from reviews.workflow import DEFAULT_REVISION_DAYS

MEGABYTE = 1024 * 1024


def guide_facts() -> dict:
    max_bytes = evidence_max_bytes()
    return {
        "evidence_max_mb": max_bytes // MEGABYTE if max_bytes % MEGABYTE == 0 else round(max_bytes / MEGABYTE, 1),
        "evidence_max_items": evidence_max_items(),
        "evidence_types": "PDF, JPEG, PNG, Word (.docx, .doc), Excel (.xlsx, .xls), OpenDocument (.odt, .ods)",
        "revision_days": DEFAULT_REVISION_DAYS,
        "review_start_days": REVIEW_START_DAYS,
        "pass_mark": int(DEFAULT_PASS_MARK),
        "bands": [(label, int(floor)) for label, floor in DEFAULT_BANDS],
        "reminder_days": ", ".join(str(day) for day in DEFAULT_DAYS),
        "export_keep_days": KEEP_DAYS,
        "login_failures": settings.AXES_FAILURE_LIMIT,
        "login_cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60),
        "import_max_mb": settings.LPA_IMPORT_MAX_BYTES // MEGABYTE,
        "mail_attempts": settings.LPA_MAIL_MAX_ATTEMPTS,
        "time_zone": "Asia/Bangkok",
    }
