"""bench/review.py's form body for a verified answer (the benchmark posts it under load)."""

from decimal import Decimal
from urllib.parse import parse_qsl

from bench.review import verified_fields


def test_levels_sends_the_level_and_the_reason():
    body = verified_fields("v7", "levels", level=31, reason="ตรงตามหลักฐาน")

    assert parse_qsl(body) == [("v7-reason", "ตรงตามหลักฐาน"), ("v7-level", "31")]


def test_figure_is_sent_without_trailing_zeros():
    body = verified_fields("v8", "figure", figure=Decimal("12.5000"))

    assert ("v8-figure", "12.5") in parse_qsl(body)


def test_checklist_sends_each_ticked_option():
    body = verified_fields("v9", "checklist", ticked=[3, 4])

    assert [value for name, value in parse_qsl(body) if name == "v9-ticked"] == ["3", "4"]


def test_checklist_with_nothing_ticked_sends_only_the_reason():
    # The form still reads it as an answer ("none of these met"): its ticked field is empty.
    assert parse_qsl(verified_fields("v9", "all_or_nothing", ticked=[])) == [("v9-reason", "bench")]
