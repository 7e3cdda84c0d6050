"""Assessment rounds (one per year) and their reporting bands.

A round owns its framework (assessments/models/framework.py) and, once opened, one
assessment per organization (assessments/models/assessment.py).
"""

import datetime
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_for
from assessments import scoring
from assessments.signals import send_scores_changed
from organizations.models import Organization

if TYPE_CHECKING:
    from accounts.models import User

DEFAULT_PASS_MARK = Decimal(70)
# Stored in Thai; marked so the catalogue holds them for the |translated filter.
DEFAULT_BANDS = (
    (gettext_noop("ดีเด่น"), Decimal(90)),
    (gettext_noop("ดีมาก"), Decimal(80)),
    (gettext_noop("ดี"), Decimal(70)),
)
# A round's title, unless the department names it otherwise; with the "(LPA)" the framework
# workbook's own title carries.
STANDARD_TITLES = (
    gettext_noop("การประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น ประจำปี พ.ศ. %(year)s"),
    gettext_noop("การประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น (LPA) ประจำปี พ.ศ. %(year)s"),
)
PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
# Below this a year is surely C.E. typed by mistake (2026 instead of 2569).
FIRST_BUDDHIST_YEAR = 2500


# The assessment windows in the order they happen: (opens, closes, message if reversed).
ROUND_WINDOWS = (
    ("self_assessment_opens", "self_assessment_closes", _("วันปิดการประเมินตนเองต้องไม่ก่อนวันเปิดการประเมินตนเอง")),
    ("review_opens", "review_closes", _("วันสิ้นสุดการตรวจประเมินต้องไม่ก่อนวันเริ่มการตรวจประเมิน")),
    ("appeal_opens", "appeal_closes", _("วันปิดรับอุทธรณ์ต้องไม่ก่อนวันเปิดรับอุทธรณ์")),
)

# What each window is called while it runs, and while the round waits for it.
STAGE_LABELS = {
    "self_assessment": (_("ประเมินตนเอง"), _("รอเปิดประเมินตนเอง")),
    "review": (_("ตรวจประเมิน"), _("รอตรวจประเมิน")),
    "appeal": (_("อุทธรณ์ผลการประเมิน"), _("รออุทธรณ์ผลการประเมิน")),
}


def new_framework_version() -> int:
    """A fresh framework version: random, so a version is never given twice, even to a round
    that reuses the primary key of one rolled back or restored from a backup."""
    return secrets.randbits(62)


class Stage(NamedTuple):
    """Where a round stands on a day: `key` for styling, `label` to show."""

    key: str
    label: str


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "RoundQuerySet":
        """The rounds inside the user's reach (see assessments.access.get_round_for_user).

        The department sees every round; a provincial office also sees rounds in set-up, to
        add its province's indicators; assessors see rounds once they are open. Organization
        roles see none yet (their pages come with the self-assessment).
        """
        scope = scope_for(user)
        if scope.national or scope.manages_province_ids:
            return self
        if scope.province_ids:
            return self.exclude(phase=Round.Phase.SETUP)
        return self.none()

    def with_counts(self) -> "RoundQuerySet":
        """Annotate `indicator_count` and `assessment_count` (subqueries: no join blow-up)."""
        from assessments.models.assessment import Assessment
        from assessments.models.framework import Indicator

        def count(model):
            rows = model.objects.filter(round=OuterRef("pk")).order_by().values("round").annotate(n=Count("pk"))
            return Coalesce(Subquery(rows.values("n")[:1]), 0)

        return self.annotate(indicator_count=count(Indicator), assessment_count=count(Assessment))

    def in_setup(self) -> "RoundQuerySet":
        return self.filter(phase=Round.Phase.SETUP)

    def running(self) -> "RoundQuerySet":
        """Rounds between opening and closing: assessments are under way."""
        return self.exclude(phase__in=[Round.Phase.SETUP, Round.Phase.CLOSED])


