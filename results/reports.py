"""The provincial report and the national summary of a year as A4 PDFs.

Pure builders: the views, a background job or a management command call
render_province_report_pdf / render_national_report_pdf and only wrap the bytes. The PDF is
core.pdf's (Sarabun embedded, Thai broken between words); every chart is results/charts.py's
inline SVG with a table of the same numbers after it.

The figures are the dashboards' (results/dashboard.py: build_dashboard, province_organizations)
so a report says what the page says: results count only assessments reviewed to the end
(RESULT_STATUSES), on their verified scores. The provincial report adds each organization's
stored results (results.Result), read in one query, so a context takes a fixed number of
queries whatever the number of organizations.

Organizations whose review has not finished are not left out: the table of all organizations
lists them with their status, and each dimension's table says how many are still to come.
Orders: the table of all organizations by district (DOPA code: อำเภอเมือง first, as official
lists go) then organization code; a dimension's table by its verified percentage, highest
first (ties by code). Both are the same on SQLite and PostgreSQL (no Thai collation needed).

Cost: WeasyPrint lays out about a millisecond per table cell, so the long tables use a fixed
layout and few cells: the type before the name (อบต.หนองบัว), points and full marks in one
cell, and in a dimension's table the overall band alone (it says pass or fail). WeasyPrint
also keeps a whole document's layout in memory (the largest province's report, 334
organizations, took 305 MB at once), so the provincial report is printed in parts of at most
ROWS_PER_PART table rows, each a document of its own, and joined (core.pdf.join_pdfs, which
also numbers the pages of the whole): its memory does not grow with the province.
"""

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import scoring
from assessments.models import Assessment, Round
from core.pdf import PDF_FONT_FACES, join_pdfs, render_pdf
from organizations.models import TYPE_ABBREVIATIONS, Organization, Province
from results import charts
from results.charts import Figure
from results.dashboard import (
    DISTRIBUTION_EDGES,
    RESULT_STATUSES,
    Dashboard,
    DimensionRow,
    Filters,
    Progress,
    ProvinceRow,
    Summary,
    build_dashboard,
    distribution_labels,
    filtered_assessments,
    province_organizations,
)
from results.models import OVERALL, Result

PROVINCE_TEMPLATE = "results/pdf/province_report.html"
FOOTERS_TEMPLATE = "results/pdf/page_footers.html"
# Table rows of the provincial report a part holds at most (see the module's docstring): about
# three pages. A table cut between parts leaves its last page before the cut part-filled.
ROWS_PER_PART = 150
NATIONAL_TEMPLATE = "results/pdf/national_report.html"
# The distribution of scores: the dashboards' ranges (below 50, 50–59.99, …, 90–100).
BINS = len(DISTRIBUTION_EDGES) + 1
# The province charts of the national summary are cut in halves that fit an A4 page each.
PROVINCES_PER_CHART = 38
# What a builder reports to `progress`: data gathered, HTML rendered, PDF made.
STEPS = 3

ProgressCallback = Callable[[int, int], None]
STATUS_LABELS = dict(Assessment.Status.choices)


@dataclass
class Cell:
    """One stored result of an organization (a dimension, or overall), verified figures."""

    points: Decimal
    full_marks: Decimal
    percent: Decimal | None
    self_percent: Decimal | None
    band: str = ""  # the overall row only
    passed: bool | None = None  # the overall row only


@dataclass
class OrganizationRow:
    code: str
    name: str  # with its type of the round before it, as lists write it: อบต.หนองบัว
    district: str
    status_label: str
    reviewed: bool  # reviewed to the end: its verified results count
    overall: Cell | None = None
    band: str = ""
    passed: bool | None = None
    dimensions: list[Cell | None] = field(default_factory=list)  # in the order of the report's dimensions


@dataclass
class RankedRow:
    """An organization's line in a dimension's table."""

    organization: OrganizationRow
    cell: Cell | None


@dataclass
class BinRow:
    label: str
    count: int
    share: Decimal | None  # % of the organizations with a result


@dataclass
class DimensionSection:
    number: int
    name: str
    results: Summary  # the dashboard's: count, means, gap
    distribution: list[BinRow]
    chart: Figure
    ranked: list[RankedRow]  # with a result, highest first
    without: list[OrganizationRow]  # reviewed, but without a result in this dimension
    lowest: Decimal | None
    highest: Decimal | None


