"""In-process figures for issue 16, parts 3 and 4 (docs/benchmarks.md):

- comparing two national-size frameworks (assessments.framework_changes.compare): 5 dimensions
  × 8 categories × 12 national indicators plus 2 of each of 76 provinces (632 indicators, 4
  options each) per year, about a tenth of them changed;
- the evidence picker's listing (assessments.evidence_files.organization_files) for one
  organization with 3,000 stored files each shown on 1–3 indicators over two years.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lpa_framediff .venv/bin/python bench/framework_files.py

Builds its data in a throwaway test database (test_<name>, kept between runs).
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpa.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

DIMENSIONS, CATEGORIES, INDICATORS = 5, 8, 12
FILES, RUNS = 3000, 7


def timed(call, runs: int = RUNS) -> tuple[float, int]:
    """The median wall time (ms) of `runs` calls, and the queries of one."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(times), len(queries)


def build_round(year: int, changed: float, rng: random.Random):
    from assessments.models import Category, Dimension, Indicator, IndicatorOption, Round
    from organizations.models import Organization, Province

    existing = Round.objects.filter(year=year).first()
    if existing:
        return existing
    assessment_round = Round.objects.create(year=year, fiscal_year=year - 1)
    types = list(Organization.Type.values)
    provinces = list(Province.objects.order_by("code"))
    indicators, options = [], []
    for d in range(1, DIMENSIONS + 1):
        dimension = Dimension.objects.create(round=assessment_round, number=d, name=f"ด้านที่ {d}")
        for c in range(1, CATEGORIES + 1):
            category = Category.objects.create(
                dimension=dimension, number=c, name=f"หมวด {d}.{c}", open_to_provinces=(d == 1 and c == CATEGORIES)
            )
            count = INDICATORS if not category.open_to_provinces else 2 * len(provinces)
            for n in range(1, count + 1):
                touched = rng.random() < changed
                province = provinces[(n - 1) // 2] if category.open_to_provinces else None
                indicators.append(
                    Indicator(
                        round=assessment_round,
                        category=category,
                        code=f"{d}.{c}.{n}",
                        title=f"ตัวชี้วัด {d}.{c}.{n}" + (" (ปรับปรุง)" if touched else ""),
                        kind=Indicator.Kind.LEVELS,
                        applies_to=types[:-1] if touched and n % 2 else types,
                        is_pilot=touched and n % 5 == 0,
                        province=province,
                        position=n,
                    )
                )
    Indicator.objects.bulk_create(indicators)
    for indicator in Indicator.objects.filter(round=assessment_round):
        top = 10 if indicator.title.endswith("(ปรับปรุง)") else 5
        options += [IndicatorOption(indicator=indicator, position=p, label=f"ระดับ {p}", points=p * top / 4) for p in range(1, 5)]
    IndicatorOption.objects.bulk_create(options, batch_size=5000)
    return assessment_round


def build_files(rounds, rng: random.Random):
    """One organization with FILES stored files, each on 1–3 indicators of the two years."""
    from accounts.models import User
    from assessments.models import Answer, Assessment, Evidence, StoredFile
    from organizations.models import Organization

    organization = Organization.objects.filter(is_active=True).order_by("code").first()
    if StoredFile.objects.filter(organization=organization).count() >= FILES:
        return organization
    user, _ = User.objects.get_or_create(username="bench-files")
    answers = []
    for assessment_round in rounds:
        assessment, _ = Assessment.objects.get_or_create(
            round=assessment_round, organization=organization, defaults={"org_type": organization.type}
        )
        existing = set(Answer.objects.filter(assessment=assessment).values_list("indicator_id", flat=True))
        Answer.objects.bulk_create(
            Answer(assessment=assessment, indicator=indicator)
            for indicator in assessment_round.indicators.filter(province__isnull=True)
            if indicator.pk not in existing
        )
        answers += list(Answer.objects.filter(assessment=assessment))
    stored = StoredFile.objects.bulk_create(
        StoredFile(
            organization=organization,
            sha256=f"{n:064x}",
            file=f"bench/{organization.code}/{n}.pdf",
            size=rng.randint(40_000, 4_000_000),
            content_type="application/pdf",
        )
        for n in range(FILES)
    )
    evidence = []
    for n, row in enumerate(stored):
        for answer in rng.sample(answers, rng.randint(1, 3)):
            evidence.append(
                Evidence(
                    answer=answer,
                    stored=row,
                    file=row.file.name,
                    original_name=f"คำสั่ง ที่ {n}-2568.pdf",
                    size=row.size,
                    sha256=row.sha256,
                    content_type=row.content_type,
                    uploaded_by=user,
                )
            )
    Evidence.objects.bulk_create(evidence, batch_size=5000, ignore_conflicts=True)
    return organization


def main() -> None:
    from django.db import connection as db

    from assessments.evidence_files import organization_files
    from assessments.framework_changes import compare
    from organizations.geography import load_geography
    from organizations.models import District, Organization, Province

    setup_test_environment()
    name = db.creation.create_test_db(verbosity=0, keepdb=True)
    print(f"database {name} ({db.vendor})")
    load_geography(Province, District)
    rng = random.Random(16)
    if not Organization.objects.exists():
        district = District.objects.order_by("code").first()
        Organization.objects.create(code="6810101", name="บ้านทดสอบ", type=Organization.Type.SAO, district=district)
    before = build_round(2590, 0.0, rng)
    after = build_round(2591, 0.1, rng)
    reset_queries()
    result = compare(before, after)
    ms, queries = timed(lambda: compare(before, after))
    print(
        f"compare 2 frameworks × {before.indicators.count()} indicators: {ms:.0f} ms median, {queries} queries; "
        f"{len(result.changes)} changed ({len(result.rules_changed)} rules, {len(result.renamed)} renamed)"
    )
    organization = build_files([before, after], rng)
    ms, queries = timed(lambda: organization_files(organization.pk))
    page, files = organization_files(organization.pk)
    print(
        f"picker page 1 of {page.paginator.count:,} files ({sum(len(f.uses) for f in files)} uses shown): "
        f"{ms:.1f} ms median, {queries} queries"
    )
    ms, queries = timed(lambda: organization_files(organization.pk, page=30))
    print(f"picker page 30: {ms:.1f} ms median, {queries} queries")
    ms, queries = timed(lambda: organization_files(organization.pk, query="ที่ 29"))
    print(f"picker name search: {ms:.1f} ms median, {queries} queries")


if __name__ == "__main__":
    main()
