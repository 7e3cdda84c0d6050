"""Assessment rounds, their frameworks and one assessment per organization per round.

A round (one assessment year) owns its framework: dimensions → categories (หมวด) →
indicators → options (levels, checklist criteria or figure bands). DLA rewrites the
indicators every year, so nothing is shared between rounds; a new year starts as a copy
(`framework.copy_round`) and past years stay as they were.

The rules on who may change a framework and when live in assessments/framework.py; the
models hold the data and every invariant the database can keep.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import scoring
from assessments.storage import evidence_path, evidence_storage
from organizations.models import TYPE_ABBREVIATIONS, Organization, OrganizationTypeChange, Province

if TYPE_CHECKING:
    from accounts.models import User

DEFAULT_PASS_MARK = Decimal(70)
DEFAULT_BANDS = (("ดีเด่น", Decimal(90)), ("ดีมาก", Decimal(80)), ("ดี", Decimal(70)))
PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
POINTS_VALIDATORS = [MinValueValidator(Decimal(0))]
# Below this a year is surely C.E. typed by mistake (2026 instead of 2569).
FIRST_BUDDHIST_YEAR = 2500


# The assessment windows in the order they happen: (opens, closes, message if reversed).
ROUND_WINDOWS = (
    ("self_assessment_opens", "self_assessment_closes", _("วันปิดการประเมินตนเองต้องไม่ก่อนวันเปิดการประเมินตนเอง")),
    ("review_opens", "review_closes", _("วันสิ้นสุดการตรวจประเมินต้องไม่ก่อนวันเริ่มการตรวจประเมิน")),
    ("appeal_opens", "appeal_closes", _("วันปิดรับอุทธรณ์ต้องไม่ก่อนวันเปิดรับอุทธรณ์")),
)


def all_organization_types() -> list[str]:
    return list(Organization.Type.values)


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "RoundQuerySet":
        """The rounds inside the user's reach (see accounts.access.get_round_for_user).

        The department sees every round; a provincial office also sees rounds in set-up, to
        add its province's indicators; assessors see rounds once they are open. Organization
        roles see none yet (their pages come with the self-assessment).
        """
        from accounts.access import scope_for

        scope = scope_for(user)
        if scope.national or scope.manages_province_ids:
            return self
        if scope.province_ids:
            return self.exclude(phase=Round.Phase.SETUP)
        return self.none()

    def with_counts(self) -> "RoundQuerySet":
        """Annotate `indicator_count` and `assessment_count` (subqueries: no join blow-up)."""

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
        return self.title or self.default_title(self.year)

    def get_absolute_url(self) -> str:
        return reverse("assessments:round_detail", args=[self.year])

    @staticmethod
    def default_title(year: int) -> str:
        return f"การประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น ประจำปี พ.ศ. {year}"

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

    def type_reference_date(self) -> datetime.date:
        """The day whose organization types the round's assessments keep."""
        return self.self_assessment_opens or timezone.localdate()

    def add_default_bands(self) -> None:
        ResultBand.objects.bulk_create(ResultBand(round=self, label=label, min_percent=m) for label, m in DEFAULT_BANDS)

    def band_specs(self) -> list[scoring.BandSpec]:
        return [scoring.BandSpec(band.label, band.min_percent) for band in self.bands.all()]

    def organization_types(self) -> "models.QuerySet":
        """(organization pk, type on the reference date) of every active organization.

        Organization.type_on() for every organization at once: the type before the first
        change after the reference date, else the current type.
        """
        later_change = OrganizationTypeChange.objects.filter(
            organization=OuterRef("pk"), effective_date__gt=self.type_reference_date()
        ).order_by("effective_date", "pk")
        return (
            Organization.objects.filter(is_active=True)
            .annotate(type_then=Coalesce(Subquery(later_change.values("from_type")[:1]), "type"))
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


class Dimension(models.Model):
    """One of the five dimensions (ด้าน)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="dimensions")
    number = models.PositiveSmallIntegerField(_("ด้านที่"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    name = models.CharField(_("ชื่อด้าน"), max_length=200)

    class Meta:
        ordering = ["round", "number"]
        verbose_name = _("ด้าน")
        verbose_name_plural = _("ด้าน")
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="dimension_number_unique_in_round"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=5), name="dimension_number_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Category(models.Model):
    """A category (หมวด) of indicators inside a dimension."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="categories")
    number = models.PositiveSmallIntegerField(_("หมวดที่"), validators=[MinValueValidator(1)])
    name = models.CharField(_("ชื่อหมวด"), max_length=300)
    open_to_provinces = models.BooleanField(_("เปิดให้จังหวัดเพิ่มตัวชี้วัด"), default=False)

    class Meta:
        ordering = ["dimension__number", "number"]
        verbose_name = _("หมวด")
        verbose_name_plural = _("หมวด")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "number"], name="category_number_unique_in_dimension"),
            models.CheckConstraint(condition=Q(number__gte=1), name="category_number_positive"),
        ]

    def __str__(self) -> str:
        return f"หมวด {self.number} {self.name}"


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "IndicatorQuerySet":
        """National indicators, and provincial ones of the user's provinces (all for the department).

        Which rounds the user sees is decided by Round.objects.visible_to.
        """
        from accounts.access import scope_for

        scope = scope_for(user)
        if scope.national:
            return self
        return self.filter(Q(province__isnull=True) | Q(province_id__in=scope.province_ids))

    def for_assessment(self, assessment: "Assessment") -> "IndicatorQuerySet":
        """The indicators the organization answers: its round's, for its type and province.

        `applies_to` is a JSON list of type values; matching the quoted value as text works
        the same on SQLite and PostgreSQL (JSON `contains` is PostgreSQL-only), and the quotes
        keep "sao" from matching "pao".
        """
        province = Organization.objects.filter(pk=assessment.organization_id).values("district__province_id")
        return self.filter(
            Q(province__isnull=True) | Q(province_id=Subquery(province)),
            round_id=assessment.round_id,
            applies_to__icontains=f'"{assessment.org_type}"',
        )

    def with_answers(self, assessment: "Assessment") -> "IndicatorQuerySet":
        """Load each indicator with its options and this assessment's answer, in six queries
        whatever the number of indicators.

        Each indicator gets `answer_rows` (its answer in a list of at most one, with `level`,
        `ticked` and `current_evidence` loaded), `evidence_count` (evidence not removed) and
        `open_flags` (the province's unresolved reasons of the current revision).
        """
        evidence = Evidence.objects.current().order_by("uploaded_at", "pk")
        answers = (
            Answer.objects.filter(assessment=assessment)
            .select_related("level", "updated_by")
            .prefetch_related("ticked", models.Prefetch("evidence", queryset=evidence, to_attr="current_evidence"))
        )
        evidence_count = (
            Evidence.objects.current()
            .filter(answer__assessment=assessment, answer__indicator=OuterRef("pk"))
            .order_by()
            .values("answer")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        flags = ReturnedIndicator.objects.filter(
            assessment=assessment, revision=assessment.revision, resolved_at__isnull=True
        )
        return (
            self.select_related("category__dimension", "province")
            .prefetch_related(
                "options",
                models.Prefetch("answers", queryset=answers, to_attr="answer_rows"),
                models.Prefetch("returns", queryset=flags, to_attr="open_flags"),
            )
            .annotate(evidence_count=Coalesce(Subquery(evidence_count), 0))
        )


    def with_completion(self, assessment: "Assessment") -> "IndicatorQuerySet":
        """Annotate `answered` and `has_evidence` for `assessment` in the one query (no prefetch).

        `answered` follows Answer.is_answered: not applicable, or the value the kind needs
        (a level, a figure, or the checklist saved).
        """
        answer = Answer.objects.filter(assessment=assessment, indicator=OuterRef("pk"))
        given = (
            Q(not_applicable=True)
            | Q(indicator__kind=scoring.LEVELS, level__isnull=False)
            | Q(indicator__kind=scoring.FIGURE, figure__isnull=False)
            | Q(indicator__kind__in=[scoring.CHECKLIST, scoring.ALL_OR_NOTHING], answered_at__isnull=False)
        )
        evidence = Evidence.objects.current().filter(answer__assessment=assessment, answer__indicator=OuterRef("pk"))
        return self.annotate(
            answered=models.Exists(answer.filter(given)),
            not_applicable=models.Exists(answer.filter(not_applicable=True)),
            has_evidence=models.Exists(evidence),
        )


class Indicator(models.Model):
    """An indicator (ตัวชี้วัด) and how it is scored; its options hold levels, criteria or bands."""

    class Kind(models.TextChoices):
        LEVELS = scoring.LEVELS, _("เลือกระดับ")
        CHECKLIST = scoring.CHECKLIST, _("นับตามรายการที่ผ่าน")
        FIGURE = scoring.FIGURE, _("ค่าตัวเลขเทียบเกณฑ์")
        ALL_OR_NOTHING = scoring.ALL_OR_NOTHING, _("ผ่านครบทุกรายการจึงได้คะแนน")

    # Denormalized from category → dimension so the database can keep codes unique per
    # round; clean() derives it, and it is never edited on its own.
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="indicators", editable=False)
    category = models.ForeignKey(Category, verbose_name=_("หมวด"), on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("รหัสตัวชี้วัด"), max_length=20)
    title = models.CharField(_("ชื่อตัวชี้วัด"), max_length=500)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    evidence_required = models.TextField(_("เอกสารหลักฐาน"), blank=True)
    applies_to = models.JSONField(_("ประเภท อปท. ที่ใช้"), default=all_organization_types)
    is_pilot = models.BooleanField(_("ตัวชี้วัดนำร่อง (ไม่นับคะแนน)"), default=False)
    allows_not_applicable = models.BooleanField(_("แจ้งไม่มีภารกิจได้"), default=False)
    kind = models.CharField(_("วิธีให้คะแนน"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("หน่วย"), max_length=30, blank=True, help_text=_("สำหรับค่าตัวเลข เช่น ร้อยละ ครั้ง ช่องทาง"))
    all_or_nothing_points = models.DecimalField(
        _("คะแนนเมื่อผ่านครบทุกรายการ"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POINTS_VALIDATORS,
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("จังหวัด (ตัวชี้วัดของจังหวัด)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("ลำดับในหมวด"), default=1)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["category__dimension__number", "category__number", "position", "pk"]
        verbose_name = _("ตัวชี้วัด")
        verbose_name_plural = _("ตัวชี้วัด")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "code"],
                name="indicator_code_unique_in_round",
                violation_error_message=_("รหัสตัวชี้วัดนี้มีอยู่แล้วในรอบการประเมินเดียวกัน"),
            ),
            models.CheckConstraint(condition=~Q(code=""), name="indicator_code_not_blank"),
            models.CheckConstraint(condition=Q(kind__in=scoring.KINDS), name="indicator_kind_valid"),
            models.CheckConstraint(condition=~Q(applies_to=[]), name="indicator_applies_to_some_type"),
            models.CheckConstraint(
                condition=Q(
                    kind=scoring.ALL_OR_NOTHING, all_or_nothing_points__isnull=False, all_or_nothing_points__gte=0
                )
                | (~Q(kind=scoring.ALL_OR_NOTHING) & Q(all_or_nothing_points__isnull=True)),
                name="indicator_all_or_nothing_points",
                violation_error_message=_("คะแนนเมื่อผ่านครบทุกรายการใช้กับวิธีให้คะแนนแบบผ่านครบทุกรายการเท่านั้น และต้องระบุ"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.category_id:
            category_round = self.category.dimension.round_id
            if self.round_id and self.round_id != category_round:
                errors["category"] = _("ย้ายตัวชี้วัดไปยังหมวดของรอบการประเมินอื่นไม่ได้")
            self.round_id = self.round_id or category_round
        types = self.applies_to if isinstance(self.applies_to, list) else []
        unknown = [t for t in types if t not in Organization.Type.values]
        if not types or unknown:
            errors["applies_to"] = _("เลือกประเภท อปท. ที่ใช้ตัวชี้วัดนี้อย่างน้อย 1 ประเภท จาก %(types)s") % {
                "types": ", ".join(Organization.Type.values)
            }
        else:
            # One order for every list, so comparisons and exports are stable.
            self.applies_to = [t for t in Organization.Type.values if t in types]
        if self.province_id and self.category_id and not self.category.open_to_provinces:
            errors["province"] = _("ตัวชี้วัดของจังหวัดต้องอยู่ในหมวดที่เปิดให้จังหวัดเพิ่มตัวชี้วัด")
        if self.kind == self.Kind.ALL_OR_NOTHING and self.all_or_nothing_points is None:
            errors["all_or_nothing_points"] = _("ระบุคะแนนเมื่อผ่านครบทุกรายการ")
        if self.kind != self.Kind.ALL_OR_NOTHING and self.all_or_nothing_points is not None:
            errors["all_or_nothing_points"] = _("ใช้เฉพาะวิธีให้คะแนนแบบผ่านครบทุกรายการ")
        if errors:
            raise ValidationError(errors)

    def check_options(self, options: Iterable["IndicatorOption"]) -> None:
        """Raise ValidationError unless `options` suit this indicator's scoring kind."""
        options = list(options)
        messages = [message for option in options for message in option.problems(self.kind).values()]
        problem = self.options_problem(self.kind, [option.threshold for option in options])
        if problem:
            messages.insert(0, problem)
        if messages:
            raise ValidationError(messages)

    @classmethod
    def options_problem(cls, kind: str, thresholds: list[Decimal | None]) -> str | None:
        """What is wrong with an indicator's set of options as a whole (None if nothing)."""
        if not thresholds:
            return _("ต้องมีเกณฑ์การให้คะแนนอย่างน้อย 1 รายการ")
        if kind == cls.Kind.FIGURE:
            given = [t for t in thresholds if t is not None]
            if len(set(given)) != len(given):
                return _("เกณฑ์ขั้นต่ำของแต่ละช่วงต้องไม่ซ้ำกัน")
        return None

    def get_absolute_url(self) -> str:
        return reverse("assessments:indicator_detail", args=[self.round.year, self.code])

    @property
    def applies_to_display(self) -> str:
        """The organization types as abbreviations (อบจ., ทต., …), or "ทุกประเภท"."""
        if set(self.applies_to) >= set(Organization.Type.values):
            return str(_("ทุกประเภท"))
        return ", ".join(TYPE_ABBREVIATIONS[t] for t in self.applies_to if t in TYPE_ABBREVIATIONS)

    def applies(self, org_type: str, province_id: int | None = None) -> bool:
        return org_type in self.applies_to and (self.province_id is None or self.province_id == province_id)

    def as_spec(self) -> scoring.IndicatorSpec:
        """The indicator for the scoring engine (use prefetch_related("options") for many)."""
        return scoring.IndicatorSpec(
            code=self.code,
            dimension=self.category.dimension.number,
            kind=self.kind,
            applies_to=frozenset(self.applies_to),
            options=tuple(scoring.OptionSpec(o.pk, o.points, o.threshold) for o in self.options.all()),
            all_or_nothing_points=self.all_or_nothing_points or scoring.ZERO,
            is_pilot=self.is_pilot,
            allows_not_applicable=self.allows_not_applicable,
            province=self.province.code if self.province_id else None,
        )

    @property
    def full_points(self) -> Decimal:
        return self.as_spec().full_points


class IndicatorOption(models.Model):
    """A level (LEVELS), a criterion (CHECKLIST, ALL_OR_NOTHING) or a band (FIGURE)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("ลำดับ"), validators=[MinValueValidator(1)])
    label = models.CharField(_("ข้อความ"), max_length=500)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    points = models.DecimalField(
        _("คะแนน"), max_digits=7, decimal_places=2, default=Decimal(0), validators=POINTS_VALIDATORS
    )
    threshold = models.DecimalField(
        _("เกณฑ์ขั้นต่ำ (ค่าตั้งแต่)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("สำหรับค่าตัวเลข: ได้คะแนนของช่วงนี้เมื่อค่ามากกว่าหรือเท่ากับเกณฑ์"),
    )

    class Meta:
        ordering = ["indicator", "position"]
        verbose_name = _("เกณฑ์การให้คะแนน")
        verbose_name_plural = _("เกณฑ์การให้คะแนน")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "position"], name="option_position_unique_in_indicator"),
            models.CheckConstraint(condition=Q(position__gte=1), name="option_position_positive"),
            models.CheckConstraint(condition=Q(points__gte=0), name="option_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label} ({self.points})"

    def problems(self, kind: str) -> dict[str, str]:
        """What is wrong with this option for an indicator of `kind`, by field."""
        problems = {}
        if kind == Indicator.Kind.FIGURE and self.threshold is None:
            problems["threshold"] = _("ช่วงคะแนนของค่าตัวเลขต้องระบุเกณฑ์ขั้นต่ำ")
        if kind != Indicator.Kind.FIGURE and self.threshold is not None:
            problems["threshold"] = _("เกณฑ์ขั้นต่ำใช้เฉพาะวิธีให้คะแนนแบบค่าตัวเลข")
        if kind == Indicator.Kind.ALL_OR_NOTHING and self.points:
            problems["points"] = _("รายการของตัวชี้วัดแบบผ่านครบทุกรายการไม่มีคะแนนรายข้อ (ใส่ 0)")
        return problems


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "AssessmentQuerySet":
        """The assessments inside the user's reach (see accounts.access.get_assessment_for_user).

        An organization's own people see its assessments; provincial roles those of their
        province's organizations; the department all.
        """
        from accounts.access import scope_for

        scope = scope_for(user)
        if scope.national:
            return self
        return self.filter(
            Q(organization_id__in=scope.organization_ids)
            | Q(organization__district__province_id__in=scope.province_ids)
        )

    def running(self) -> "AssessmentQuerySet":
        """Assessments of rounds between opening and closing."""
        return self.exclude(round__phase__in=[Round.Phase.SETUP, Round.Phase.CLOSED])

    def affected_by(self, indicators: Iterable[Indicator]) -> "AssessmentQuerySet":
        """Assessments whose score any of `indicators` takes part in (by type and province)."""
        condition = Q(pk__in=[])
        for indicator in indicators:
            applies = Q(org_type__in=indicator.applies_to)
            if indicator.province_id:
                applies &= Q(organization__district__province_id=indicator.province_id)
            condition |= applies
        return self.filter(condition)


class Assessment(models.Model):
    """One organization's assessment in one round: its answers, evidence and workflow.

    Organization staff answer while it is a draft; the head submits it, which locks it for
    the organization. The province may return it with flagged indicators (only those open
    again); the head then resubmits. Each return adds one to `revision`, and AssessmentEvent
    keeps every round trip. The rules are in assessments/selfassessment.py.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("กำลังประเมินตนเอง")
        SUBMITTED = "submitted", _("ส่งผลการประเมินตนเองแล้ว")
        RETURNED = "returned", _("ส่งกลับให้แก้ไข")
        RESUBMITTED = "resubmitted", _("ส่งผลที่แก้ไขแล้ว")
        # The review issue's statuses: allowed by the database now, no transitions yet.
        IN_REVIEW = "in_review", _("อยู่ระหว่างตรวจประเมิน")
        VERIFIED = "verified", _("ตรวจประเมินแล้ว")
        APPROVED = "approved", _("จังหวัดรับรองผลแล้ว")
        PUBLISHED = "published", _("ประกาศผลแล้ว")
        APPEALED = "appealed", _("อุทธรณ์ผลการประเมิน")

    # The organization changes answers only in these (when returned: the flagged indicators only).
    OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)
    # What the province may send back (the review issue adds its own statuses here).
    RETURNABLE_STATUSES = (Status.SUBMITTED, Status.RESUBMITTED)

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assessments")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    # The type the organization had for this round; its current type may have changed since.
    org_type = models.CharField(_("ประเภท อปท. ในรอบนี้"), max_length=20, choices=Organization.Type.choices)
    status = models.CharField(_("สถานะ"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The latest submission (first or re-); every one of them is also an AssessmentEvent.
    submitted_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ส่ง"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # How many times the province has sent it back.
    revision = models.PositiveSmallIntegerField(_("ครั้งที่ส่งกลับแก้ไข"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["round", "organization"]
        verbose_name = _("การประเมิน")
        verbose_name_plural = _("การประเมิน")
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="assessment_unique_per_round"),
            models.CheckConstraint(condition=Q(org_type__in=Organization.Type.values), name="assessment_org_type_valid"),
            # Later issues add statuses: extend this list with them.
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "returned",
                        "resubmitted",
                        "in_review",
                        "verified",
                        "approved",
                        "published",
                        "appealed",
                    ]
                ),
                name="assessment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="draft") | Q(submitted_at__isnull=True, submitted_by__isnull=True, revision=0),
                name="assessment_draft_never_submitted",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "returned", "resubmitted"])
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="assessment_submission_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["returned", "resubmitted"]) | Q(revision__gte=1),
                name="assessment_return_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.round.year}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_detail", args=[self.pk])

    @property
    def is_open_to_organization(self) -> bool:
        """Whether the status lets the organization change anything (dates aside)."""
        return self.status in self.OPEN_STATUSES

    def deadline(self) -> datetime.date | None:
        """The last day (Asia/Bangkok) the organization may change and submit; None: no closing date.

        The round's closing day, or the latest extension granted to this organization if
        later: the latest grant wins, so a province can correct an extension it gave.
        """
        closes = self.round.self_assessment_closes
        extension = self.extensions.order_by("-granted_at", "-pk").first()
        if extension and (closes is None or extension.until > closes):
            return extension.until
        return closes

    def window_problem(self, today: datetime.date) -> str | None:
        """Why the organization may not change or submit on `today` (a Bangkok date), or None."""
        from lpa.templatetags.thai_dates import thai_date

        if self.round.phase in (Round.Phase.SETUP, Round.Phase.CLOSED):
            return _("รอบการประเมินปี %(year)s ไม่ได้เปิดให้ประเมินตนเอง") % {"year": self.round.year}
        opens = self.round.self_assessment_opens
        if opens and today < opens:
            return _("ยังไม่ถึงวันเปิดการประเมินตนเอง (%(date)s)") % {"date": thai_date(opens, "long")}
        deadline = self.deadline()
        if deadline and today > deadline:
            return _(
                "พ้นกำหนดการประเมินตนเองแล้ว (สิ้นวันที่ %(date)s) "
                "หากจำเป็นต้องแก้ไข ติดต่อสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเพื่อขอขยายเวลา"
            ) % {"date": thai_date(deadline, "long")}
        return None

    def submit(self, *, by: "User", today: datetime.date | None = None) -> "AssessmentEvent":
        """The head sends the self-assessment, or sends it again after a return.

        Refused (SubmissionRefused, in Thai) outside the window or while anything required
        is missing; only a head of this organization may submit (PermissionDenied). Stamps
        time and user, locks the assessment for the organization, resolves the flags of the
        current revision and records the event.
        """
        from assessments import selfassessment

        today = today or selfassessment.bangkok_today()
        if not selfassessment.is_head(by, self.organization_id):
            raise PermissionDenied(_("เฉพาะผู้บริหาร อปท. นี้เท่านั้นที่ส่งผลการประเมินได้"))
        with transaction.atomic():
            # Saves and evidence changes lock the same row, so nothing slips in after the check.
            locked = Assessment.objects.select_for_update(of=("self",)).select_related("round").get(pk=self.pk)
            if not locked.is_open_to_organization:
                raise selfassessment.SubmissionRefused(
                    _("ส่งผลการประเมินไปแล้ว (%(status)s)") % {"status": locked.get_status_display()}
                )
            problem = locked.window_problem(today)
            if problem:
                raise selfassessment.SubmissionRefused(problem)
            missing = selfassessment.missing_items(locked)
            if missing:
                raise selfassessment.SubmissionRefused(
                    _("ยังส่งไม่ได้: มี %(count)s รายการที่ยังไม่ครบ") % {"count": len(missing)}, missing=missing
                )
            resubmission = locked.status == self.Status.RETURNED
            now = timezone.now()
            locked.status = self.Status.RESUBMITTED if resubmission else self.Status.SUBMITTED
            locked.submitted_at, locked.submitted_by = now, by
            locked.save(update_fields=["status", "submitted_at", "submitted_by"])
            if resubmission:
                locked.returned_indicators.filter(revision=locked.revision, resolved_at__isnull=True).update(
                    resolved_at=now
                )
            event = AssessmentEvent.objects.create(
                assessment=locked,
                kind=AssessmentEvent.Kind.RESUBMITTED if resubmission else AssessmentEvent.Kind.SUBMITTED,
                at=now,
                by=by,
                revision=locked.revision,
            )
        self.status, self.submitted_at, self.submitted_by = locked.status, locked.submitted_at, by
        return event


class FrameworkCorrection(models.Model):
    """A recorded change to the framework of a round that is already open (the audit trail)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="corrections")
    # Null for a change to the round itself (pass mark, bands) or once the indicator is removed.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrections"
    )
    indicator_code = models.CharField(_("รหัสตัวชี้วัด"), max_length=20, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้แก้ไข"), on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("แก้ไขเมื่อ"), auto_now_add=True)
    reason = models.TextField(_("เหตุผล"))
    # {"field": {"before": ..., "after": ...}}, values as JSON (decimals as strings).
    changes = models.JSONField(_("สิ่งที่เปลี่ยน"), default=dict)
    affected_assessments = models.PositiveIntegerField(_("จำนวนการประเมินที่ต้องคำนวณใหม่"), default=0)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("การแก้ไขกรอบการประเมิน")
        verbose_name_plural = _("การแก้ไขกรอบการประเมิน")
        constraints = [
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="correction_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.round.year} {self.indicator_code or 'รอบการประเมิน'} ({self.made_at:%Y-%m-%d})"


# Self-assessment (issue 5): answers, evidence, extensions and the history of each assessment.


class Answer(models.Model):
    """The organization's own answer to one indicator; the reviewers' scores are kept apart.

    Only the fields of the indicator's kind are used: a level (LEVELS), ticked criteria
    (CHECKLIST, ALL_OR_NOTHING) or a figure (FIGURE); or "not applicable" with a reason,
    which counts as 0 until a reviewer confirms it (scoring.py). `version` goes up with
    every save, so two people saving the same indicator cannot overwrite each other
    (selfassessment.save_answer). A row may exist with no answer yet: evidence can be
    attached first.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="answers")
    # SET_NULL: a correction that removes a level leaves the indicator unanswered, not broken.
    level = models.ForeignKey(
        IndicatorOption, verbose_name=_("ระดับที่เลือก"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A relation rather than a JSON list of ids: removed criteria drop out by themselves and
    # the loader prefetches them in one query.
    ticked = models.ManyToManyField(
        IndicatorOption, verbose_name=_("รายการที่ผ่าน"), blank=True, related_name="ticked_in_answers"
    )
    figure = models.DecimalField(_("ค่าตัวเลข"), max_digits=18, decimal_places=4, null=True, blank=True)
    not_applicable = models.BooleanField(_("ไม่มีภารกิจ"), default=False)
    na_reason = models.TextField(_("เหตุผลที่ไม่มีภารกิจ"), blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    # When a value (or N/A) was last given: tells "nothing ticked" from "not answered yet".
    answered_at = models.DateTimeField(_("ตอบเมื่อ"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("รุ่นของคำตอบ"), default=0, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้บันทึกล่าสุด"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("บันทึกล่าสุดเมื่อ"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["assessment", "indicator"]
        verbose_name = _("คำตอบการประเมินตนเอง")
        verbose_name_plural = _("คำตอบการประเมินตนเอง")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique_per_indicator"),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(na_reason__regex=r"\S"),
                name="answer_not_applicable_has_reason",
                violation_error_message=_("ระบุเหตุผลที่ไม่มีภารกิจ"),
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(level__isnull=True, figure__isnull=True),
                name="answer_not_applicable_has_no_value",
            ),
            models.CheckConstraint(
                condition=Q(figure__isnull=True) | Q(figure__gte=0), name="answer_figure_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.code}"

    @property
    def is_answered(self) -> bool:
        if self.not_applicable:
            return True
        kind = self.indicator.kind
        if kind == Indicator.Kind.LEVELS:
            return self.level_id is not None
        if kind == Indicator.Kind.FIGURE:
            return self.figure is not None
        return self.answered_at is not None

    def as_scoring_answer(self) -> scoring.Answer:
        """The answer for the scoring engine; a claimed N/A stays unconfirmed (it scores 0)."""
        return scoring.Answer(
            level=self.level_id,
            ticked=frozenset(option.pk for option in self.ticked.all()),
            figure=self.figure,
            not_applicable=self.not_applicable,
            na_confirmed=False,
        )


class EvidenceQuerySet(models.QuerySet):
    def current(self) -> "EvidenceQuerySet":
        """Evidence not removed."""
        return self.filter(deleted_at__isnull=True)


class Evidence(models.Model):
    """A document (file) or a web page (link) given as evidence for one answer.

    Files live in the private evidence storage under a generated name; the uploader's file
    name is kept for display only. Removal is a soft delete, so the history still shows
    what was there (assessments/evidence.py).
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(
        _("ไฟล์"), storage=evidence_storage, upload_to=evidence_path, max_length=200, blank=True
    )
    url = models.URLField(_("ลิงก์"), max_length=2000, blank=True)
    title = models.CharField(_("ชื่อหลักฐาน"), max_length=300, blank=True)
    original_name = models.CharField(_("ชื่อไฟล์เดิม"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # What the content check found, not what the browser claimed.
    content_type = models.CharField(_("ชนิดไฟล์"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้แนบ"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("แนบเมื่อ"), default=timezone.now)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ลบ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("ลบเมื่อ"), null=True, blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["answer", "uploaded_at", "pk"]
        verbose_name = _("หลักฐาน")
        verbose_name_plural = _("หลักฐาน")
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="evidence_file_or_link",
            ),
            models.CheckConstraint(
                condition=Q(file="")
                | Q(size__gt=0, sha256__regex=r"^[0-9a-f]{64}$", original_name__regex=r"\S", content_type__regex=r"\S"),
                name="evidence_file_described",
            ),
            models.CheckConstraint(condition=Q(url="") | Q(url__regex=r"^https?://"), name="evidence_link_http"),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True, deleted_by__isnull=True)
                | Q(deleted_at__isnull=False, deleted_by__isnull=False),
                name="evidence_removal_stamped",
            ),
            models.UniqueConstraint(
                fields=["answer", "sha256"],
                condition=Q(deleted_at__isnull=True) & ~Q(sha256=""),
                name="evidence_file_once_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None

    @property
    def display_name(self) -> str:
        """What people see: the uploader's file name or the link's title (never a storage path)."""
        return self.title or self.original_name or self.url


class Extension(models.Model):
    """More time for one organization, granted by its provincial office."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="extensions")
    until = models.DateField(_("ขยายถึงวันที่"))
    reason = models.TextField(_("เหตุผล"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้อนุมัติ"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("อนุมัติเมื่อ"), default=timezone.now)

    class Meta:
        ordering = ["assessment", "granted_at", "pk"]
        verbose_name = _("การขยายเวลา")
        verbose_name_plural = _("การขยายเวลา")
        constraints = [
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="extension_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} → {self.until}"


class ReturnedIndicator(models.Model):
    """An indicator the province sent back, with its reason: one row per return (revision)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="returned_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="returns")
    revision = models.PositiveSmallIntegerField(_("ส่งกลับครั้งที่"))
    reason = models.TextField(_("เหตุผลที่ส่งกลับ"))
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้ส่งกลับ"), on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField(_("ส่งกลับเมื่อ"), default=timezone.now)
    # Set when the organization resubmits.
    resolved_at = models.DateTimeField(_("ส่งแก้ไขแล้วเมื่อ"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "revision", "indicator"]
        verbose_name = _("ตัวชี้วัดที่ส่งกลับให้แก้ไข")
        verbose_name_plural = _("ตัวชี้วัดที่ส่งกลับให้แก้ไข")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator", "revision"], name="returned_indicator_once_per_revision"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="returned_indicator_revision_positive"),
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="returned_indicator_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.code} (ครั้งที่ {self.revision})"


class AssessmentEvent(models.Model):
    """The history of an assessment: append-only, one row per step that changed its course.

    Answer saves are not events (Answer keeps who and when); submissions, returns,
    extensions and removed evidence are.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("ส่งผลการประเมินตนเอง")
        RETURNED = "returned", _("จังหวัดส่งกลับให้แก้ไข")
        RESUBMITTED = "resubmitted", _("ส่งผลที่แก้ไขแล้ว")
        EXTENSION_GRANTED = "extension_granted", _("ขยายเวลาการประเมินตนเอง")
        EVIDENCE_REMOVED = "evidence_removed", _("ลบหลักฐาน")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("เหตุการณ์"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("เมื่อ"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("โดย"), on_delete=models.PROTECT, related_name="+")
    # The assessment's revision at the time, so each round trip can be told apart.
    revision = models.PositiveSmallIntegerField(_("ครั้งที่ส่งกลับแก้ไข"), default=0)
    # SET_NULL: the data keeps the indicator's code should a correction remove it.
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("ตัวชี้วัด"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("หมายเหตุ"), blank=True)
    data = models.JSONField(_("รายละเอียด"), default=dict, blank=True)

    class Meta:
        ordering = ["assessment", "at", "pk"]
        verbose_name = _("ประวัติการประเมิน")
        verbose_name_plural = _("ประวัติการประเมิน")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["submitted", "returned", "resubmitted", "extension_granted", "evidence_removed"]
                ),
                name="assessment_event_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"
