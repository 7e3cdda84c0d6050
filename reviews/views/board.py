"""The assessor's queue, the province board, bulk approval and publishing the round.

- queue (/review/): an assessor's assigned assessments by what to do first; a provincial
  office is sent on to its board, the department gets the provinces' boards.
- province_board: the provincial office's (and the department's) view of a province in a
  round: counts by status per team, overdue items, who is working on what, and the verified
  results awaiting approval (approved in bulk by bulk_approve).
- round_publish: the department publishes the round's approved results.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required, scope_for
from accounts.models import Role
from assessments.access import get_round_for_user
from assessments.forms import add_errors
from assessments.models import Assessment, Round
from core.forms import ids_in
from core.templatetags.thai_dates import thai_date
from organizations.access import get_province_for_user
from organizations.models import Province
from reviews import progress, teams, workflow
from reviews.forms.publish import PublishForm

Status = Assessment.Status
# Refusals listed one by one after a bulk approval; more are summed up.
REFUSALS_SHOWN = 20


def board_url(assessment_round: Round, province: Province) -> str:
    return reverse("reviews:province_board", args=[assessment_round.year, province.code])


# The queue.


@dataclass
class QueueSection:
    group: progress.QueueGroup
    assessments: list[Assessment]


@dataclass
class ProvinceRow:
    province: Province
    counts: dict[str, int]

    @property
    def sent(self) -> int:
        return sum(n for status, n in self.counts.items() if status != Status.DRAFT)

    @property
    def to_review(self) -> int:
        return self.counts.get(Status.SUBMITTED, 0) + self.counts.get(Status.RESUBMITTED, 0)

    @property
    def published(self) -> int:
        return self.counts.get(Status.PUBLISHED, 0) + self.counts.get(Status.APPEALED, 0)


@login_required
@role_required(*Role.NATIONAL_KINDS, *Role.PROVINCE_KINDS)
def queue(request: HttpRequest) -> HttpResponse:
    """What the signed-in reviewer works on, by what to do first (404 for organization roles)."""
    user = request.user
    scope = scope_for(user)
    assigned = list(
        progress.assigned_to(user)
        .select_related("round", "organization__district", "assignment__team")
        .order_by("assignment__visit_on", "submitted_at", "organization__code")
    )
    running = list(Round.objects.running()) if (scope.manages_province_ids or scope.national) else []
    boards = []
    if scope.manages_province_ids:
        provinces = list(Province.objects.filter(pk__in=scope.manages_province_ids).order_by("code"))
        boards = [(assessment_round, province) for assessment_round in running for province in provinces]
        # An office with nothing assigned to its own people goes straight to its one board.
        if len(boards) == 1 and not assigned and not scope.has(Role.Kind.PROVINCIAL_ASSESSOR) and not scope.national:
            return redirect(board_url(*boards[0]))

    group_key = request.GET.get("group", "")
    groups = {group.key: group for group in progress.QUEUE_GROUPS}
    today = timezone.localdate()
    sections = []
    for group in progress.QUEUE_GROUPS:
        items = [a for a in assigned if a.status in group.statuses]
        for assessment in items:
            assessment.days_waiting = (
                (today - timezone.localdate(assessment.submitted_at)).days if assessment.submitted_at else None
            )
        sections.append(QueueSection(group, items))
    shown = [section for section in sections if section.assessments and (not group_key or section.group.key == group_key)]

    national = _national_boards(request, running) if scope.national else None
    return render(
        request,
        "reviews/queue.html",
        {
            "sections": sections,
            "shown": shown,
            "group": groups.get(group_key),
            "assigned_count": len(assigned),
            "is_assessor": scope.has(Role.Kind.PROVINCIAL_ASSESSOR) or bool(assigned),
            "boards": boards,
            "national": national,
            "today": today,
        },
    )


def _national_boards(request: HttpRequest, running: list[Round]) -> dict | None:
    """Every province's board for one running round (the latest unless ?year= names another)."""
    if not running:
        return {"round": None, "rounds": [], "rows": []}
    assessment_round = next((r for r in running if str(r.year) == request.GET.get("year")), running[0])
    counts: dict[int, dict[str, int]] = {}
    for province_id, status, n in (
        Assessment.objects.filter(round=assessment_round)
        .order_by()
        .values_list("organization__district__province", "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(province_id, {})[status] = n
    rows = [ProvinceRow(province, counts.get(province.pk, {})) for province in Province.objects.order_by("code")]
    return {"round": assessment_round, "rounds": running, "rows": rows}


# The province board.


@login_required
def province_board(request: HttpRequest, year: int, province: str) -> HttpResponse:
    assessment_round = get_round_for_user(request.user, year)
    province = get_province_for_user(request.user, province)
    board = progress.province_progress(assessment_round, province)
    is_office = teams.manages(request.user, province)
    return render(
        request,
        "reviews/province_board.html",
        {
            "round": assessment_round,
            "province": province,
            "progress": board,
            "is_office": is_office,
            "can_manage": is_office and assessment_round.phase not in (Round.Phase.SETUP, Round.Phase.CLOSED),
            "review_start_days": progress.REVIEW_START_DAYS,
        },
    )


@login_required
@require_POST
def bulk_approve(request: HttpRequest, year: int, province: str) -> HttpResponse:
    """Approve the ticked verified assessments; say how many, and why not for the others.

    The board's buttons post here without `confirmed`: the page then lists what will be
    approved (and what cannot be), and only its own button, with `confirmed`, approves.
    """
    assessment_round = get_round_for_user(request.user, year)
    province = get_province_for_user(request.user, province, write=True)
    back = board_url(assessment_round, province) + "#approve"
    pks = ids_in(request.POST.getlist("assessments"))
    if not pks:
        messages.error(request, _("เลือก อปท. ที่จะรับรองผลอย่างน้อย 1 แห่ง"))
        return redirect(back)
    chosen = list(
        teams.province_assessments(assessment_round, province)
        .filter(pk__in=pks)
        .select_related("round", "organization__district__province", "assignment__team")
        .order_by("organization__code")
    )
    if not request.POST.get("confirmed"):
        return render(
            request,
            "reviews/board_approve_confirm.html",
            {
                "round": assessment_round,
                "province": province,
                "to_approve": [assessment for assessment in chosen if assessment.status == Status.VERIFIED],
                "not_verified": [assessment for assessment in chosen if assessment.status != Status.VERIFIED],
                "missing": len(pks) - len(chosen),
            },
        )
    approved, refused = workflow.approve_many(assessments=chosen, by=request.user)
    if approved:
        messages.success(request, _("รับรองผลการประเมินแล้ว %(n)s แห่ง") % {"n": len(approved)})
    if refused:
        messages.warning(
            request, _("รับรองผลไม่ได้ %(n)s แห่ง ตามเหตุผลด้านล่าง") % {"n": len(refused)}
        )
        for assessment, reason in list(refused.items())[:REFUSALS_SHOWN]:
            organization = assessment.organization
            messages.warning(request, f"{organization} ({organization.code}): {reason}")
        if len(refused) > REFUSALS_SHOWN:
            messages.warning(request, _("และอีก %(n)s แห่ง") % {"n": len(refused) - REFUSALS_SHOWN})
    missing = len(pks) - len(chosen)
    if missing:
        messages.warning(
            request,
            _("%(n)s รายการที่เลือกไม่ใช่การประเมินของจังหวัดนี้ในรอบนี้ จึงไม่ได้รับรอง") % {"n": missing},
        )
    return redirect(back)


# Publishing.


@login_required
@role_required(*Role.NATIONAL_KINDS)
def round_publish(request: HttpRequest, year: int) -> HttpResponse:
    """The department publishes every approved result of the round (confirm, then POST)."""
    assessment_round = get_round_for_user(request.user, year)
    form = PublishForm(request.POST or None, initial=PublishForm.initial_for(assessment_round, timezone.localdate()))
    if request.method == "POST" and form.is_valid():
        try:
            count = workflow.publish_round(assessment_round=assessment_round, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
        else:
            if count:
                messages.success(
                    request,
                    _("ประกาศผลการประเมินปี %(year)s แล้ว %(n)s แห่ง อปท. อุทธรณ์ได้ถึงวันที่ %(date)s")
                    % {"year": assessment_round.year, "n": f"{count:,}", "date": thai_date(assessment_round.appeal_closes, "long")},
                )
            else:
                messages.info(request, _("ไม่มีผลการประเมินที่จังหวัดรับรองแล้วรอประกาศ"))
            return redirect("reviews:round_publish", year=assessment_round.year)
    counts = dict(assessment_round.assessments.order_by().values_list("status").annotate(n=Count("pk")))
    return render(
        request,
        "reviews/round_publish.html",
        {
            "round": assessment_round,
            "counts": [(status.label, counts.get(status.value, 0)) for status in progress.BOARD_STATUSES],
            "total": sum(counts.values()),
            "to_publish": counts.get(Status.APPROVED, 0),
            "published": counts.get(Status.PUBLISHED, 0) + counts.get(Status.APPEALED, 0),
            "not_ready": sum(
                counts.get(status, 0)
                for status in (Status.DRAFT, Status.SUBMITTED, Status.RESUBMITTED, Status.RETURNED, Status.IN_REVIEW, Status.VERIFIED)
            ),
            "can_publish": assessment_round.phase not in (Round.Phase.SETUP, Round.Phase.CLOSED),
            "form": form,
        },
    )
