"""A national-size round for benchmarks: every organization in DLA's registry, about 120
indicators, about a million answers with evidence, and the people who give them.

What it builds, in stages (each timed):
- the registry, imported from DLA's file through organizations.registry.import_registry;
- users: a staff member and a head per organization, a provincial office per province, the
  members of its review teams (four per team) and one department official, all with one password hashed once (hashing 16,000
  passwords one by one would take over an hour);
- the framework: the demo workbook (58 indicators, all four scoring kinds) imported through
  the department's own importer, then extended with follow-up variants of its national
  indicators until the round has about 120;
- the round opened for every active organization (Round.open);
- answers for every applicable indicator of submitted assessments and part of them for drafts,
  varied by an organization-wide "quality" so scores spread realistically: levels, ticked
  criteria, figures around the thresholds, not-applicable with a reason, a note now and then;
- evidence: metadata rows (files and links) for answered indicators that ask for it, with
  real small PDF files on disk for a sample; the other file rows have no bytes behind them
  (their download answers 404), which is enough for pages and exports that list evidence;
- the workflow across every status, from draft to published and appealed, with its events,
  and the stored results (results.Result) recomputed from all of it;
  review teams, assignments, verified answers (some differing from the self-assessment, with
  reasons) and appeals come from demo/national_review.py.

Rows go in with bulk_create in batches, one transaction per slice of assessments, so the
same code runs on PostgreSQL and SQLite.
"""

import csv
import datetime
import hashlib
import io
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from assessments.models import (
    Answer,
    Assessment,
    AssessmentEvent,
    Evidence,
    Indicator,
    IndicatorOption,
    ReturnedIndicator,
    Round,
)
from assessments.storage import evidence_storage
from assessments.workbook import import_framework_workbook
from demo import national_review
from demo.framework import DEMO_FRAMEWORK, open_demo_round
from organizations.models import Organization, Province
from organizations.registry import import_registry
from results.models import Result
from results.scores import recompute_round
from reviews.models import Appeal, VerifiedAnswer

DEFAULT_YEAR = 2570
DEFAULT_SEED = 2570
TARGET_INDICATORS = 120
SAMPLE_FILES = 300
NATIONAL_PASSWORD = "lpa-national-bench"
BATCH_SIZE = 2000
# Assessments written per transaction: about 30,000 answers, a few MB of objects at a time.
ASSESSMENTS_PER_SLICE = 250

# Shares of the workflow statuses: a round late in its review, some results already out.
STATUS_SHARES = (
    (Assessment.Status.DRAFT, 10),
    (Assessment.Status.SUBMITTED, 10),
    (Assessment.Status.RETURNED, 4),
    (Assessment.Status.RESUBMITTED, 4),
    (Assessment.Status.IN_REVIEW, 14),
    (Assessment.Status.VERIFIED, 10),
    (Assessment.Status.APPROVED, 20),
    (Assessment.Status.PUBLISHED, 25),
    (Assessment.Status.APPEALED, 3),
)
NOT_APPLICABLE_SHARE = 0.08
NOTE_SHARE = 0.06
SECOND_EVIDENCE_SHARE = 0.2
LINK_SHARE = 0.35
VARIANT_SUFFIXES = ("(การติดตามผล)", "(การเผยแพร่ต่อประชาชน)", "(การมีส่วนร่วมของประชาชน)")

