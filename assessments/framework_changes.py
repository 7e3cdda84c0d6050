"""What changed in the framework between two years: indicators added, removed, moved, renamed,
and how their scoring rules changed; full marks per organization type before and after.

DLA rewrites the indicator set every year, so a fall in a dimension's results may come from
the rules rather than from the organizations. `compare(before, after)` reads both frameworks
(a fixed number of queries) and `diff_frameworks` compares them without the database.

How an indicator of one year is found in the other:
1. By its code: a new year starts as a copy (assessments.framework.copy_round), which keeps
   every code, and answers, reports and the workbook name indicators by code.
2. Of those left over on both sides, an indicator whose title (spaces collapsed) is found
   exactly once among the removed and once among the added, in the same dimension, is the same
   indicator given a new code ("recoded"), not one removed and another added.
Anything else left over is removed (before only) or added (after only).

An indicator is *moved* when its category (dimension.category numbers) differs, *renamed* when
its title differs. Its *rules* changed when anything that decides points or full marks did:
the scoring kind, levels/criteria points or thresholds, the all-or-nothing points,
applicability by type, the pilot flag, the not-applicable option, the province, or the
dimension it counts in. A change of wording only (labels, description, evidence) is listed but
is not a change of rules.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assessments.models import Indicator, IndicatorOption, Round
from assessments.workbook.layout import KIND_NAMES
from organizations.models import TYPE_ABBREVIATIONS, Organization

ZERO = Decimal(0)
TYPES = tuple(Organization.Type.values)

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# What each compared field is called on the page and in the export.
FIELD_LABELS = {
    "code": gettext_lazy("รหัสตัวชี้วัด"),
    "title": gettext_lazy("ชื่อตัวชี้วัด"),
    "category": gettext_lazy("หมวด"),
    "kind": gettext_lazy("วิธีให้คะแนน"),
    "options": gettext_lazy("ระดับ/เกณฑ์การให้คะแนน"),
    "all_or_nothing_points": gettext_lazy("คะแนนเมื่อผ่านครบทุกรายการ"),
    "full_points": gettext_lazy("คะแนนเต็ม"),
    "applies_to": gettext_lazy("ประเภท อปท. ที่ใช้"),
    "is_pilot": gettext_lazy("ตัวชี้วัดนำร่อง (ไม่นับคะแนน)"),
    "allows_not_applicable": gettext_lazy("แจ้งไม่มีภารกิจได้"),
    "province": gettext_lazy("จังหวัด (ตัวชี้วัดของจังหวัด)"),
    "description": gettext_lazy("คำอธิบาย"),
    "evidence_required": gettext_lazy("เอกสารหลักฐาน"),
}


@dataclass(frozen=True)
class OptionState:
    label: str
    points: Decimal
    threshold: Decimal | None = None

    def __str__(self) -> str:
        text = f"{self.label} = {_points(self.points)}"
        if self.threshold is not None:
            text += " " + _("(ตั้งแต่ %(threshold)s)") % {"threshold": _points(self.threshold)}
        return text


@dataclass(frozen=True)
class IndicatorState:
    """One indicator of one year, as the comparison reads it (no database)."""

    code: str
    title: str
    dimension: int
    category: int
    kind: str
    applies_to: tuple[str, ...]
    options: tuple[OptionState, ...] = ()
    all_or_nothing_points: Decimal | None = None
    is_pilot: bool = False
    allows_not_applicable: bool = False
    province: str | None = None  # a provincial indicator's province code
    description: str = ""
    evidence_required: str = ""
    category_name: str = ""

    @property
    def full_points(self) -> Decimal:
        if self.kind == Indicator.Kind.ALL_OR_NOTHING:
            return self.all_or_nothing_points or ZERO
        points = [option.points for option in self.options]
        if self.kind == Indicator.Kind.CHECKLIST:
            return sum(points, ZERO)
        return max(points, default=ZERO)

    @property
    def place(self) -> str:
        return f"{self.dimension}.{self.category}"

    @property
    def types_display(self) -> str:
        return _types(self.applies_to)

    @property
    def counts_nationally(self) -> bool:
        return not self.is_pilot and self.province is None


@dataclass(frozen=True)
class FieldChange:
    key: str  # "title", "category", "options", "full_points", "applies_to", "is_pilot", …
    label: str
    before: str
    after: str
    rules: bool  # changes points or full marks (not wording only)


@dataclass
class IndicatorChange:
    """An indicator that is in both years and differs, or is in one year only."""

    status: str  # ADDED, REMOVED or CHANGED
    before: IndicatorState | None
    after: IndicatorState | None
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def code(self) -> str:
        return (self.after or self.before).code

    @property
    def title(self) -> str:
        return (self.after or self.before).title

    @property
    def recoded(self) -> bool:
        return self.status == CHANGED and self.before.code != self.after.code

    @property
    def moved(self) -> bool:
        return self.status == CHANGED and self.before.place != self.after.place

    @property
    def renamed(self) -> bool:
        return self.status == CHANGED and self.before.title != self.after.title

    @property
    def rules_changed(self) -> bool:
        """Points or full marks may differ for the same work: always for added and removed."""
        if self.status != CHANGED:
            return True
        return any(change.rules for change in self.fields)

    @property
    def dimensions(self) -> set[int]:
        """The dimensions whose results this change may move."""
        return {state.dimension for state in (self.before, self.after) if state is not None}


@dataclass(frozen=True)
class TotalsRow:
    """Full marks of one dimension (or, with number 0, the whole framework) per type, both years."""

    number: int
    name: str
    before: tuple[Decimal, ...]  # one per type, TYPES order
    after: tuple[Decimal, ...]

    @property
    def cells(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(before, after, difference) per type, for the table."""
        return [(b, a, a - b) for b, a in zip(self.before, self.after, strict=True)]

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class FrameworkChanges:
    before_year: int
    after_year: int
    changes: list[IndicatorChange]  # in the after year's framework order, removed ones last
    unchanged: int  # indicators in both years with nothing changed
    totals: list[TotalsRow]  # a row per dimension of either year, then the whole (number 0)
    type_labels: tuple[str, ...] = tuple(TYPE_ABBREVIATIONS[t] for t in TYPES)

    @property
    def added(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.status == ADDED]

    @property
    def removed(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.status == REMOVED]

    @property
    def changed(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.status == CHANGED]

    @property
    def moved(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.moved]

    @property
    def renamed(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.renamed]

    @property
    def recoded(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.recoded]

    @property
    def rules_changed(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.status == CHANGED and c.rules_changed]

    @property
    def is_empty(self) -> bool:
        return not self.changes and not any(row.changed for row in self.totals)

    def changed_dimensions(self) -> set[int]:
        """Dimensions whose results may move because the rules did (year-over-year marks).

        Pilots added or removed and provincial indicators are left out: they never change a
        national dimension's points or full marks.
        """
        numbers = set()
        for change in self.changes:
            if change.status == CHANGED:
                if change.rules_changed:
                    numbers |= change.dimensions
            elif (change.after or change.before).counts_nationally:
                numbers |= change.dimensions
        numbers |= {row.number for row in self.totals if row.number and row.changed}
        return numbers


