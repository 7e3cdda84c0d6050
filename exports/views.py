"""The person's exports: ask for one, follow its progress, download it.

offer() is not routed: the results views whose report is too large to build within a
request (the national workbook and reports) return it, a page with a button that asks
for the file in the background, so their links keep working.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.models import Round
from core.storage import download_response
from exports.access import get_export_for_user, report_for
from exports.building import KEEP_DAYS, request_export
from exports.forms import ExportRequestForm
from exports.models import Export
from organizations.models import Province

# How many of the person's exports the list shows.
LIST_LENGTH = 50


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    exports = Export.objects.filter(requested_by=request.user).select_related("round", "province")[:LIST_LENGTH]
    return render(request, "exports/export_list.html", {"exports": exports, "keep_days": KEEP_DAYS})


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, error[0])
        return redirect("exports:list")
    data = form.cleaned_data
    assessment_round, province = report_for(data["kind"]).scope(request.user, data["year"], data["province"])
    export, created = request_export(user=request.user, kind=data["kind"], assessment_round=assessment_round, province=province)
    if created:
        messages.success(request, _("รับคำสั่งแล้ว ระบบกำลังจัดทำไฟล์ เมื่อเสร็จจะแจ้งเตือนและดาวน์โหลดได้จากหน้านี้"))
    else:
        messages.info(request, _("ไฟล์นี้กำลังจัดทำอยู่แล้ว ไม่ต้องสั่งซ้ำ"))
    return redirect(export)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_export_for_user(request.user, pk)
    return render(request, "exports/export_detail.html", {"export": export, "keep_days": KEEP_DAYS})


@login_required
def status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the progress script polls."""
    export = get_export_for_user(request.user, pk)
    return JsonResponse(
        {
            "status": export.status,
            "label": export.get_status_display(),
            "done": export.done,
            "total": export.total,
            "percent": export.percent,
        }
    )


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, streamed or (LPA_STORAGE_REDIRECT) by a presigned address, once access is checked."""
    export = get_export_for_user(request.user, pk)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404
    report = report_for(export.kind)
    try:
        return download_response(export.file.storage, export.file.name, filename=export.file_name, content_type=report.content_type)
    except FileNotFoundError:
        raise Http404 from None


def offer(request: HttpRequest, *, kind: str, assessment_round: Round, province: Province | None) -> HttpResponse:
    """The page that asks for a large report in the background, with the person's earlier
    files of the same report (the caller has checked access)."""
    earlier = Export.objects.filter(requested_by=request.user, kind=kind, round=assessment_round, province=province).select_related(
        "round", "province"
    )[:5]
    return render(
        request,
        "exports/offer.html",
        {
            "kind": kind,
            "kind_label": Export.Kind(kind).label,
            "round": assessment_round,
            "province": province,
            "earlier": earlier,
            "keep_days": KEEP_DAYS,
        },
    )
