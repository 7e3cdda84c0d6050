"""A round's framework: dimensions → categories (หมวด) → indicators → options.

Options hold levels, checklist criteria or figure bands. FrameworkCorrection records each
change made to the framework of a round that is already open.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_for
from assessments import scoring
from assessments.models.rounds import Round
from organizations.models import TYPE_ABBREVIATIONS, Organization, Province

if TYPE_CHECKING:
    from accounts.models import User
    from assessments.models.assessment import Assessment

POINTS_VALIDATORS = [MinValueValidator(Decimal(0))]


def all_organization_types() -> list[str]:
    return list(Organization.Type.values)


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
        # The framework numbers a category within its dimension: หมวด 1.1 is dimension 1's first.
        return f"หมวด {self.dimension.number}.{self.number} {self.name}"


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "IndicatorQuerySet":
        """National indicators, and provincial ones of the user's provinces (all for the department).

        Which rounds the user sees is decided by Round.objects.visible_to.
        """
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
        from assessments.models.answers import Answer, Evidence
        from assessments.models.assessment import ReturnedIndicator

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
        from assessments.models.answers import Answer, Evidence

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
