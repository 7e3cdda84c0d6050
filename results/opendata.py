"""Open data: a round's published results as CSV, one row per organization.

One row per organization with a column group per dimension, rather than one row per
organization and dimension: the people who asked for it open it in Excel or a sheet and sort
or filter by organization, and a row per organization is what data.go.th's tables of local
government look like. The header is plain English snake_case and never changes between
years (dimension columns 1 to 5 are always there, blank when a round has fewer), so a
program can read every year with one parser; docs/open-data.md gives each column in Thai
and English. UTF-8 with a BOM, so Excel opens the Thai text correctly.

Only published results (Assessment.RESULT_STATUSES: published, and appealed, whose appeal
may still change them; `status` says which) and only the verified scores: the self-assessment
is the organization's claim, not a result.
"""

import csv
from collections.abc import Iterator
from itertools import groupby
from typing import IO, Any

from assessments import scoring
from assessments.models import Assessment, Round
from organizations.models import Organization
from results.models import OVERALL, Result

DIMENSIONS = range(1, 6)  # Dimension.number is 1 to 5
TYPE_LABELS = dict(Organization.Type.choices)

HEADER = [
    "year",
    "org_code",
    "org_name",
    "org_type",
    "org_type_th",
    "district_code",
    "district_th",
    "province_code",
    "province_th",
    "status",
    *(f"dimension_{n}_{field}" for n in DIMENSIONS for field in ("points", "full_marks", "percent")),
    "total_points",
    "total_full_marks",
    "total_percent",
    "band",
    "passed",
]

_FIELDS = (
    "assessment_id",
    "assessment__status",
    "assessment__org_type",
    "assessment__organization__code",
    "assessment__organization__name",
    "assessment__organization__district__code",
    "assessment__organization__district__name_th",
    "assessment__organization__district__province__code",
    "assessment__organization__district__province__name_th",
    "dimension",
    "verified_points",
    "verified_full_marks",
    "verified_percent",
    "verified_band",
    "verified_passed",
)


def write_open_data_csv(assessment_round: Round, stream: IO[str]) -> int:
    """Write the published results of `round` to the text `stream` (an open file, an
    HttpResponse); returns the number of organizations written."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for rows in _published(assessment_round):
        writer.writerow(_row(assessment_round, rows))
        count += 1
    return count


def _published(assessment_round: Round) -> Iterator[list[tuple]]:
    """The stored result rows of each published assessment together, by province, district
    and organization code."""
    rows = (
        Result.objects.filter(assessment__round=assessment_round, assessment__status__in=Assessment.RESULT_STATUSES)
        .order_by(
            "assessment__organization__district__province__code",
            "assessment__organization__district__code",
            "assessment__organization__code",
            "dimension",
        )
        .values_list(*_FIELDS)
    )
    for _assessment, group in groupby(rows.iterator(chunk_size=2000), key=lambda row: row[0]):
        yield list(group)


def _row(assessment_round: Round, rows: list[tuple]) -> list[Any]:
    _pk, status, org_type, code, name, district_code, district, province_code, province = rows[0][:9]
    scores = {row[9]: row[10:] for row in rows}
    cells = [
        assessment_round.year,
        code,
        # The name as written in letters, with the type the organization had that year.
        Organization(name=name, type=org_type).full_name,
        org_type,
        str(TYPE_LABELS.get(org_type, org_type)),
        district_code,
        district,
        province_code,
        province,
        status,
    ]
    for number in DIMENSIONS:
        cells += _scores(scores.get(number))
    overall = scores.get(OVERALL)
    cells += _scores(overall)
    band, passed = (overall[3], overall[4]) if overall else ("", None)
    cells += [band, "" if passed is None else str(passed).lower()]
    return cells


def _scores(score: tuple | None) -> list[Any]:
    """Points, full marks and the percentage to 2 places, as the scorecard shows it."""
    if score is None:
        return ["", "", ""]
    points, full_marks, percent = score[:3]
    return [points, full_marks, "" if percent is None else scoring.round_percent(percent)]
