"""Provincial review: teams, their organizations, verified answers, comments, appeals.

The province's office forms assessment teams for a round (usually four people from the
provincial and district offices, one of them the lead) and assigns its organizations'
assessments to them with a planned visit date. A team member gives each indicator a
verified answer (VerifiedAnswer) beside the organization's own; the lead verifies the
assessment. The transitions are in reviews/workflow/; every one of them is an
AssessmentEvent (the audit trail).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import scoring
from assessments.models import Assessment, Evidence, Indicator, IndicatorOption, Round
from organizations.models import Province


class Team(models.Model):
    """A provincial assessment team (คณะผู้ประเมิน) of one round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="teams")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("ชื่อคณะ"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "province", "name"]
        verbose_name = _("คณะผู้ประเมิน")
        verbose_name_plural = _("คณะผู้ประเมิน")
        constraints = [
            models.UniqueConstraint(fields=["round", "province", "name"], name="team_name_unique_per_province"),
            models.CheckConstraint(condition=Q(name__regex=r"\S"), name="team_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reviews:team_detail", args=[self.pk])

    @property
    def lead(self):
        """The lead's TeamMember row (members prefetched or not), or None."""
        for member in self.members.all():
            if member.is_lead:
                return member
        return None


class TeamMember(models.Model):
    """A person on a team: someone with a provincial role in the team's province."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships")
    is_lead = models.BooleanField(_("หัวหน้าคณะ"), default=False)
    position = models.CharField(_("ตำแหน่ง/สังกัด"), max_length=200, blank=True)

    class Meta:
        ordering = ["team", "-is_lead", "user__first_name", "user__username"]
        verbose_name = _("ผู้ประเมินในคณะ")
        verbose_name_plural = _("ผู้ประเมินในคณะ")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_once"),
            models.UniqueConstraint(fields=["team"], condition=Q(is_lead=True), name="team_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.user}"


class Assignment(models.Model):
    """Which team reviews an assessment, and when it plans to visit the organization."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="assignment")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assignments")
    visit_on = models.DateField(_("วันที่ลงพื้นที่"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team", "visit_on", "assessment"]
        verbose_name = _("การมอบหมายคณะผู้ประเมิน")
        verbose_name_plural = _("การมอบหมายคณะผู้ประเมิน")

    def __str__(self) -> str:
        return f"{self.assessment} → {self.team}"


class VerifiedAnswer(models.Model):
    """The team's verified answer to one indicator, beside the organization's own (Answer).

    Same fields as the self-assessment for the indicator's kind. For a claimed "not
    applicable" the team confirms it (na_confirmed=True: out of both points and full marks)
    or rejects it (False: then a value is given). `reason` is required whenever the result
    scores differently from the self-assessment (reviews.workflow.save_verified_answer). `points` keeps
    what the answer earned when saved, so the trail can say from → to. `version` guards
    against two assessors overwriting each other.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="verified_answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="verified_answers")
    level = models.ForeignKey(
        IndicatorOption, verbose_name=_("ระดับที่ตรวจได้"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticked = models.ManyToManyField(IndicatorOption, verbose_name=_("รายการที่ผ่าน"), blank=True, related_name="+")
    figure = models.DecimalField(_("ค่าตัวเลขที่ตรวจได้"), max_digits=18, decimal_places=4, null=True, blank=True)
    # None: the organization claimed no N/A (or the team has not decided yet).
    na_confirmed = models.BooleanField(_("ยืนยันว่าไม่มีภารกิจ"), null=True, blank=True)
    reason = models.TextField(_("เหตุผลของผลการตรวจ"), blank=True)
    points = models.DecimalField(_("คะแนนที่ได้"), max_digits=7, decimal_places=2, default=Decimal(0))
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["assessment", "indicator"]
        verbose_name = _("ผลการตรวจประเมิน")
        verbose_name_plural = _("ผลการตรวจประเมิน")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="verified_answer_unique_per_indicator"),
            models.CheckConstraint(
                condition=Q(figure__isnull=True) | Q(figure__gte=0), name="verified_answer_figure_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(na_confirmed=True) | Q(level__isnull=True, figure__isnull=True),
                name="verified_answer_confirmed_na_has_no_value",
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="verified_answer_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.code} (ตรวจแล้ว)"

    def as_scoring_answer(self, *, claimed_na: bool) -> scoring.Answer:
        """The verified answer for the scoring engine; a confirmed N/A leaves both sides."""
        confirmed = bool(claimed_na and self.na_confirmed)
        return scoring.Answer(
            level=None if confirmed else self.level_id,
            ticked=frozenset() if confirmed else frozenset(option.pk for option in self.ticked.all()),
            figure=None if confirmed else self.figure,
            not_applicable=confirmed,
            na_confirmed=confirmed,
        )


class Comment(models.Model):
    """A message on one indicator of an assessment.

    Between the organization and the team, or (internal) a note among the reviewers that
    the organization never sees.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("ข้อความ"))
    internal = models.BooleanField(_("บันทึกภายในคณะผู้ประเมิน"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "indicator", "created_at", "pk"]
        verbose_name = _("ความเห็น")
        verbose_name_plural = _("ความเห็น")
        indexes = [models.Index(fields=["assessment", "indicator"], name="comment_thread")]
        constraints = [models.CheckConstraint(condition=Q(body__regex=r"\S"), name="comment_body_not_blank")]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.code}: {self.body[:40]}"


class Appeal(models.Model):
    """The organization disputes one indicator's published verified result.

    Opened by the organization's head in the appeal window with an argument and optional
    new evidence; answered by the team lead or the provincial office: accepted (the
    verified answer changes, recorded as a score change) or rejected, with a response.
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("รับอุทธรณ์ (แก้ไขผลการตรวจ)")
        REJECTED = "rejected", _("ยืนผลการตรวจเดิม")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="appeals")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="appeals")
    argument = models.TextField(_("เหตุผลการอุทธรณ์"))
    evidence = models.ManyToManyField(Evidence, verbose_name=_("หลักฐานเพิ่มเติม"), blank=True, related_name="appeals")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    points_before = models.DecimalField(_("คะแนนก่อนอุทธรณ์"), max_digits=7, decimal_places=2)
    decision = models.CharField(_("ผลการพิจารณา"), max_length=20, choices=Decision.choices, blank=True)
    response = models.TextField(_("คำชี้แจงผลการพิจารณา"), blank=True)
    points_after = models.DecimalField(_("คะแนนหลังพิจารณา"), max_digits=7, decimal_places=2, null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "indicator"]
        verbose_name = _("การอุทธรณ์")
        verbose_name_plural = _("การอุทธรณ์")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="appeal_once_per_indicator"),
            models.CheckConstraint(condition=Q(argument__regex=r"\S"), name="appeal_argument_required"),
            models.CheckConstraint(
                condition=Q(decision="", answered_at__isnull=True, answered_by__isnull=True, points_after__isnull=True)
                | (
                    Q(decision__in=["accepted", "rejected"], answered_at__isnull=False, answered_by__isnull=False)
                    & Q(response__regex=r"\S")
                    & Q(points_after__isnull=False)
                ),
                name="appeal_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.code} (อุทธรณ์)"

    @property
    def is_answered(self) -> bool:
        return bool(self.decision)