def diff_frameworks(
    before: Sequence[IndicatorState],
    after: Sequence[IndicatorState],
    *,
    before_year: int = 0,
    after_year: int = 0,
    dimension_names: dict[int, str] | None = None,
) -> FrameworkChanges:
    """Compare two frameworks given as indicator states in framework order (see module doc)."""
    old = {state.code: state for state in before}
    new = {state.code: state for state in after}
    pairs = {code: old[code] for code in new if code in old}  # after code → before state
    gone = [state for state in before if state.code not in new]
    came = [state for state in after if state.code not in old]
    for state, was in _recoded(gone, came):
        pairs[state.code] = was
    paired_before = {was.code for was in pairs.values()}

    changes, unchanged = [], 0
    for state in after:
        was = pairs.get(state.code)
        if was is None:
            changes.append(IndicatorChange(ADDED, None, state))
            continue
        fields = _field_changes(was, state)
        if fields:
            changes.append(IndicatorChange(CHANGED, was, state, fields))
        else:
            unchanged += 1
    changes += [IndicatorChange(REMOVED, state, None) for state in before if state.code not in paired_before]
    return FrameworkChanges(
        before_year=before_year,
        after_year=after_year,
        changes=changes,
        unchanged=unchanged,
        totals=_totals(before, after, dimension_names or {}),
    )