class Round(models.Model):
    """One assessment year (พ.ศ.), looking at the work of the fiscal year before it."""

    class Phase(models.TextChoices):
        SETUP = "setup", _("จัดเตรียมกรอบการประเมิน")
        SELF_ASSESSMENT = "self_assessment", _("ประเมินตนเอง")
        REVIEW = "review", _("ตรวจประเมิน")
        APPEAL = "appeal", _("อุทธรณ์ผลการประเมิน")
        CLOSED = "closed", _("ปิดรอบการประเมิน")

    year = models.PositiveSmallIntegerField(_("ปีการประเมิน (พ.ศ.)"), unique=True)
    # Blank in a form means "the year before" (filled in by clean()).
    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณที่ประเมิน (พ.ศ.)"), blank=True)
    title = models.CharField(_("ชื่อรอบการประเมิน"), max_length=200, blank=True)
    self_assessment_opens = models.DateField(_("วันเปิดการประเมินตนเอง"), null=True, blank=True)
    self_assessment_closes = models.DateField(_("วันปิดการประเมินตนเอง"), null=True, blank=True)
    review_opens = models.DateField(_("วันเริ่มการตรวจประเมิน"), null=True, blank=True)
    review_closes = models.DateField(_("วันสิ้นสุดการตรวจประเมิน"), null=True, blank=True)
    appeal_opens = models.DateField(_("วันเปิดรับอุทธรณ์"), null=True, blank=True)
    appeal_closes = models.DateField(_("วันปิดรับอุทธรณ์"), null=True, blank=True)
    pass_mark = models.DecimalField(
        _("เกณฑ์ผ่าน (ร้อยละ)"), max_digits=5, decimal_places=2, default=DEFAULT_PASS_MARK, validators=PERCENT_VALIDATORS
    )
    # Changed only by the round's own methods (open(), and later issues' transitions).
    phase = models.CharField(_("ระยะ"), max_length=20, choices=Phase.choices, default=Phase.SETUP, editable=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("คัดลอกจาก"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    opened_at = models.DateTimeField(_("เปิดรอบเมื่อ"), null=True, blank=True, editable=False)
    # Changes with every change of the framework that could move a score (indicators, options,
    # headings' numbers, bands): assessments.framework caches the scoring specs per process
    # under (round, version), and every save loads the round row, so a process never scores
    # with specs another one has since changed.
    framework_version = models.BigIntegerField(default=new_framework_version, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("รอบการประเมิน")
        verbose_name_plural = _("รอบการประเมิน")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_BUDDHIST_YEAR),
                name="round_year_buddhist_era",
                violation_error_message=_("ปีการประเมินต้องเป็นปีพุทธศักราช เช่น 2569"),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_BUDDHIST_YEAR, fiscal_year__lte=F("year")),
                name="round_fiscal_year_not_after_year",
                violation_error_message=_("ปีงบประมาณที่ประเมินต้องเป็นปีพุทธศักราชและไม่หลังปีการประเมิน"),
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100),
                name="round_pass_mark_percent",
                violation_error_message=_("เกณฑ์ผ่านต้องอยู่ระหว่าง 0 ถึง 100"),
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["setup", "self_assessment", "review", "appeal", "closed"]),
                name="round_phase_valid",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{opens}__isnull": True})
                    | Q(**{f"{closes}__isnull": True})
                    | Q(**{f"{opens}__lte": F(closes)}),
                    name=f"round_{opens.removesuffix('_opens')}_window_in_order",
                    violation_error_message=message,
                )
                for opens, closes, message in ROUND_WINDOWS
            ),
        ]

    def __str__(self) -> str:
        """The title as typed; the standard wording in the reader's language (a Thai title
        stays Thai in English only when someone wrote their own)."""
        if self.title and (translation.get_language() in (None, "th") or not self._has_standard_title()):
            return self.title
        return self.default_title(self.year)

    def _has_standard_title(self) -> bool:
        return any(self.title == standard % {"year": self.year} for standard in STANDARD_TITLES)

    def get_absolute_url(self) -> str:
        return reverse("assessments:round_detail", args=[self.year])

    @staticmethod
    def default_title(year: int) -> str:
        return gettext(STANDARD_TITLES[0]) % {"year": year}

    def clean(self) -> None:
        if self.fiscal_year is None and self.year:
            self.fiscal_year = self.year - 1
        errors = {}
        # Each window's own order is a database constraint; here, that one window does not
        # start before the one before it has ended (blank dates are skipped).
        previous = None
        for window, (opens, closes, _message) in enumerate(ROUND_WINDOWS):
            for name in (opens, closes):
                value = getattr(self, name)
                if value is None:
                    continue
                if previous and previous[0] != window and value < previous[2]:
                    errors[name] = _("%(this)sต้องไม่ก่อน%(that)s") % {
                        "this": self._meta.get_field(name).verbose_name,
                        "that": self._meta.get_field(previous[1]).verbose_name,
                    }
                previous = (window, name, value)
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self) -> bool:
        """The whole framework may change: nobody has answered yet."""
        return self.phase == self.Phase.SETUP

    @property
    def is_closed(self) -> bool:
        return self.phase == self.Phase.CLOSED

    def stage(self, today: datetime.date | None = None) -> Stage:
        """The round's stage on `today`, read from its windows' dates.

        `phase` records what has been done to the round (opened, results published) and
        moves as soon as the first organization is published; what people see is where the
        calendar stands: the window running today, or the one the round waits for between
        windows. Set-up and closed rounds are that whatever the dates; a running round
        without dates shows its phase.
        """
        if self.phase in (self.Phase.SETUP, self.Phase.CLOSED):
            return Stage(self.phase, self.get_phase_display())
        today = today or timezone.localdate()
        windows = [
            (key, getattr(self, f"{key}_opens"), getattr(self, f"{key}_closes")) for key in STAGE_LABELS
        ]
        if not any(opens for _key, opens, _closes in windows):
            return Stage(self.phase, self.get_phase_display())
        stage = None
        for key, opens, closes in windows:
            running, waiting = STAGE_LABELS[key]
            if opens is None:
                continue
            if today < opens:
                return Stage("before" if stage is None else "waiting", waiting)
            if closes is None or today <= closes:
                return Stage(key, running)
            stage = Stage("ended", _("สิ้นสุดช่วง%(window)s รอปิดรอบ") % {"window": running})
        return stage

    def type_reference_date(self) -> datetime.date:
        """The day whose organization types the round's assessments keep."""
        return self.self_assessment_opens or timezone.localdate()

    def framework_changed(self) -> None:
        """Give the framework a new version (call with the round row locked, in the change's
        transaction): cached specs of the old version go unused in every process."""
        self.framework_version = new_framework_version()
        Round.objects.filter(pk=self.pk).update(framework_version=self.framework_version)

    def add_default_bands(self) -> None:
        ResultBand.objects.bulk_create(ResultBand(round=self, label=label, min_percent=m) for label, m in DEFAULT_BANDS)

    def band_specs(self) -> list[scoring.BandSpec]:
        return [scoring.BandSpec(band.label, band.min_percent) for band in self.bands.all()]

    def organization_types(self) -> "models.QuerySet":
        """(organization pk, type on the reference date) of every active organization.

        Organization.type_on() for every organization at once.
        """
        return (
            Organization.objects.filter(is_active=True)
            .with_type_on(self.type_reference_date())
            .values_list("pk", "type_then")
        )

    def assessments_to_create(self) -> dict[str, int]:
        """How many assessments open() would create now, by organization type."""
        rows = self.organization_types().order_by().values("type_then").annotate(n=Count("pk"))
        return {row["type_then"]: row["n"] for row in rows}

    def open(self, *, by: "User | None") -> int:
        """Start self-assessment: one assessment per active organization; returns how many.

        Each assessment keeps the organization's type on the reference date, so an อบต.
        upgraded later still counts as an อบต. in this round.
        """
        from assessments.models.assessment import Assessment

        with transaction.atomic():
            locked = Round.objects.select_for_update().get(pk=self.pk)
            if locked.phase != Round.Phase.SETUP:
                raise ValidationError(_("รอบการประเมินปี %(year)s เปิดไปแล้ว") % {"year": locked.year})
            locked.full_clean()
            if not locked.indicators.filter(is_pilot=False).exists():
                raise ValidationError(_("ยังไม่มีตัวชี้วัดที่นับคะแนนในกรอบการประเมิน จึงเปิดรอบไม่ได้"))
            created = Assessment.objects.bulk_create(
                (
                    Assessment(round=locked, organization_id=pk, org_type=org_type)
                    for pk, org_type in locked.organization_types()
                ),
                batch_size=1000,
            )
            locked.phase, locked.opened_by, locked.opened_at = Round.Phase.SELF_ASSESSMENT, by, timezone.now()
            locked.save(update_fields=["phase", "opened_by", "opened_at", "updated_at"])
            # Every organization starts with stored results (zero points of its full marks).
            send_scores_changed(locked.assessments.values_list("pk", flat=True), sender=Round)
        self.phase, self.opened_by, self.opened_at = locked.phase, locked.opened_by, locked.opened_at
        return len(created)


class ResultBand(models.Model):
    """A reporting band: a passing percentage at or above `min_percent` earns `label`."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(_("ระดับผลการประเมิน"), max_length=50)
    min_percent = models.DecimalField(
        _("ร้อยละขั้นต่ำ"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )

    class Meta:
        ordering = ["round", "-min_percent"]
        verbose_name = _("ระดับผลการประเมิน")
        verbose_name_plural = _("ระดับผลการประเมิน")
        constraints = [
            models.UniqueConstraint(fields=["round", "label"], name="band_label_unique_in_round"),
            models.UniqueConstraint(fields=["round", "min_percent"], name="band_min_unique_in_round"),
            models.CheckConstraint(condition=Q(min_percent__gte=0, min_percent__lte=100), name="band_min_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.label} (≥ {self.min_percent})"
