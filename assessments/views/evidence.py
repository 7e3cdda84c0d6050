"""Evidence of an indicator: upload files, add links, pick files uploaded before, download,
view in the page, remove.

Files are served only here, after the access check, as attachments under the uploader's
file name (never used as a path) with the type the content check found: streamed, or with
LPA_STORAGE_REDIRECT (S3) by a redirect to a short-lived presigned address. PDFs and images
are also served inline for the review page's preview (evidence_view), always streamed, so
the framing and sandboxing headers below are this site's own.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from assessments import selfassessment
from assessments.access import get_assessment_for_user, get_evidence_for_user
from assessments.answer_forms import EvidenceLinkForm, EvidenceUploadForm
from assessments.evidence import JPEG, PDF, PNG, attach_stored_files, open_evidence, remove_evidence, stored_name
from assessments.evidence_files import organization_files
from assessments.models import Evidence, StoredFile
from assessments.selfassessment import AssessmentLocked
from assessments.storage import evidence_storage
from assessments.views.self_assessment import CONFLICT, OK, REFUSED, block_response, indicator_or_404
from core.storage import download_response

BAD_REQUEST = 400


def _answer(assessment, indicator):
    answer = selfassessment.answer_for(assessment, indicator)
    answer.assessment, answer.indicator = assessment, indicator
    return answer


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """Attach one or more files; each refused file gets its own message beside the input."""
    assessment = get_assessment_for_user(request.user, pk, write=True)
    indicator = indicator_or_404(assessment, indicator)
    form = EvidenceUploadForm(request.POST, request.FILES, answer=_answer(assessment, indicator))
    accepted = form.save(by=request.user) if form.is_valid() else []
    message = ""
    if accepted:
        message = ngettext(
            "แนบไฟล์แล้ว %(n)s ไฟล์: %(names)s", "แนบไฟล์แล้ว %(n)s ไฟล์: %(names)s", len(accepted)
        ) % {"n": len(accepted), "names": ", ".join(e.original_name for e in accepted)}
    if form.errors:
        return block_response(
            request,
            assessment,
            indicator,
            status=REFUSED,
            upload_form=form,
            message=message,
            message_level="success",
        )
    return block_response(request, assessment, indicator, status=OK, message=message)


@login_required
@require_POST
def evidence_link(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, write=True)
    indicator = indicator_or_404(assessment, indicator)
    form = EvidenceLinkForm(request.POST, answer=_answer(assessment, indicator))
    evidence = form.save(by=request.user) if form.is_valid() else None
    if evidence is None:
        return block_response(request, assessment, indicator, status=REFUSED, link_form=form)
    return block_response(
        request, assessment, indicator, status=OK, message=_("เพิ่มลิงก์ \"%(name)s\" แล้ว") % {"name": evidence.display_name}
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request.user, pk)
    try:
        response = download_response(
            evidence_storage(), stored_name(evidence), filename=evidence.original_name, content_type=evidence.content_type
        )
    except (Evidence.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    # A file someone uploaded is never run as a page of this site (a presigned redirect serves
    # it from the store's own address, as an attachment).
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# What a browser shows by itself without running anything of ours: the content check
# (assessments.evidence) has read these types from the bytes, not from the name.
PREVIEW_TYPES = frozenset({PDF.content_type, JPEG.content_type, PNG.content_type})


@login_required
@xframe_options_sameorigin
def evidence_view(request: HttpRequest, pk: int) -> FileResponse:
    """A PDF or an image inline, for the preview beside an answer (same access as the download).

    Other types have no preview (404; the download link serves them). Framed by this site's
    own pages only. Images get a sandboxing policy like downloads; PDFs cannot, because
    browsers refuse to run their PDF viewer in a sandboxed document, so they rely on the
    checked type and `nosniff` never to be read as a page.
    """
    evidence = get_evidence_for_user(request.user, pk)
    if evidence.content_type not in PREVIEW_TYPES:
        raise Http404
    try:
        file = open_evidence(evidence)
    except (Evidence.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    response = FileResponse(file, filename=evidence.original_name, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if evidence.content_type == PDF.content_type:
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
        )
    return response


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove evidence while its indicator may change; the removal is recorded in the history."""
    evidence = get_evidence_for_user(request.user, pk, write=True)
    answer = evidence.answer
    assessment = get_assessment_for_user(request.user, answer.assessment_id, write=True)
    indicator = indicator_or_404(assessment, answer.indicator_id)
    try:
        remove_evidence(evidence, by=request.user)
    except (AssessmentLocked, ValidationError) as error:
        return block_response(
            request, assessment, indicator, status=REFUSED, message=error.messages[0], message_level="danger"
        )
    return block_response(
        request, assessment, indicator, status=OK, message=_("ลบหลักฐาน \"%(name)s\" แล้ว") % {"name": evidence.display_name}
    )


@login_required
def evidence_pick(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """Attach files the organization uploaded before (another indicator, an earlier year)
    without uploading them again. GET lists them; POST attaches the ticked ones."""
    assessment = get_assessment_for_user(request.user, pk, write=True)
    indicator = indicator_or_404(assessment, indicator)
    answer = _answer(assessment, indicator)
    problem = selfassessment.edit_problem(assessment, indicator, user=request.user, today=timezone.localdate())
    error, status = None, OK
    if request.method == "POST":
        ids = request.POST.getlist("files")
        if problem:
            error, status = problem, CONFLICT
        elif not ids:
            error, status = _("เลือกไฟล์อย่างน้อย 1 ไฟล์"), BAD_REQUEST
        elif not all(value.isascii() and value.isdigit() and len(value) < 19 for value in ids):
            error, status = _("รายการไฟล์ที่เลือกไม่ถูกต้อง โปรดเลือกใหม่"), BAD_REQUEST
        else:
            try:
                attached = attach_stored_files(answer=answer, stored_ids=[int(v) for v in ids], by=request.user)
            except StoredFile.DoesNotExist:
                error, status = _("ไฟล์ที่เลือกบางรายการไม่ใช่ไฟล์ของ อปท. นี้ หรือถูกลบไปแล้ว โปรดเลือกใหม่"), BAD_REQUEST
            except AssessmentLocked as refused:
                error, status = refused.messages[0], CONFLICT
            except ValidationError as refused:
                error, status = refused.messages[0], BAD_REQUEST
            else:
                messages.success(
                    request,
                    ngettext("แนบไฟล์แล้ว %(n)s ไฟล์: %(names)s", "แนบไฟล์แล้ว %(n)s ไฟล์: %(names)s", len(attached))
                    % {"n": len(attached), "names": ", ".join(e.original_name for e in attached)},
                )
                dimension_url = reverse("assessments:assessment_dimension", args=[assessment.pk, indicator.category.dimension.number])
                return redirect(f"{dimension_url}#ind-{indicator.pk}")
    query = request.GET.get("q", "").strip()[:100]
    page, files = organization_files(
        assessment.organization_id, answer_id=answer.pk, page=request.GET.get("page") or 1, query=query
    )
    return render(
        request,
        "assessments/evidence_pick.html",
        {
            "assessment": assessment,
            "indicator": indicator,
            "files": files,
            "page": page,
            "query": query,
            "problem": problem,
            "error": error,
            "chosen": set(request.POST.getlist("files")) if request.method == "POST" else set(),
        },
        status=status,
    )
