"""Stored percentages become the reported figures before their column drops to 2 places.

A percentage is reported rounded half up once from points ÷ full marks, and pass and band are
judged on that figure. Rows stored earlier hold 4 places (68.9450 for 68.944954…), which the
column change alone would round a second time (68.95). So each row's percentages are worked
out again here from its own points and full marks (stored exactly), and the overall row's pass
and band judged again on them. The self-assessed score's rule for "not applicable" claims also
changed: `manage.py recompute_results --all` scores every round again from the answers.
"""

from decimal import Decimal
from fractions import Fraction

from django.db import migrations

FAIL_LABEL = "ไม่ผ่านเกณฑ์"
PASS_LABEL = "ผ่านเกณฑ์"


def _reported(points: Decimal, full_marks: Decimal) -> Decimal | None:
    if not full_marks:
        return None
    cents = Fraction(points) * 10000 / Fraction(full_marks)
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-2)


def _band(percent: Decimal | None, pass_mark: Decimal, bands: list) -> str:
    if percent is None:
        return ""
    if percent < pass_mark:
        return FAIL_LABEL
    reached = [band for band in bands if band.min_percent <= percent]
    return max(reached, key=lambda band: band.min_percent).label if reached else PASS_LABEL


def forward(apps, schema_editor):
    Result = apps.get_model("results", "Result")
    Round = apps.get_model("assessments", "Round")
    rounds = {r.pk: (r.pass_mark, list(r.bands.all())) for r in Round.objects.prefetch_related("bands")}
    fields = ["self_percent", "verified_percent", "self_passed", "self_band", "verified_passed", "verified_band"]
    changed = []
    for row in Result.objects.select_related("assessment").iterator(chunk_size=2000):
        pass_mark, bands = rounds[row.assessment.round_id]
        row.self_percent = _reported(row.self_points, row.self_full_marks)
        if row.verified_percent is not None:
            row.verified_percent = _reported(row.verified_points, row.verified_full_marks)
        if row.dimension == 0:
            row.self_passed = None if row.self_percent is None else row.self_percent >= pass_mark
            row.self_band = _band(row.self_percent, pass_mark, bands)
            if row.verified_band or row.verified_passed is not None:
                row.verified_passed = None if row.verified_percent is None else row.verified_percent >= pass_mark
                row.verified_band = _band(row.verified_percent, pass_mark, bands)
        changed.append(row)
        if len(changed) >= 2000:
            Result.objects.bulk_update(changed, fields)
            changed = []
    Result.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0001_add_stored_results"),
        ("assessments", "0004_audit_trail_append_only"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