@dataclass
class DimensionRows:
    """A run of one dimension's table in a part of the provincial report."""

    section: DimensionSection
    ranked: list[RankedRow]
    without: list[OrganizationRow]
    start: int  # rows of `section.ranked` in earlier parts: the numbering goes on
    opens: bool  # the chapter starts here: heading, figures, chart, the table's caption
    closes: bool  # the table ends here: the note on organizations still under review


@dataclass
class OrganizationRows:
    """A run of the table of every organization in a part of the provincial report."""

    rows: list[OrganizationRow]
    start: int
    opens: bool


@dataclass
class ReportPart:
    """What one document of the provincial report prints (the whole report when not in parts)."""

    front: bool = False
    dimensions: list[DimensionRows] = field(default_factory=list)
    organizations: OrganizationRows | None = None


@dataclass
class ProvinceLine:
    """A province of the national summary: the dashboard's row and the share reviewed."""

    province: Province
    progress: Progress
    results: Summary
    reviewed_share: Decimal | None  # % of its assessments reviewed to the end


@dataclass
class RangeRow:
    """A range of scores and how many organizations fall in it: overall, then each dimension."""

    label: str
    counts: list[int]


def bin_of(percent: Decimal) -> int:
    """The range a percentage falls in, judged on the exact value as bands are (89.995 → 80–89.99),
    as the dashboards count it in the database (results.dashboard._distribution)."""
    return bisect_right(DISTRIBUTION_EDGES, percent)


def distribution(percentages: Sequence[Decimal]) -> list[BinRow]:
    counts = [0] * BINS
    for percent in percentages:
        counts[bin_of(percent)] += 1
    return _bin_rows(counts)


def _bin_rows(counts: list[int]) -> list[BinRow]:
    total = sum(counts)
    return [
        BinRow(label, n, Decimal(n) * 100 / total if total else None)
        for label, n in zip(distribution_labels(), counts)
    ]


def _histogram(rows: list[BinRow], title: str, bands: charts.Banding) -> Figure:
    """The organizations by range of %, each range in its band's colour, the pass mark drawn."""
    svg = charts.histogram(
        [charts.Bar(row.label, row.count) for row in rows],
        title=title,
        edges=DISTRIBUTION_EDGES,
        bands=bands,
        mark=bands.pass_mark,
        mark_label=bands.mark_label,
    )
    return Figure(title, svg)


def _banding(board: Dashboard) -> charts.Banding:
    return charts.Banding.of(board.round.pass_mark, board.band_specs)


def _render(template: str, context: Callable[[], dict[str, Any]], progress: ProgressCallback | None) -> bytes:
    """Gather the figures, write the HTML, print it: telling `progress` after each step."""

    def step(done: int) -> None:
        if progress is not None:
            progress(done, STEPS)

    values = context()
    step(1)
    html = render_to_string(template, values)
    step(2)
    pdf = render_pdf(html)
    step(3)
    return pdf


# The provincial report.


def province_report_context(assessment_round: Round, province: Province) -> dict[str, Any]:
    """Everything the provincial report prints, in a fixed number of queries."""
    filters = Filters(province=province)
    board = build_dashboard(assessment_round, filters)
    numbers = [row.number for row in board.dimensions]
    stored = _stored_results(assessment_round, filters)
    organizations = [
        _organization_row(assessment, stored.get(assessment.pk, {}), numbers)
        for assessment in province_organizations(assessment_round, filters).order_by(
            "organization__district__code", "organization__code"
        )
    ]
    bands = _banding(board)
    sections = [
        _dimension_section(index, row, organizations, province=province, bands=bands)
        for index, row in enumerate(board.dimensions)
    ]
    overall_distribution = distribution(
        [row.overall.percent for row in organizations if row.reviewed and row.overall.percent is not None]
    )
    return {
        **_common(assessment_round, board),
        "province": province,
        "organizations": organizations,
        "not_reviewed": [row for row in organizations if not row.reviewed],
        "dimensions": sections,
        # The whole report in one document; render_province_report_pdf prints it in parts.
        "part": province_report_parts(sections, organizations, rows_per_part=None)[0],
        "overall_distribution": overall_distribution,
        "charts": {
            **_summary_charts(board),
            "overall_distribution": _histogram(
                overall_distribution, _("จำนวน อปท. ตามช่วงร้อยละของผลการตรวจประเมิน (ภาพรวม)"), bands
            ),
        },
    }


