"""bench/targets.py: the targets `make bench` prints, met or not met with the reason."""

from bench.targets import budget_ms, judge, lines


def results(*, page_ratio=0.01, again_ratio=0.08, save_p99=300.0, pdf=(7.5, 150), page_bytes=70_000) -> dict:
    def loaded(ratio, p99=100.0):
        return {"req_per_s": 4000 * ratio, "ratio_to_floor": ratio, "p99_ms": p99}

    return {
        "http": {
            "floor": {"req_per_s": 4000.0},
            "auth_floor": loaded(0.4),
            "auth_floor_server": {"median_ms": 1.0, "queries": 0},
            "dimension_page": loaded(page_ratio),
            "dimension_page_server": {"median_ms": 190.0, "queries": 14, "bytes": page_bytes},
            "dimension_page_again": loaded(again_ratio),
            "save_answer": loaded(0.06, save_p99),
            "review_page": loaded(0.02),
            "verified_save": loaded(0.05),
        },
        "dataset": {"seconds": 400},
        "dashboards": {"national_dashboard": {"median_ms": 110, "queries": 15}},
        "files": {
            "national_workbook": {"seconds": 15.8, "peak_mb": 99},
            "provincial_pdf": {"seconds": pdf[0], "peak_mb": pdf[1], "organizations": 334},
            "provincial_pdf_smallest": {"seconds": 2.0, "peak_mb": pdf[1] - 5, "organizations": 30},
        },
    }


def by_target(rows: list[dict]) -> dict:
    return {row["target"].split(" ≥ ")[0].split(" < ")[0]: row for row in rows}


def test_a_page_below_its_ratio_is_not_met_with_the_time_a_request_may_take():
    rows = by_target(judge(results(page_ratio=0.01)))

    page = rows["dimension page"]
    assert page["met"] is False
    # 2% of 4,000 req/s is 80 req/s: 25 ms of each of 2 workers, against 190 ms measured.
    assert budget_ms(0.02, 4000) == 25
    assert page["why"] == "needs ≤ 25 ms a request; one takes 190.0 ms in-process, 14 queries"
    assert rows["dimension page again"]["met"] is True and rows["dimension page again"]["why"] == ""


def test_the_save_needs_both_its_ratio_and_its_p99():
    assert by_target(judge(results(save_p99=300)))["save answer"]["met"] is True
    slow = by_target(judge(results(save_p99=450)))["save answer"]
    assert slow["met"] is False and "p99: ≤ 25 ms" in slow["why"]


def test_page_weight_and_the_provincial_pdf():
    rows = by_target(judge(results(page_bytes=90_000, pdf=(7.5, 210))))

    assert rows["dimension page"]["met"] is False  # ratio too
    weight = next(row for row in judge(results(page_bytes=90_000)) if "KB" in row["target"])
    assert weight["met"] is False and weight["measured"] == "88 KB"
    assert rows["largest provincial PDF"]["met"] is False
    assert "30 organizations: 205 MB" in rows["largest provincial PDF"]["measured"]
    assert by_target(judge(results()))["largest provincial PDF"]["met"] is True


def test_the_authenticated_floor_is_printed_without_a_figure_to_meet():
    (row,) = [row for row in judge(results()) if row["target"].startswith("authenticated floor")]

    assert row["met"] is None and row["measured"] == "40.0%, 0 queries"
    assert any(line.rstrip().endswith("—") for line in lines([row]))
