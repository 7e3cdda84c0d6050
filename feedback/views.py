import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import is_department
from assessments.storage import evidence_storage
from core.spreadsheets import XLSX_CONTENT_TYPE
from core.storage import download_response
from feedback.access import get_feedback_for_user
from feedback.forms import AnswerForm, FeedbackForm, StatusFilterForm
from feedback.models import Feedback
from feedback.workbook import build_feedback_workbook
from feedback.workflow import answer_feedback, local_page, mark_read, send_feedback


def _department_only(user) -> None:
    if not is_department(user):
        raise Http404


@login_required
def feedback_new(request: HttpRequest) -> HttpResponse:
    """The form reachable from every page; the page the user came from is filled in."""
    host = request.get_host()
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES, host=host)
        if form.is_valid():
            send_feedback(
                author=request.user,
                page=form.cleaned_data["page"],
                text=form.cleaned_data["text"],
                screenshot=form.cleaned_data["screenshot"],
            )
            messages.success(request, _("ส่งความคิดเห็นแล้ว ขอบคุณที่ช่วยปรับปรุงระบบ"))
            return redirect("feedback:mine")
        status = 400
    else:
        came_from = local_page(request.GET.get("from", ""), host=host) or local_page(
            request.headers.get("referer", ""), host=host
        )
        form = FeedbackForm(initial={"page": came_from}, host=host)
        status = 200
    return render(request, "feedback/feedback_form.html", {"form": form}, status=status)


@login_required
def feedback_mine(request: HttpRequest) -> HttpResponse:
    items = Feedback.objects.for_author(request.user).select_related("answered_by")
    return render(request, "feedback/feedback_mine.html", {"items": items})


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """The department's list, filtered by status."""
    _department_only(request.user)
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(Feedback.objects.for_department(status=status), 50).get_page(request.GET.get("page"))
    counts = dict.fromkeys(Feedback.Status.values, 0) | dict(
        Feedback.objects.order_by().values_list("status").annotate(n=Count("pk"))
    )
    return render(
        request,
        "feedback/feedback_list.html",
        {
            "form": form,
            "page": page,
            "query": f"status={status}" if status else "",
            "status": status,
            "counts": [(label, counts[value]) for value, label in Feedback.Status.choices],
        },
    )


@login_required
def feedback_export(request: HttpRequest) -> HttpResponse:
    """The list (same status filter) as lpa-feedback-<date>.xlsx."""
    _department_only(request.user)
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    buffer = io.BytesIO()
    build_feedback_workbook(Feedback.objects.for_department(status=status)).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = f"lpa-feedback-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The comment with its answer; the department's opening marks a new one read."""
    feedback = get_feedback_for_user(request.user, pk)
    department = is_department(request.user)
    if department:
        mark_read(feedback)
    return render(
        request,
        "feedback/feedback_detail.html",
        {
            "feedback": feedback,
            "department": department,
            "answer_form": AnswerForm(initial={"answer": feedback.answer}) if department else None,
        },
    )


@login_required
@require_POST
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback_for_user(request.user, pk)
    _department_only(request.user)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer_feedback(feedback, by=request.user, text=form.cleaned_data["answer"])
        except ValidationError as error:
            form.add_error("answer", error)
        else:
            messages.success(request, _("บันทึกคำตอบและแจ้งผู้ส่งแล้ว"))
            return redirect(feedback)
    return render(
        request,
        "feedback/feedback_detail.html",
        {"feedback": feedback, "department": True, "answer_form": form},
        status=400,
    )


@login_required
def feedback_screenshot(request: HttpRequest, pk: int) -> HttpResponse:
    """The screenshot as an attachment, sandboxed like evidence downloads."""
    feedback = get_feedback_for_user(request.user, pk)
    if not feedback.screenshot:
        raise Http404
    try:
        response = download_response(
            evidence_storage(),
            feedback.screenshot.name,
            filename=feedback.screenshot_name,
            content_type=feedback.screenshot_type,
        )
    except FileNotFoundError:
        raise Http404 from None
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