def render_province_report_pdf(
    assessment_round: Round,
    province: Province,
    *,
    progress: ProgressCallback | None = None,
    rows_per_part: int = ROWS_PER_PART,
) -> bytes:
    """The provincial report, printed in parts of at most `rows_per_part` table rows."""
    context = province_report_context(assessment_round, province)
    if progress is not None:
        progress(1, STEPS)
    return province_report_pdf(context, progress=progress, rows_per_part=rows_per_part)


def province_report_pdf(
    context: dict[str, Any], *, progress: ProgressCallback | None = None, rows_per_part: int | None = ROWS_PER_PART
) -> bytes:
    """The PDF of a provincial report's `context` (province_report_context), in parts."""
    parts = province_report_parts(context["dimensions"], context["organizations"], rows_per_part=rows_per_part)
    html = [render_to_string(PROVINCE_TEMPLATE, {**context, "part": part, "footers_apart": True}) for part in parts]
    if progress is not None:
        progress(2, STEPS)
    footer = _("รายงานผลการประเมิน จังหวัด%(name)s ปี %(year)s") % {
        "name": context["province"].name_th,
        "year": context["round"].year,
    }
    pdf = join_pdfs(
        # One part laid out at a time: each is printed and its layout let go before the next.
        (render_pdf(page) for page in html),
        overlay=lambda landscape: render_pdf(
            render_to_string(FOOTERS_TEMPLATE, {"footer": footer, "landscape": landscape, "font_faces": PDF_FONT_FACES})
        ),
    )
    if progress is not None:
        progress(3, STEPS)
    return pdf


def province_report_parts(
    sections: list[DimensionSection], organizations: list[OrganizationRow], *, rows_per_part: int | None
) -> list[ReportPart]:
    """The report cut into parts of at most `rows_per_part` table rows (None: one part).

    The front matter opens the first part; the dimensions' tables and the table of every
    organization follow in order, a table going on in the next part where one is full.
    """
    limit = rows_per_part or max(1, sum(len(s.ranked) + len(s.without) for s in sections) + len(organizations))
    parts = [ReportPart(front=True)]
    room = limit

    def take(count: int) -> int:
        """Rows the current part still has room for (a new part when it has none)."""
        nonlocal room
        if room == 0:
            parts.append(ReportPart())
            room = limit
        taken = min(count, room)
        room -= taken
        return taken

    for section in sections:
        rows = [*section.ranked, *section.without]
        done = 0
        while True:
            taken = take(len(rows) - done) if rows else 0
            ranked = section.ranked[done : done + taken]
            without_from = max(0, done - len(section.ranked))
            without = section.without[without_from : without_from + taken - len(ranked)]
            parts[-1].dimensions.append(
                DimensionRows(
                    section, ranked, without, start=min(done, len(section.ranked)),
                    opens=done == 0, closes=done + taken == len(rows),
                )
            )
            done += taken
            if done >= len(rows):
                break
    done = 0
    while True:
        taken = take(len(organizations) - done) if organizations else 0
        parts[-1].organizations = OrganizationRows(organizations[done : done + taken], start=done, opens=done == 0)
        done += taken
        if done >= len(organizations):
            break
    return parts


def _stored_results(assessment_round: Round, filters: Filters) -> dict[int, dict[int, Cell]]:
    """assessment pk → dimension (0 = overall) → its stored verified figures: one query."""
    found: dict[int, dict[int, Cell]] = {}
    rows = (
        Result.objects.filter(assessment__in=filtered_assessments(assessment_round, filters))
        .order_by()
        .values_list(
            "assessment_id",
            "dimension",
            "verified_points",
            "verified_full_marks",
            "verified_percent",
            "self_percent",
            "verified_band",
            "verified_passed",
        )
    )
    for assessment, dimension, *figures in rows:
        found.setdefault(assessment, {})[dimension] = Cell(*figures)
    return found


