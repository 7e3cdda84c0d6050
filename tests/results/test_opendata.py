"""The open-data CSV holds published results only, with a stable header Excel reads."""

import csv
import io
import re

import pytest
from django.conf import settings

from results.opendata import HEADER, write_open_data_csv
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db


def read(round) -> tuple[str, list[dict[str, str]]]:
    stream = io.StringIO()
    write_open_data_csv(round, stream)
    text = stream.getvalue()
    return text, list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_only_published_results_are_written_with_the_verified_scores():
    published = submitted_for_review()
    verified = submitted_for_review(published.round)
    submitted_for_review(published.round, submit=False, assign=False)  # still a draft
    verified.verified()
    published.published()

    text, rows = read(published.round)
    assert text.startswith("\ufeff")  # Excel reads the Thai as UTF-8
    assert [row["org_code"] for row in rows] == [published.assessment.organization.code]
    row = rows[0]
    # Scored as claimed: 4 + 4 + 5 + 5 of 20 (1.5 confirmed not applicable) = 90 %.
    assert (row["dimension_1_points"], row["dimension_1_full_marks"], row["dimension_1_percent"]) == (
        "18.00",
        "20.00",
        "90.00",
    )
    assert (row["total_points"], row["total_full_marks"], row["total_percent"]) == ("18.00", "20.00", "90.00")
    assert (row["band"], row["passed"], row["status"]) == ("ดีเด่น", "true", "published")
    assert row["dimension_2_points"] == row["dimension_5_percent"] == ""  # a round of one dimension
    organization = published.assessment.organization
    assert (row["year"], row["org_name"], row["org_type"], row["org_type_th"]) == (
        str(published.round.year),
        f"องค์การบริหารส่วนตำบล{organization.name}",
        "sao",
        "องค์การบริหารส่วนตำบล",
    )
    assert (row["district_code"], row["district_th"], row["province_code"], row["province_th"]) == (
        "8101",
        "เมืองกระบี่",
        "81",
        "กระบี่",
    )


def test_appealed_results_are_published_results_marked_as_appealed():
    case = submitted_for_review()
    case.appealed("1.1")
    _text, rows = read(case.round)
    assert [row["status"] for row in rows] == ["appealed"]


def test_header_is_the_documented_one_whatever_the_year():
    case = submitted_for_review()
    text, rows = read(case.round)
    assert rows == []
    assert text == "\ufeff" + ",".join(HEADER) + "\r\n"
    assert len(HEADER) == 10 + 5 * 3 + 5
    documented = (settings.BASE_DIR / "docs" / "open-data.md").read_text(encoding="utf-8")
    for column in HEADER:
        assert f"`{re.sub(r'^dimension_[1-5]_', 'dimension_N_', column)}`" in documented, column