def compare(before: Round, after: Round, *, user: User | None = None) -> FrameworkChanges:
    """Compare the frameworks of two rounds (six queries, rows read as values: a national
    framework of hundreds of indicators is compared in well under a second). With `user`,
    provincial indicators outside the user's provinces are left out of both
    (Indicator.objects.visible_to)."""
    names: dict[int, str] = {}
    sides = []
    for assessment_round in (before, after):
        sides.append(_states(assessment_round, user))
        # The after year's names win: the page speaks of the framework as it is now.
        names.update(assessment_round.dimensions.values_list("number", "name"))
    return diff_frameworks(sides[0], sides[1], before_year=before.year, after_year=after.year, dimension_names=names)


# How long the year-over-year marks are kept; the key changes with either framework anyway.
RULES_CHANGED_SECONDS = 24 * 60 * 60


def rules_changed_dimensions(before: Round, after: Round) -> set[int]:
    """compare(before, after).changed_dimensions(), kept in the cache under both rounds'
    framework versions (Round.framework_version: every framework edit draws a new one), so
    the dashboards that mark their year-over-year figures compare the frameworks once, not
    on every view."""
    key = f"lpa-rules-changed:{before.pk}:{before.framework_version}:{after.pk}:{after.framework_version}"
    numbers = cache.get(key)
    if numbers is None:
        numbers = compare(before, after).changed_dimensions()
        cache.set(key, numbers, RULES_CHANGED_SECONDS)
    return set(numbers)


def previous_round(assessment_round: Round, *, user: User | None = None) -> Round | None:
    """The latest round before `assessment_round` that `user` may see (any, without a user)."""
    rounds = Round.objects.visible_to(user) if user is not None else Round.objects.all()
    return rounds.filter(year__lt=assessment_round.year).order_by("-year").first()


def _states(assessment_round: Round, user: User | None) -> list[IndicatorState]:
    """The round's indicators as states, in framework order (two queries)."""
    indicators = Indicator.objects.filter(round=assessment_round)
    if user is not None:
        indicators = indicators.visible_to(user)
    options: dict[int, list[OptionState]] = {}
    rows = (
        IndicatorOption.objects.filter(indicator__in=indicators.values("pk"))
        .order_by("indicator_id", "position")
        .values_list("indicator_id", "label", "points", "threshold")
    )
    for indicator_id, label, points, threshold in rows:
        options.setdefault(indicator_id, []).append(OptionState(label, points, threshold))
    rows = indicators.order_by("category__dimension__number", "category__number", "position", "code").values_list(
        "pk",
        "code",
        "title",
        "category__dimension__number",
        "category__number",
        "category__name",
        "kind",
        "applies_to",
        "all_or_nothing_points",
        "is_pilot",
        "allows_not_applicable",
        "province__code",
        "description",
        "evidence_required",
    )
    return [
        IndicatorState(
            code=code,
            title=title,
            dimension=dimension,
            category=category,
            category_name=category_name,
            kind=kind,
            applies_to=tuple(t for t in TYPES if t in (applies_to or ())),
            options=tuple(options.get(pk, ())),
            all_or_nothing_points=all_or_nothing_points,
            is_pilot=is_pilot,
            allows_not_applicable=allows_not_applicable,
            province=province,
            description=description,
            evidence_required=evidence_required,
        )
        for (
            pk,
            code,
            title,
            dimension,
            category,
            category_name,
            kind,
            applies_to,
            all_or_nothing_points,
            is_pilot,
            allows_not_applicable,
            province,
            description,
            evidence_required,
        ) in rows
    ]


def _normal(title: str) -> str:
    return " ".join(title.split())