def _organization_row(assessment: Assessment, cells: dict[int, Cell], numbers: list[int]) -> OrganizationRow:
    organization = assessment.organization
    overall = cells.get(OVERALL)
    # The dashboard's rule: reviewed to the end, and a verified overall percentage to count.
    reviewed = assessment.status in RESULT_STATUSES and overall is not None and overall.percent is not None
    # The type of the round (an อบต. upgraded since stays an อบต. here); Pattaya's name says it.
    prefix = "" if assessment.org_type == Organization.Type.PATTAYA else TYPE_ABBREVIATIONS[assessment.org_type]
    return OrganizationRow(
        code=organization.code,
        name=f"{prefix}{organization.name}",
        district=organization.district.name_th,
        status_label=STATUS_LABELS.get(assessment.status, assessment.status),
        reviewed=reviewed,
        overall=overall if reviewed else None,
        band=overall.band if reviewed else "",
        passed=overall.passed if reviewed else None,
        dimensions=[cells.get(number) if reviewed else None for number in numbers],
    )


def _dimension_section(
    index: int, row: DimensionRow, organizations: list[OrganizationRow], *, province: Province, bands: charts.Banding
) -> DimensionSection:
    """Dimension `row` (the index-th of the report): its figures, distribution and ranking."""
    scored = [
        RankedRow(organization, cell)
        for organization in organizations
        if (cell := organization.dimensions[index]) is not None and cell.percent is not None
    ]
    scored.sort(key=lambda entry: (-entry.cell.percent, entry.organization.code))
    counted = {id(entry.organization) for entry in scored}
    percentages = [entry.cell.percent for entry in scored]
    bins = distribution(percentages)
    return DimensionSection(
        number=row.number,
        name=row.name,
        results=row.results,
        distribution=bins,
        chart=_histogram(
            bins,
            _("จำนวน อปท. ตามช่วงร้อยละของผลการตรวจประเมิน ด้านที่ %(number)s จังหวัด%(province)s")
            % {"number": row.number, "province": province.name_th},
            bands,
        ),
        ranked=scored,
        without=[row for row in organizations if row.reviewed and id(row) not in counted],
        lowest=min(percentages, default=None),
        highest=max(percentages, default=None),
    )


# The national summary.


def national_report_context(assessment_round: Round) -> dict[str, Any]:
    """Everything the national summary prints, in a fixed number of queries."""
    provinces = list(Province.objects.order_by("code"))
    board = build_dashboard(assessment_round, Filters(), provinces=provinces, distribution=True)
    overall, *by_dimension = [_bin_rows(row.counts) for row in board.distribution]
    labels = distribution_labels()
    with_results = board.provinces_with_results
    bands = _banding(board)
    by_mean = sorted(with_results, key=lambda row: (-row.results.mean_verified, row.province.code))
    by_pass_rate = sorted(with_results, key=lambda row: (-row.results.pass_rate, row.province.code))
    return {
        **_common(assessment_round, board),
        "provinces": [
            ProvinceLine(row.province, row.progress, row.results, _share(row.results.count, row.progress.total))
            for row in board.provinces
        ],
        "reviewed_share": _share(board.overall.count, board.progress.total),
        "provinces_with_results": with_results,
        "distribution": [
            RangeRow(label, [overall[i].count] + [rows[i].count for rows in by_dimension])
            for i, label in enumerate(labels)
        ],
        "distribution_totals": [row.total for row in board.distribution],
        "charts": {
            **_summary_charts(board),
            "overall_distribution": _histogram(
                overall, _("จำนวน อปท. ตามช่วงร้อยละของผลการตรวจประเมิน (ภาพรวม)"), bands
            ),
            "dimension_distributions": [
                _histogram(
                    rows,
                    _("จำนวน อปท. ตามช่วงร้อยละของผลการตรวจประเมิน ด้านที่ %(number)s %(name)s")
                    % {"number": row.number, "name": row.name},
                    bands,
                )
                for row, rows in zip(board.dimensions, by_dimension)
            ],
            "province_means": [
                _bars(
                    [
                        charts.Bar(
                            f"{start + rank}. {row.province.name_th}",
                            row.results.mean_verified,
                            charts.passed_note(row.results.passed, row.results.count),
                        )
                        for rank, row in enumerate(part, start=1)
                    ],
                    _("ร้อยละเฉลี่ยของผลการตรวจประเมิน รายจังหวัด เรียงจากมากไปน้อย (อันดับ %(first)s–%(last)s)")
                    % {"first": start + 1, "last": start + len(part)},
                    bands=bands,
                )
                for start, part in _halves(by_mean)
            ],
            # A rate, not a score: one colour, no bands and no pass mark.
            "province_pass_rates": [
                _bars(
                    [
                        charts.Bar(f"{start + rank}. {row.province.name_th}", row.results.pass_rate)
                        for rank, row in enumerate(part, start=1)
                    ],
                    _("อัตราการผ่านเกณฑ์ รายจังหวัด เรียงจากมากไปน้อย (อันดับ %(first)s–%(last)s)")
                    % {"first": start + 1, "last": start + len(part)},
                )
                for start, part in _halves(by_pass_rate)
            ],
            "province_gaps": _pairs(
                [
                    charts.Pair(row.province.name_th, row.results.mean_self, row.results.mean_verified)
                    for row in board.province_gaps
                ],
                _("จังหวัดที่ผลประเมินตนเองกับผลการตรวจต่างกันมากที่สุด"),
                bands,
            ),
        },
    }