NA_REASONS = (
    "ไม่มีภารกิจนี้ในพื้นที่ เนื่องจากไม่มีสถานที่ดังกล่าวในเขต อปท.",
    "ภารกิจนี้ถ่ายโอนให้หน่วยงานอื่นดำเนินการแล้ว",
    "ไม่มีกรณีเกิดขึ้นในปีงบประมาณที่ประเมิน",
)
NOTES = (
    "ดำเนินการร่วมกับ อปท. ข้างเคียง",
    "รายละเอียดตามเอกสารแนบ",
    "อยู่ระหว่างปรับปรุงข้อมูลบนเว็บไซต์",
    "ข้อมูล ณ วันที่ 30 กันยายน",
)
FILE_NAMES = (
    ("คำสั่งแต่งตั้งคณะกรรมการ.pdf", "application/pdf"),
    ("รายงานการประชุม.pdf", "application/pdf"),
    ("ภาพกิจกรรม.jpg", "image/jpeg"),
    ("ทะเบียนคุมเรื่องร้องเรียน.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("แผนพัฒนาท้องถิ่น.pdf", "application/pdf"),
)
RETURN_REASONS = (
    "หลักฐานไม่ครบตามที่ตัวชี้วัดกำหนด กรุณาแนบรายงานการประชุม",
    "ค่าที่กรอกไม่ตรงกับเอกสารหลักฐาน กรุณาตรวจสอบ",
    "เหตุผลที่แจ้งไม่มีภารกิจยังไม่ชัดเจน",
)


class DatasetError(Exception):
    """The dataset cannot be built (a missing file, a year already taken); the message says why."""


@dataclass
class DatasetReport:
    year: int
    stages: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(seconds for _, seconds in self.stages)


@dataclass(frozen=True)
class _Option:
    pk: int
    points: Decimal
    threshold: Decimal | None


@dataclass(frozen=True)
class _Indicator:
    pk: int
    code: str
    kind: str
    unit: str
    options: tuple[_Option, ...]
    allows_not_applicable: bool
    needs_evidence: bool


@dataclass
class _Org:
    assessment: int
    organization: int
    code: str
    org_type: str
    province: int
    district: str = ""
    status: str = Assessment.Status.DRAFT
    quality: float = 0.0
    answered_share: float = 1.0
    # Set by demo/national_review.py.
    revision: int = 0
    times: dict = field(default_factory=dict)
    verified_share: float = 0.0
    team_members: list = field(default_factory=list)
    verified_points: dict = field(default_factory=dict)


def default_registry_path() -> Path:
    """DLA's national registry in the shared data folder beside the project (never copied in)."""
    return settings.BASE_DIR.parent / "shared" / "data" / "dla_organizations.csv"


def national_round_exists(*, year: int = DEFAULT_YEAR) -> bool:
    """Whether a generated round for `year` is there, opened and answered."""
    assessment_round = Round.objects.filter(year=year).exclude(phase=Round.Phase.SETUP).first()
    return assessment_round is not None and Answer.objects.filter(assessment__round=assessment_round).exists()


def generate_national_round(
    *,
    registry: Path,
    year: int = DEFAULT_YEAR,
    seed: int = DEFAULT_SEED,
    limit: int | None = None,
    sample_files: int = SAMPLE_FILES,
    target_indicators: int = TARGET_INDICATORS,
    log: Callable[[str], None] | None = None,
) -> DatasetReport:
    """Build the national round for `year` from the registry at `registry` (see the module).

    `limit` imports only the registry's first `limit` organizations (for tests). The round
    covers every active organization in the database. Raises DatasetError when the registry
    file is missing or a round for `year` already exists.
    """
    registry = Path(registry)
    if not registry.is_file():
        raise DatasetError(
            f"Registry file not found: {registry}. Pass --registry with the path of DLA's "
            "registry CSV (dla_organizations.csv in the shared data folder)."
        )
    if Round.objects.filter(year=year).exists():
        raise DatasetError(f"A round for {year} already exists; choose another --year or use a fresh database.")
    rng = random.Random(seed)
    report = DatasetReport(year=year)
    say = log or (lambda message: None)

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        report.stages.append((name, seconds))
        say(f"{name:<34} {seconds:8.1f} s")

    with stage("registry import"):
        source = _registry_slice(registry, limit) if limit else registry
        imported = import_registry(source, file_name=registry.name)
        if imported.rejected:
            say(f"  registry rows rejected: {len(imported.rejected)} (first: {imported.rejected[0].reason})")
    with stage("users and roles"):
        people = _create_users()
    with stage("framework"):
        assessment_round = import_framework_workbook(DEMO_FRAMEWORK, by=None, year=year)
        _extend_framework(assessment_round, target=target_indicators)
    with stage("round opened"):
        open_demo_round(assessment_round, by=None, today=timezone.localdate())
    orgs = _plan_assessments(assessment_round, rng)
    indicators = _indicators_by_scope(assessment_round)
    with stage("review teams and assignments"):
        counts = national_review.write_teams(
            assessment_round, orgs, teams=people.teams, admins=people.province_admins, rng=rng
        )
    with stage("answers, evidence, verified answers"):
        counts |= _write_answers(assessment_round, orgs, indicators, people, rng, sample_files=sample_files, say=say)
    with stage("workflow statuses and events"):
        counts.update(_write_workflow(assessment_round, orgs, indicators, people, rng))
    if connection.vendor == "postgresql":
        with stage("planner statistics (ANALYZE)"):
            # Bulk loads leave no statistics until autovacuum passes (if it runs at all).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    with stage("stored results"):
        # Rows were bulk-written behind the functions that keep results current.
        counts["stored results"] = Result.objects.filter(assessment__round=assessment_round).count() if recompute_round(assessment_round) else 0
        if connection.vendor == "postgresql":
            # The ANALYZE above saw the results as opening the round left them (all zero, no
            # percentages): without fresh statistics the dashboards get nested-loop plans.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Result._meta.db_table}")

    report.counts = {
        "organizations": Organization.objects.filter(is_active=True).count(),
        "users": len(people.staff) + len(people.heads) + people.assessor_count + len(people.province_admins) + 1,
        "indicators": assessment_round.indicators.count(),
        "assessments": len(orgs),
        # What a complete round would hold: every applicable (assessment, indicator) pair.
        "applicable pairs": sum(len(indicators[(org.org_type, org.province)]) for org in orgs),
        **counts,
    }
    for status, _share in STATUS_SHARES:
        report.counts[f"status {status}"] = sum(1 for org in orgs if org.status == status)
    say(f"{'total':<34} {report.seconds:8.1f} s")
    return report


# Registry ------------------------------------------------------------------------------------


def _registry_slice(path: Path, limit: int) -> io.BytesIO:
    """The registry's first `limit` organizations (repeats of a code kept together)."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        code_column = next((i for i, name in enumerate(header) if name.replace(" ", "") == "รหัสอปท."), 2)
        rows, codes = [], set()
        for row in reader:
            code = row[code_column] if code_column < len(row) else ""
            if code not in codes and len(codes) >= limit:
                break
            codes.add(code)
            rows.append(row)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


# Users ---------------------------------------------------------------------------------------


@dataclass
class _People:
    staff: dict[int, int]  # organization pk → user pk
    heads: dict[int, int]
    assessors: dict[int, int]  # province pk → user pk (the lead of its first team)
    province_admins: dict[int, int]
    department: int
    teams: dict[int, list[list[int]]]  # province pk → each team's member user pks, lead first
    assessor_count: int


def _create_users() -> _People:
    """One staff member and one head per organization, an office and an assessor per
    province, one department official; existing accounts (an earlier run) are kept."""
    password = make_password(NATIONAL_PASSWORD)  # hashed once for every account
    organizations = list(Organization.objects.filter(is_active=True).values_list("pk", "code"))
    provinces = list(Province.objects.values_list("pk", "code"))
    wanted: list[tuple[str, str, int | None, int | None, str]] = []  # username, kind, org, province, position
    for pk, code in organizations:
        wanted.append((f"staff{code}", Role.Kind.ORG_STAFF, pk, None, "นักวิเคราะห์นโยบายและแผน"))
        wanted.append((f"head{code}", Role.Kind.ORG_HEAD, pk, None, "นายก อปท."))
    team_counts = national_review.team_counts()
    team_names: dict[int, list[list[str]]] = {}
    for pk, code in provinces:
        # A province without organizations (in a partial registry) keeps one assessor.
        team_names[pk] = (
            national_review.team_usernames(code, team_counts[pk]) if pk in team_counts else [[f"assessor{code}"]]
        )
        for members in team_names[pk]:
            for name in members:
                wanted.append((name, Role.Kind.PROVINCIAL_ASSESSOR, None, pk, "ท้องถิ่นอำเภอ"))
        wanted.append((f"province{code}", Role.Kind.PROVINCIAL_ADMIN, None, pk, "ท้องถิ่นจังหวัด"))
    wanted.append(("dla_national", Role.Kind.DEPARTMENT_OFFICIAL, None, None, "นักวิชาการส่งเสริมการปกครองท้องถิ่น"))

    existing = set(User.objects.values_list("username", flat=True))
    new = [row for row in wanted if row[0] not in existing]
    User.objects.bulk_create(
        (
            User(username=username, password=password, first_name="ผู้ใช้", last_name=username, position=position)
            for username, _kind, _org, _province, position in new
        ),
        batch_size=BATCH_SIZE,
    )
    ids = dict(User.objects.values_list("username", "pk"))
    Role.objects.bulk_create(
        (
            Role(user_id=ids[username], kind=kind, organization_id=org, province_id=province)
            for username, kind, org, province, _position in new
        ),
        batch_size=BATCH_SIZE,
    )
    return _People(
        staff={pk: ids[f"staff{code}"] for pk, code in organizations},
        heads={pk: ids[f"head{code}"] for pk, code in organizations},
        assessors={pk: ids[f"assessor{code}"] for pk, code in provinces},
        province_admins={pk: ids[f"province{code}"] for pk, code in provinces},
        department=ids["dla_national"],
        teams={
            pk: [[ids[name] for name in members] for members in team_names[pk]]
            for pk, _code in provinces
            if pk in team_counts
        },
        assessor_count=sum(len(members) for teams in team_names.values() for members in teams),
    )


# Framework -----------------------------------------------------------------------------------


def _extend_framework(assessment_round: Round, *, target: int) -> None:
    """Add follow-up variants of the national indicators, category by category, until the
    round has `target` indicators. Each keeps its source's kind, options and applicability."""
    sources = list(
        assessment_round.indicators.filter(province__isnull=True)
        .select_related("category__dimension")
        .prefetch_related("options")
        .order_by("category__dimension__number", "category__number", "position", "pk")
    )
    last_number: dict[int, int] = {}
    last_position: dict[int, int] = {}
    for indicator in assessment_round.indicators.all():
        number = indicator.code.rsplit(".", 1)[-1]
        if number.isdigit():
            last_number[indicator.category_id] = max(last_number.get(indicator.category_id, 0), int(number))
        last_position[indicator.category_id] = max(last_position.get(indicator.category_id, 0), indicator.position)
    missing = target - assessment_round.indicators.count()
    new: list[tuple[Indicator, Indicator]] = []
    for index in range(max(missing, 0)):
        source = sources[index % len(sources)]
        category = source.category
        last_number[category.pk] = last_number.get(category.pk, 0) + 1
        last_position[category.pk] = last_position.get(category.pk, 0) + 1
        dimension = category.dimension.number
        copy = Indicator(
            round=assessment_round,
            category=category,
            code=f"{dimension}.{category.number}.{last_number[category.pk]}",
            title=f"{source.title} {VARIANT_SUFFIXES[index // len(sources) % len(VARIANT_SUFFIXES)]}"[:500],
            description=source.description,
            evidence_required=source.evidence_required,
            applies_to=source.applies_to,
            is_pilot=source.is_pilot,
            allows_not_applicable=source.allows_not_applicable,
            kind=source.kind,
            unit=source.unit,
            all_or_nothing_points=source.all_or_nothing_points,
            position=last_position[category.pk],
        )
        new.append((source, copy))
    Indicator.objects.bulk_create([copy for _source, copy in new])
    IndicatorOption.objects.bulk_create(
        IndicatorOption(
            indicator=copy,
            position=option.position,
            label=option.label,
            description=option.description,
            points=option.points,
            threshold=option.threshold,
        )
        for source, copy in new
        for option in source.options.all()
    )


def _indicators_by_scope(assessment_round: Round) -> dict[tuple[str, int], list[_Indicator]]:
    """(organization type, province pk) → the indicators such an organization answers."""
    indicators = list(assessment_round.indicators.prefetch_related("options").order_by("pk"))
    infos = [
        (
            indicator,
            _Indicator(
                pk=indicator.pk,
                code=indicator.code,
                kind=indicator.kind,
                unit=indicator.unit,
                options=tuple(_Option(o.pk, o.points, o.threshold) for o in indicator.options.all()),
                allows_not_applicable=indicator.allows_not_applicable,
                needs_evidence=bool(indicator.evidence_required.strip()),
            ),
        )
        for indicator in indicators
    ]
    province_ids = list(Province.objects.values_list("pk", flat=True))
    return {
        (org_type, province): [info for indicator, info in infos if indicator.applies(org_type, province)]
        for org_type in Organization.Type.values
        for province in province_ids
    }


# Answers and evidence ------------------------------------------------------------------------


def _plan_assessments(assessment_round: Round, rng: random.Random) -> list[_Org]:
    """Every assessment of the round with the status, quality and progress it will get."""
    rows = (
        Assessment.objects.filter(round=assessment_round)
        .order_by("pk")
        .values_list(
            "pk",
            "organization_id",
            "organization__code",
            "org_type",
            "organization__district__province_id",
            "organization__district__code",
        )
    )
    now = timezone.now()
    opened = assessment_round.opened_at or now
    statuses = [status for status, _share in STATUS_SHARES]
    weights = [share for _status, share in STATUS_SHARES]
    orgs = []
    for pk, organization, code, org_type, province, district in rows:
        status = rng.choices(statuses, weights)[0]
        draft = status == Assessment.Status.DRAFT
        orgs.append(
            _Org(
                assessment=pk,
                organization=organization,
                code=code,
                org_type=org_type,
                province=province,
                district=district,
                status=status,
                # Most organizations pass (98.8% did in 2564); a few score low.
                quality=rng.betavariate(6, 1.6),
                answered_share=(0.0 if rng.random() < 0.15 else rng.uniform(0.3, 1.0)) if draft else 1.0,
            )
        )
        national_review.plan_timeline(orgs[-1], opened=opened, now=now, rng=rng)
    return orgs


def _value(indicator: _Indicator, quality: float, rng: random.Random) -> dict:
    """A plausible answer to `indicator` from an organization of `quality` (0–1)."""
    if indicator.allows_not_applicable and rng.random() < NOT_APPLICABLE_SHARE:
        return {"not_applicable": True, "na_reason": rng.choice(NA_REASONS)}
    options = indicator.options
    if indicator.kind == Indicator.Kind.LEVELS:
        ranked = sorted(options, key=lambda o: o.points, reverse=True)
        # Good organizations mostly reach the top level; the rest spread below it.
        index = min(len(ranked) - 1, int(rng.random() * (1.0 - quality) * len(ranked) * 2))
        return {"level_id": ranked[index].pk}
    if indicator.kind == Indicator.Kind.FIGURE:
        top = max(o.threshold for o in options)
        whole = all(o.threshold == o.threshold.to_integral() for o in options)
        figure = float(top) * rng.uniform(0.5, 1.25) * (0.55 + 0.55 * quality)
        if indicator.unit == "ร้อยละ":
            figure = min(figure, 100.0)
        figure = Decimal(round(figure)) if whole else Decimal(f"{figure:.2f}")
        return {"figure": figure}
    bonus = 0.1 if indicator.kind == Indicator.Kind.ALL_OR_NOTHING else 0.0
    return {"ticked": [o.pk for o in options if rng.random() < quality + bonus]}


def _write_answers(
    assessment_round: Round,
    orgs: list[_Org],
    indicators: dict[tuple[str, int], list[_Indicator]],
    people: _People,
    rng: random.Random,
    *,
    sample_files: int,
    say: Callable[[str], None],
) -> dict[str, int]:
    Ticked = Answer.ticked.through
    VerifiedTicked = VerifiedAnswer.ticked.through
    specs = {
        indicator.pk: indicator.as_spec()
        for indicator in assessment_round.indicators.select_related("category__dimension", "province").prefetch_related("options")
    }
    storage = evidence_storage()
    now = timezone.now()
    opened = assessment_round.opened_at or now
    span = max((now - opened).total_seconds(), 3600.0)
    counts = {
        "answers": 0,
        "ticked criteria": 0,
        "evidence files": 0,
        "evidence links": 0,
        "evidence real files": 0,
        "verified answers": 0,
        "verified differing": 0,
    }
    started = time.perf_counter()
    for first in range(0, len(orgs), ASSESSMENTS_PER_SLICE):
        slice_ = orgs[first : first + ASSESSMENTS_PER_SLICE]
        answers: list[Answer] = []
        extras: list[tuple[_Org, _Indicator, dict]] = []
        for org in slice_:
            applicable = indicators[(org.org_type, org.province)]
            if org.answered_share < 1.0:
                applicable = rng.sample(applicable, round_share(len(applicable), org.answered_share))
            staff, head = people.staff[org.organization], people.heads[org.organization]
            for indicator in applicable:
                value = _value(indicator, org.quality, rng)
                saved_at = opened + datetime.timedelta(seconds=rng.uniform(0, span))
                answers.append(
                    Answer(
                        assessment_id=org.assessment,
                        indicator_id=indicator.pk,
                        level_id=value.get("level_id"),
                        figure=value.get("figure"),
                        not_applicable=value.get("not_applicable", False),
                        na_reason=value.get("na_reason", ""),
                        note=rng.choice(NOTES) if rng.random() < NOTE_SHARE else "",
                        answered_at=saved_at,
                        version=rng.choice((1, 1, 1, 2, 3)),
                        updated_by_id=staff if rng.random() < 0.9 else head,
                        updated_at=saved_at,
                    )
                )
                extras.append((org, indicator, value))
        with transaction.atomic():
            Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
            ticked = [
                Ticked(answer_id=answer.pk, indicatoroption_id=option)
                for answer, (_org, _indicator, value) in zip(answers, extras)
                for option in value.get("ticked", [])
            ]
            Ticked.objects.bulk_create(ticked, batch_size=BATCH_SIZE * 2)
            verified, verified_ticked, score_events = _verified(answers, extras, specs, rng)
            VerifiedAnswer.objects.bulk_create(verified, batch_size=BATCH_SIZE)
            VerifiedTicked.objects.bulk_create(
                (VerifiedTicked(verifiedanswer_id=row.pk, indicatoroption_id=option) for row, options in verified_ticked for option in options),
                batch_size=BATCH_SIZE * 2,
            )
            AssessmentEvent.objects.bulk_create(score_events, batch_size=BATCH_SIZE)
            counts["verified answers"] += len(verified)
            counts["verified differing"] += sum(1 for row in verified if row.reason)
            evidence = []
            for answer, (org, indicator, _given) in zip(answers, extras):
                if answer.not_applicable or not indicator.needs_evidence:
                    continue
                if org.status == Assessment.Status.DRAFT and rng.random() < 0.2:
                    continue  # drafts are still gathering their documents
                for number in range(2 if rng.random() < SECOND_EVIDENCE_SHARE else 1):
                    item = _evidence(assessment_round, org, indicator, answer, number, people, rng, counts, sample_files, storage)
                    evidence.append(item)
            Evidence.objects.bulk_create(evidence, batch_size=BATCH_SIZE)
        counts["answers"] += len(answers)
        counts["ticked criteria"] += len(ticked)
        done = first + len(slice_)
        if done % (ASSESSMENTS_PER_SLICE * 8) == 0 or done == len(orgs):
            say(f"  {done:>6,} / {len(orgs):,} assessments, {counts['answers']:,} answers ({time.perf_counter() - started:.0f} s)")
    return counts


def _verified(answers: list[Answer], extras: list, specs: dict, rng: random.Random) -> tuple[list, list, list]:
    """The review's verified answers and score events for the orgs of one slice."""
    by_org: dict[int, tuple[_Org, list]] = {}
    for answer, (org, indicator, value) in zip(answers, extras):
        by_org.setdefault(org.assessment, (org, []))[1].append((answer, indicator, value))
    rows, ticked, events = [], [], []
    for org, pairs in by_org.values():
        org_rows, org_ticked, org_events = national_review.verified_rows(org, pairs, specs=specs, rng=rng)
        rows += org_rows
        ticked += org_ticked
        events += org_events
    return rows, ticked, events


def round_share(total: int, share: float) -> int:
    return max(0, min(total, round(total * share)))


def _evidence(
    assessment_round: Round,
    org: _Org,
    indicator: _Indicator,
    answer: Answer,
    number: int,
    people: _People,
    rng: random.Random,
    counts: dict[str, int],
    sample_files: int,
    storage,
) -> Evidence:
    uploaded_at = answer.answered_at - datetime.timedelta(minutes=rng.uniform(1, 600))
    if rng.random() < LINK_SHARE:
        counts["evidence links"] += 1
        return Evidence(
            answer=answer,
            url=f"https://www.lao{org.code}.go.th/news/{indicator.code.replace('.', '-')}-{number + 1}",
            title=f"ประกาศบนเว็บไซต์ ตัวชี้วัด {indicator.code}",
            uploaded_by_id=people.staff[org.organization],
            uploaded_at=uploaded_at,
        )
    original, content_type = rng.choice(FILE_NAMES)
    extension = original.rsplit(".", 1)[-1]
    name = f"{assessment_round.year}/{org.code}/{uuid.UUID(int=rng.getrandbits(128)).hex}.{extension}"
    if counts["evidence real files"] < sample_files:
        # A sample with real bytes on disk, so downloads and storage can be measured too.
        data = _small_pdf(f"LPA {assessment_round.year} {org.code} {indicator.code} #{number + 1}")
        name = storage.save(name.rsplit(".", 1)[0] + ".pdf", ContentFile(data))
        original, content_type, size = original.rsplit(".", 1)[0] + ".pdf", "application/pdf", len(data)
        sha256 = hashlib.sha256(data).hexdigest()
        counts["evidence real files"] += 1
    else:
        size = rng.randint(40_000, 4_000_000)
        sha256 = hashlib.sha256(name.encode()).hexdigest()
    counts["evidence files"] += 1
    return Evidence(
        answer=answer,
        file=name,
        original_name=original,
        size=size,
        sha256=sha256,
        content_type=content_type,
        uploaded_by_id=people.staff[org.organization],
        uploaded_at=uploaded_at,
    )


def _small_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# Workflow ------------------------------------------------------------------------------------


def _write_workflow(
    assessment_round: Round,
    orgs: list[_Org],
    indicators: dict[tuple[str, int], list[_Indicator]],
    people: _People,
    rng: random.Random,
) -> dict[str, int]:
    """Every status past draft with its stamps, events, flagged indicators and appeals,
    on the timeline demo/national_review.py planned for each assessment."""
    updated: list[Assessment] = []
    events: list[AssessmentEvent] = []
    flags: list[ReturnedIndicator] = []
    appeals: list[Appeal] = []
    Kind = AssessmentEvent.Kind
    Status = Assessment.Status
    for org in orgs:
        if org.status == Status.DRAFT:
            continue
        head = people.heads[org.organization]
        admin = people.province_admins[org.province]
        reviewer = org.team_members[1] if len(org.team_members) > 1 else people.assessors[org.province]
        times = org.times
        events.append(
            AssessmentEvent(
                assessment_id=org.assessment,
                kind=Kind.SUBMITTED,
                at=times["submitted"],
                by_id=head,
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
            )
        )
        last_submission = times["submitted"]
        if "returned" in times:
            chosen = rng.sample(indicators[(org.org_type, org.province)], rng.randint(1, 3))
            reasons = {indicator.code: rng.choice(RETURN_REASONS) for indicator in chosen}
            resolved = times.get("resubmitted")
            if resolved:
                last_submission = resolved
            flags += [
                ReturnedIndicator(
                    assessment_id=org.assessment,
                    indicator_id=indicator.pk,
                    revision=1,
                    reason=reasons[indicator.code],
                    flagged_by_id=reviewer,
                    flagged_at=times["returned"],
                    resolved_at=resolved,
                )
                for indicator in chosen
            ]
            events.append(
                AssessmentEvent(
                    assessment_id=org.assessment,
                    kind=Kind.RETURNED,
                    at=times["returned"],
                    by_id=reviewer,
                    revision=1,
                    from_status=Status.SUBMITTED,
                    to_status=Status.RETURNED,
                    data={"indicators": reasons},
                )
            )
            if resolved:
                events.append(
                    AssessmentEvent(
                        assessment_id=org.assessment,
                        kind=Kind.RESUBMITTED,
                        at=resolved,
                        by_id=head,
                        revision=1,
                        from_status=Status.RETURNED,
                        to_status=Status.RESUBMITTED,
                    )
                )
        events += national_review.review_events(org, head=head, admin=admin, department=people.department)
        appeals += national_review.appeals_for(org, head=head, rng=rng)
        updated.append(
            Assessment(
                pk=org.assessment,
                status=org.status,
                submitted_at=last_submission,
                submitted_by_id=head,
                revision=org.revision,
            )
        )
    with transaction.atomic():
        Assessment.objects.bulk_update(updated, ["status", "submitted_at", "submitted_by", "revision"], batch_size=500)
        AssessmentEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        ReturnedIndicator.objects.bulk_create(flags, batch_size=BATCH_SIZE)
        Appeal.objects.bulk_create(appeals, batch_size=BATCH_SIZE)
    return {"events (status)": len(events), "returned indicators": len(flags), "appeals": len(appeals)}