def _recoded(gone: list[IndicatorState], came: list[IndicatorState]) -> list[tuple[IndicatorState, IndicatorState]]:
    """(after, before) pairs of indicators that only changed code: a title unique on both sides."""
    gone_titles = Counter((s.dimension, _normal(s.title)) for s in gone)
    came_titles = Counter((s.dimension, _normal(s.title)) for s in came)
    by_title = {(s.dimension, _normal(s.title)): s for s in gone}
    pairs = []
    for state in came:
        key = (state.dimension, _normal(state.title))
        if gone_titles[key] == 1 and came_titles[key] == 1:
            pairs.append((state, by_title[key]))
    return pairs


def _points(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


def _types(types: tuple[str, ...]) -> str:
    if set(types) >= set(TYPES):
        return str(_("ทุกประเภท"))
    return ", ".join(TYPE_ABBREVIATIONS[t] for t in types if t in TYPE_ABBREVIATIONS) or "–"


def _yes_no(value: bool) -> str:
    return str(_("ใช่") if value else _("ไม่ใช่"))


def _field_changes(before: IndicatorState, after: IndicatorState) -> list[FieldChange]:
    """What differs, field by field. Values are compared first and put in words only when they
    differ: most indicators of two years are equal, and the words are most of the cost."""
    changes = []

    def add(key: str, old: object, new: object, *, rules: bool, text: Callable[[object], str] = str) -> None:
        if old != new:
            changes.append(FieldChange(key, str(FIELD_LABELS[key]), text(old), text(new), rules))

    def place(state: IndicatorState) -> str:
        return f"{state.place} {state.category_name}".strip()

    add("code", before.code, after.code, rules=False)
    add("title", _normal(before.title), _normal(after.title), rules=False)
    if before.place != after.place:
        # Another category of the same dimension moves no points; another dimension does.
        add("category", place(before), place(after), rules=before.dimension != after.dimension)
    add("kind", before.kind, after.kind, rules=True, text=lambda kind: KIND_NAMES.get(kind, kind))
    if before.options != after.options:
        scored = [[(o.points, o.threshold) for o in state.options] for state in (before, after)]
        add(
            "options",
            before.options,
            after.options,
            rules=scored[0] != scored[1],
            text=lambda options: "; ".join(str(o) for o in options) or "–",
        )
    add(
        "all_or_nothing_points",
        before.all_or_nothing_points,
        after.all_or_nothing_points,
        rules=True,
        text=_points,
    )
    add("full_points", before.full_points, after.full_points, rules=True, text=_points)
    add("applies_to", before.applies_to, after.applies_to, rules=True, text=_types)
    add("is_pilot", before.is_pilot, after.is_pilot, rules=True, text=_yes_no)
    add(
        "allows_not_applicable",
        before.allows_not_applicable,
        after.allows_not_applicable,
        rules=True,
        text=_yes_no,
    )
    add("province", before.province, after.province, rules=True, text=lambda p: p or "–")
    add("description", before.description.strip(), after.description.strip(), rules=False)
    add("evidence_required", before.evidence_required.strip(), after.evidence_required.strip(), rules=False)
    return changes


def _full_marks(states: Iterable[IndicatorState]) -> dict[int, dict[str, Decimal]]:
    """Full marks per dimension per type: national, non-pilot indicators (as the round's page)."""
    totals: dict[int, dict[str, Decimal]] = {}
    for state in states:
        row = totals.setdefault(state.dimension, dict.fromkeys(TYPES, ZERO))
        if not state.counts_nationally:
            continue
        full = state.full_points
        for org_type in state.applies_to:
            row[org_type] += full
    return totals


def _totals(
    before: Sequence[IndicatorState], after: Sequence[IndicatorState], names: dict[int, str]
) -> list[TotalsRow]:
    old, new = _full_marks(before), _full_marks(after)
    empty = dict.fromkeys(TYPES, ZERO)
    rows = []
    for number in sorted(set(old) | set(new) | set(names)):
        b, a = old.get(number, empty), new.get(number, empty)
        rows.append(TotalsRow(number, names.get(number, ""), tuple(b[t] for t in TYPES), tuple(a[t] for t in TYPES)))
    rows.append(
        TotalsRow(
            0,
            str(_("รวม")),
            tuple(sum((row.before[i] for row in rows), ZERO) for i in range(len(TYPES))),
            tuple(sum((row.after[i] for row in rows), ZERO) for i in range(len(TYPES))),
        )
    )
    return rows