def render_national_report_pdf(assessment_round: Round, *, progress: ProgressCallback | None = None) -> bytes:
    return _render(NATIONAL_TEMPLATE, lambda: national_report_context(assessment_round), progress)


def _share(part: int, whole: int) -> Decimal | None:
    return scoring.share_percent(part, whole)


def _halves(rows: list[ProvinceRow]) -> list[tuple[int, list[ProvinceRow]]]:
    return [(start, rows[start : start + PROVINCES_PER_CHART]) for start in range(0, len(rows), PROVINCES_PER_CHART)]


# Shared by both reports.


def _common(assessment_round: Round, board: Dashboard) -> dict[str, Any]:
    return {
        "round": assessment_round,
        "dashboard": board,
        "printed_at": timezone.now(),
        "pass_mark": assessment_round.pass_mark,
        "font_faces": PDF_FONT_FACES,
    }


def _summary_charts(board: Dashboard) -> dict[str, Figure]:
    bands = _banding(board)
    bands_title = _("การกระจายของระดับผลการประเมิน")
    return {
        "dimensions": _pairs(
            [
                charts.Pair(f"{row.number}. {row.name}", row.results.mean_self, row.results.mean_verified)
                for row in board.dimensions
            ],
            _("ร้อยละเฉลี่ยรายด้าน: ผลประเมินตนเองกับผลการตรวจประเมิน"),
            bands,
        ),
        "types": _bars(
            [
                charts.Bar(row.label, row.results.mean_verified, charts.passed_note(row.results.passed, row.results.count))
                for row in board.types
            ],
            _("ร้อยละเฉลี่ยของผลการตรวจประเมิน และจำนวนที่ผ่านเกณฑ์ ตามประเภท อปท."),
            bands=bands,
        ),
        "bands": Figure(
            bands_title,
            charts.stacked_bar(
                [charts.Bar(row.label, row.count) for row in board.bands],
                title=bands_title,
                fail_label=scoring.FAIL_LABEL,
                bands=bands,
            ),
        ),
    }


def _bars(bars: list[charts.Bar], title: str, *, bands: charts.Banding | None = None) -> Figure:
    """Bars of percentages; with `bands`, each in its band's colour and the pass mark drawn."""
    mark = {"bands": bands, "mark": bands.pass_mark, "mark_label": bands.mark_label} if bands is not None else {}
    return Figure(title, charts.horizontal_bars(bars, title=title, **mark))


def _pairs(pairs: list[charts.Pair], title: str, bands: charts.Banding) -> Figure:
    """Self-assessed (an outline) above verified (filled), each named before its value."""
    return Figure(
        title,
        charts.paired_bars(
            pairs,
            title=title,
            first_label=_("ประเมินตนเอง"),
            second_label=_("ผลการตรวจ"),
            bands=bands,
            mark=bands.pass_mark,
            mark_label=bands.mark_label,
        ),
    )
