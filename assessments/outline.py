"""A round's framework as people read it: the tree, full marks per organization type, and
the audit trail in words. Read-only; the edit rules are in assessments/framework.py.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.access import scope_for
from accounts.models import User
from assessments.models import Category, FrameworkCorrection, Indicator, Round
from assessments.workbook.layout import KIND_NAMES
from organizations.models import TYPE_ABBREVIATIONS, Organization

ZERO = Decimal(0)
TYPES = tuple(Organization.Type.values)


@dataclass
class CategoryOutline:
    category: Category
    indicators: list[Indicator]


@dataclass
class DimensionOutline:
    dimension: Any  # Dimension
    categories: list[CategoryOutline]
    # Full marks of the counted national indicators, one per organization type (TYPES order).
    full_marks: list[Decimal] = field(default_factory=list)


@dataclass
class FrameworkOutline:
    dimensions: list[DimensionOutline]
    full_marks: list[Decimal]  # the whole framework, per type
    indicator_count: int
    type_labels: tuple[str, ...] = tuple(TYPE_ABBREVIATIONS[t] for t in TYPES)

    @property
    def totals(self) -> list[tuple[str, Decimal]]:
        return list(zip(self.type_labels, self.full_marks))


def framework_outline(assessment_round: Round, *, user: User) -> FrameworkOutline:
    """The round's dimensions → categories → indicators (with options) that `user` may see.

    A fixed number of queries whatever the size of the framework. Each indicator gets
    `full` (its full marks). Per-type totals count national, non-pilot indicators only:
    provincial indicators add to their own province's organizations alone.
    """
    indicators = Indicator.objects.visible_to(user).select_related("province").prefetch_related("options")
    categories = Category.objects.order_by("number").prefetch_related(
        Prefetch("indicators", queryset=indicators.order_by("position", "code"))
    )
    dimensions = assessment_round.dimensions.order_by("number").prefetch_related(Prefetch("categories", queryset=categories))
    outline, totals, count = [], dict.fromkeys(TYPES, ZERO), 0
    for dimension in dimensions:
        dimension_totals = dict.fromkeys(TYPES, ZERO)
        category_rows = []
        for category in dimension.categories.all():
            rows = list(category.indicators.all())
            for indicator in rows:
                indicator.full = indicator.full_points
                count += 1
                if indicator.is_pilot or indicator.province_id:
                    continue
                for org_type in indicator.applies_to:
                    if org_type in dimension_totals:
                        dimension_totals[org_type] += indicator.full
            category_rows.append(CategoryOutline(category, rows))
        for org_type, points in dimension_totals.items():
            totals[org_type] += points
        outline.append(DimensionOutline(dimension, category_rows, [dimension_totals[t] for t in TYPES]))
    return FrameworkOutline(outline, [totals[t] for t in TYPES], count)


def corrections_for(assessment_round: Round, *, user: User) -> QuerySet[FrameworkCorrection]:
    """The round's audit trail that `user` may see: corrections of the round itself and of
    national indicators, and of the user's own provinces' indicators (all for the department)."""
    corrections = assessment_round.corrections.select_related("made_by", "indicator")
    scope = scope_for(user)
    if not scope.national:
        corrections = corrections.filter(
            Q(indicator__isnull=True)
            | Q(indicator__province__isnull=True)
            | Q(indicator__province__in=scope.province_ids)
        )
    return corrections


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


def describe_changes(correction: FrameworkCorrection) -> list[ChangeLine]:
    """The correction's before → after, one line per changed field, in Thai."""
    lines = []
    for name, values in correction.changes.items():
        lines.append(ChangeLine(_label(name), _text(name, values.get("before")), _text(name, values.get("after"))))
    return lines


def _label(name: str) -> str:
    if name == "options":
        return str(_("เกณฑ์การให้คะแนน"))
    if name == "indicator":
        return str(_("ตัวชี้วัด"))
    if name == "bands":
        return str(_("ระดับผลการประเมิน"))
    for model in (Indicator, Round):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def _text(name: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("ใช่") if value else _("ไม่ใช่"))
    if name == "kind":
        return KIND_NAMES.get(value, str(value))
    if name == "applies_to":
        return ", ".join(TYPE_ABBREVIATIONS.get(t, t) for t in value)
    if name == "options":
        return "; ".join(_option_text(option) for option in value) or "–"
    if name == "bands":
        return ", ".join(f"{label} ≥ {minimum}" for label, minimum in value)
    if name == "indicator":
        return f"{value.get('code', '')} {value.get('title', '')}".strip()
    return str(value)


def _option_text(option: dict) -> str:
    text = f"{option.get('label', '')} = {option.get('points')}"
    if option.get("threshold") is not None:
        text += " " + _("(ตั้งแต่ %(threshold)s)") % {"threshold": option["threshold"]}
    return text
