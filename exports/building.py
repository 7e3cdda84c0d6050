"""Requesting an export and building it in the worker.

request_export() is what a view calls: it refuses what the person may not have, reuses
their own export of the same report still waiting or running, or creates the row and
enqueues the task in one transaction (the database backend keeps the queue in the same
database, so a rolled-back request leaves no orphan job). build() is what the task runs:
it calls the report's pure builder (registered by the app that owns it: results/apps.py)
with a progress callback into a temporary file, saves that to the exports storage, and
tells the person it is ready.
"""

import datetime
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import Round
from exports.models import Export
from notifications.models import Notification
from notifications.sending import store_and_send
from organizations.models import Province

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# The worker writes progress at most this often (seconds): a row update per organization
# would cost more than the export.
PROGRESS_EVERY = 0.5
# How long finished exports are kept (prune_exports deletes older ones and their files).
KEEP_DAYS = 7
# A build still "running" after this long lost its worker (killed, machine restarted): asking
# again marks it failed and starts anew rather than sending the person to it forever.
STALE_AFTER = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class Report:
    """How one kind of export is named, built, and who may have it.

    The app that owns the report registers it (register(), from its AppConfig.ready()):
    this app runs the jobs and keeps the files, and knows no report of its own.
    """

    prefix: str
    extension: str
    content_type: str
    write: Callable[[Export, Path, Progress], None]
    # The round of `year` and the province (code, or None for the country) the report covers,
    # if `user` may read it; Http404 otherwise. Asked when the export is requested and again
    # at every look at it, so a person whose roles changed loses their files with their reach.
    scope: Callable[[User, int, str | None], tuple[Round, Province | None]]

    def file_name(self, export: Export) -> str:
        scope = f"-{export.province.code}" if export.province_id else ""
        return f"{self.prefix}-{export.round.year}{scope}.{self.extension}"


REPORTS: dict[str, Report] = {}


def register(kind: str, report: Report) -> None:
    """Make `kind` (one of Export.Kind) buildable in the background."""
    REPORTS[kind] = report


def request_export(*, user: User, kind: str, assessment_round: Round, province: Province | None) -> tuple[Export, bool]:
    """The person's export of this report, and whether it was created now (False: theirs
    already waiting or running, which the page then shows instead of queueing it twice).

    The caller has checked that `user` may read the report (Report.scope).
    """
    from exports.tasks import build_export  # the task module runs build() below: one app, two modules

    with transaction.atomic():
        waiting = (
            Export.objects.pending()
            .select_for_update()
            .filter(requested_by=user, kind=kind, round=assessment_round, province=province)
            .first()
        )
        if waiting is not None and not _stale(waiting):
            return waiting, False
        if waiting is not None:
            waiting.status, waiting.finished_at = Export.Status.FAILED, timezone.now()
            waiting.error = _("งานนี้ค้างอยู่นานเกินไปจึงถูกยกเลิก ระบบเริ่มจัดทำใหม่ให้แล้ว")
            waiting.save(update_fields=["status", "finished_at", "error"])
        export = Export.objects.create(requested_by=user, kind=kind, round=assessment_round, province=province)
        result = build_export.enqueue(export.pk)
        Export.objects.filter(pk=export.pk).update(task_id=str(result.id))
        export.task_id = str(result.id)
    return export, True


def _stale(export: Export) -> bool:
    return (
        export.status == Export.Status.RUNNING
        and export.started_at is not None
        and export.started_at < timezone.now() - STALE_AFTER
    )


def build(export_pk: int) -> Export:
    """Build the export's file (the worker's side). A failure is recorded on the row with a
    message for the person and raised again, so the worker logs it and marks its task failed."""
    export = Export.objects.select_related("round", "province", "requested_by").get(pk=export_pk)
    if export.status != Export.Status.QUEUED:
        return export  # the task ran before (a worker restarted): nothing to do twice
    report = REPORTS[export.kind]
    export.status, export.started_at = Export.Status.RUNNING, timezone.now()
    export.file_name = report.file_name(export)
    export.save(update_fields=["status", "started_at", "file_name"])
    try:
        export.size = _build_and_store(export, report)
    except Exception as error:
        export.status, export.finished_at = Export.Status.FAILED, timezone.now()
        export.error = _("จัดทำไฟล์ไม่สำเร็จ กรุณาสั่งใหม่อีกครั้ง หากยังไม่สำเร็จ แจ้งผู้ดูแลระบบ (รหัสงาน %(id)s)") % {
            "id": export.pk
        }
        export.save(update_fields=["status", "finished_at", "error"])
        logger.exception("export %s (%s) failed: %s", export.pk, export.kind, error)
        raise
    export.status, export.finished_at = Export.Status.DONE, timezone.now()
    export.done = export.total
    export.save(update_fields=["status", "finished_at", "size", "done", "file"])
    _tell_ready(export)
    return export


def _build_and_store(export: Export, report: Report) -> int:
    """Build into a local temporary file (the builders write to a path), then save it to the
    exports storage, which may be another machine's bucket; the size built."""
    with tempfile.TemporaryDirectory(prefix="lpa-export-") as folder:
        path = Path(folder) / export.file_name
        report.write(export, path, _progress_writer(export))
        size = path.stat().st_size
        with path.open("rb") as built:
            # The storage may choose another name than asked (never replacing a file): keep its.
            export.file.save(export.file_name, File(built), save=False)
    return size


def _progress_writer(export: Export) -> Progress:
    """A progress callback that writes (done, total) to the row, at most every PROGRESS_EVERY s."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY and done < total:
            return
        last = now
        export.done, export.total = min(done, total), total
        Export.objects.filter(pk=export.pk).update(done=export.done, total=export.total)

    return progress


def _tell_ready(export: Export) -> None:
    subject = _("ไฟล์ %(report)s ปี %(year)s (%(scope)s) พร้อมดาวน์โหลด") % {
        "report": export.get_kind_display(),
        "year": export.round.year,
        "scope": export.scope_label,
    }
    store_and_send(
        [
            Notification(
                recipient=export.requested_by,
                kind=Notification.Kind.EXPORT_READY,
                subject=subject[:300],
                body=_("ดาวน์โหลดได้จากหน้า \"ไฟล์รายงานของฉัน\" ภายใน %(days)s วัน") % {"days": KEEP_DAYS},
                url=export.get_absolute_url(),
            )
        ]
    )


def prune(*, days: int = KEEP_DAYS) -> int:
    """Delete finished exports older than `days` with their files; returns how many."""
    old = list(Export.objects.finished_before(timezone.now() - datetime.timedelta(days=days)))
    for export in old:
        if export.file:
            # Through the storage (a file or an object in the bucket); a file already gone is no error.
            export.file.delete(save=False)
    Export.objects.filter(pk__in=[export.pk for export in old]).delete()
    return len(old)
