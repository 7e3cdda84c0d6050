"""The national dataset generator on a 50-organization registry slice (no timings asserted)."""

import csv
import hashlib
from collections import Counter

import geothai
import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from accounts.models import Role, User
from assessments import scoring
from assessments.models import Answer, Assessment, AssessmentEvent, Evidence, Indicator, ReturnedIndicator
from assessments.storage import evidence_storage
from demo.national_dataset import DatasetError, generate_national_round
from organizations.models import Organization, Province
from results.models import Result
from reviews.models import Appeal, Assignment, Team, TeamMember, VerifiedAnswer

HEADER = ["จังหวัด", "อำเภอ", "รหัส อปท.", "ประเภท อปท.", "อปท.", "ขนาดพื้นที่", "LAT", "LONG"]


@pytest.fixture
def registry(tmp_path):
    """50 organizations in DLA's layout: a PAO per province, a town, then ทต. and อบต. by district."""
    rows = []
    for province_code in ("81", "52"):
        province = geothai.province(province_code)
        districts = geothai.districts(province_code)
        rows.append([province.name_th, districts[0].name_th, f"2{districts[0].code}01", "อบจ.", province.name_th, "", "", ""])
        rows.append([province.name_th, districts[0].name_th, f"4{districts[0].code}03", "เทศบาลเมือง", province.name_th, "12.5", "", ""])
        for district in districts:
            for number, subdistrict in enumerate(geothai.subdistricts(district.code)[:3], start=4):
                label = "ทต." if number == 4 else "อบต."
                digit = "5" if number == 4 else "6"
                rows.append([province.name_th, district.name_th, f"{digit}{district.code}{number:02d}", label, subdistrict.name_th, "", "", ""])
    rows = rows[:50]
    assert len(rows) == 50
    path = tmp_path / "dla_organizations.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def evidence_root(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.LPA_EVIDENCE_ROOT


@pytest.mark.django_db
def test_generator_builds_a_round_for_every_organization_with_users(registry, evidence_root):
    report = generate_national_round(registry=registry, year=2570, seed=1, sample_files=5)

    assert Organization.objects.count() == 50
    assert Assessment.objects.filter(round__year=2570).count() == 50
    provinces = Province.objects.count()
    assert Role.objects.filter(kind=Role.Kind.ORG_STAFF).count() == 50
    assert Role.objects.filter(kind=Role.Kind.ORG_HEAD).count() == 50
    # Four assessors per review team (one team per 35 organizations), one where there is none.
    with_orgs = Organization.objects.values("district__province").distinct().count()
    teams = Team.objects.filter(round__year=2570)
    assert teams.count() == with_orgs
    assessors = 4 * with_orgs + (provinces - with_orgs)
    assert Role.objects.filter(kind=Role.Kind.PROVINCIAL_ASSESSOR).count() == assessors
    assert Role.objects.filter(kind=Role.Kind.PROVINCIAL_ADMIN).count() == provinces
    assert User.objects.count() == 100 + assessors + provinces + 1
    assert TeamMember.objects.filter(is_lead=True).count() == with_orgs
    # One hash for everyone: the password works and was hashed once.
    assert len(set(User.objects.values_list("password", flat=True))) == 1
    assert User.objects.get(username="staff2810101").check_password("lpa-national-bench")
    assert report.counts["answers"] == Answer.objects.count()
    assert [name for name, _ in report.stages][0] == "registry import"


@pytest.mark.django_db
def test_framework_has_about_120_indicators_of_every_kind_in_five_dimensions(registry, evidence_root):
    generate_national_round(registry=registry, year=2570, seed=1, sample_files=0)
    indicators = Indicator.objects.filter(round__year=2570)
    assert indicators.count() == 120
    assert set(indicators.values_list("kind", flat=True)) == set(Indicator.Kind.values)
    assert set(indicators.values_list("category__dimension__number", flat=True)) == {1, 2, 3, 4, 5}
    codes = list(indicators.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    for indicator in indicators.prefetch_related("options"):
        indicator.check_options(indicator.options.all())


@pytest.mark.django_db
def test_every_answer_fits_its_indicator_and_organization(registry, evidence_root):
    generate_national_round(registry=registry, year=2570, seed=2, sample_files=0)
    answers = Answer.objects.select_related(
        "indicator", "assessment__organization__district"
    ).prefetch_related("ticked", "indicator__options")
    kinds = Counter()
    for answer in answers:
        indicator, assessment = answer.indicator, answer.assessment
        assert indicator.applies(assessment.org_type, assessment.organization.district.province_id)
        assert answer.is_answered and answer.version >= 1
        own = {option.pk for option in indicator.options.all()}
        ticked = {option.pk for option in answer.ticked.all()}
        if answer.not_applicable:
            assert indicator.allows_not_applicable and answer.na_reason.strip()
            assert answer.level_id is None and answer.figure is None and not ticked
            kinds["not_applicable"] += 1
            continue
        kinds[indicator.kind] += 1
        if indicator.kind == Indicator.Kind.LEVELS:
            assert answer.level_id in own and answer.figure is None and not ticked
        elif indicator.kind == Indicator.Kind.FIGURE:
            assert answer.figure is not None and answer.figure >= 0 and answer.level_id is None and not ticked
        else:
            assert ticked <= own and answer.level_id is None and answer.figure is None
    assert set(kinds) >= set(Indicator.Kind.values)


@pytest.mark.django_db
def test_submitted_assessments_are_complete_and_carry_their_history(registry, evidence_root):
    generate_national_round(registry=registry, year=2570, seed=3, sample_files=0)
    statuses = Counter(Assessment.objects.values_list("status", flat=True))
    assert statuses[Assessment.Status.DRAFT] and statuses[Assessment.Status.SUBMITTED]
    for assessment in Assessment.objects.exclude(status=Assessment.Status.DRAFT).select_related("organization__district"):
        applicable = Indicator.objects.for_assessment(assessment).count()
        assert assessment.answers.count() == applicable
        assert assessment.events.filter(kind=AssessmentEvent.Kind.SUBMITTED).exists()
        if assessment.status in (Assessment.Status.RETURNED, Assessment.Status.RESUBMITTED):
            assert assessment.revision == 1
            assert ReturnedIndicator.objects.filter(assessment=assessment).exists()
    # Submitted work has the evidence its indicators ask for (files or links).
    submitted = Answer.objects.filter(assessment__status=Assessment.Status.SUBMITTED, not_applicable=False)
    assert not submitted.exclude(indicator__evidence_required="").filter(evidence__isnull=True).exists()


@pytest.mark.django_db
def test_sample_evidence_files_are_real_and_match_their_checksums(registry, evidence_root):
    generate_national_round(registry=registry, year=2570, seed=4, sample_files=5)
    real = [e for e in Evidence.objects.exclude(file="") if evidence_storage().exists(e.file.name)]
    assert len(real) == 5
    for evidence in real:
        data = evidence_storage().open(evidence.file.name, "rb").read()
        assert data.startswith(b"%PDF-") and len(data) == evidence.size
        assert hashlib.sha256(data).hexdigest() == evidence.sha256
    assert Evidence.objects.exclude(url="").exists()


@pytest.mark.django_db
def test_command_prints_stage_times_and_refuses_a_missing_registry(registry, evidence_root, tmp_path, capsys):
    call_command("generate_national_round", "--registry", str(registry), "--limit", "20", "--sample-files", "0")
    out = capsys.readouterr().out
    assert "registry import" in out and "total" in out
    assert Organization.objects.count() == 20
    with pytest.raises(CommandError, match="Registry file not found"):
        call_command("generate_national_round", "--registry", str(tmp_path / "missing.csv"), "--year", "2571")
    with pytest.raises(DatasetError, match="already exists"):
        generate_national_round(registry=registry, year=2570)


@pytest.mark.django_db
def test_review_leaves_assignments_verified_answers_and_a_consistent_trail(registry, evidence_root):
    report = generate_national_round(registry=registry, year=2570, seed=5, sample_files=0)
    assessments = Assessment.objects.filter(round__year=2570)
    statuses = Counter(assessments.values_list("status", flat=True))
    assert len(statuses) >= 6  # 50 organizations spread over the workflow
    # Every assessment has a team of its own province.
    assert Assignment.objects.count() == assessments.count()
    assert not Assignment.objects.exclude(team__province=F("assessment__organization__district__province")).exists()
    reviewed = (
        Assessment.Status.VERIFIED,
        Assessment.Status.APPROVED,
        Assessment.Status.PUBLISHED,
        Assessment.Status.APPEALED,
    )
    for assessment in assessments.select_related("organization__district__province", "round"):
        verified = VerifiedAnswer.objects.filter(assessment=assessment)
        if assessment.status in reviewed:
            # Complete: one verified answer per self-assessed indicator, points as the engine gives.
            assert verified.count() == assessment.answers.count()
            assert assessment.events.filter(kind=AssessmentEvent.Kind.VERIFIED).exists()
        elif assessment.status != Assessment.Status.IN_REVIEW:
            assert not verified.exists()
        times = list(assessment.events.exclude(kind=AssessmentEvent.Kind.SCORE_CHANGED).values_list("at", flat=True))
        assert times == sorted(times)
        steps = assessment.events.exclude(from_status="").values_list("from_status", "to_status")
        for (_before, after), (following, _next) in zip(steps, list(steps)[1:]):
            assert after == following  # each status change starts where the previous ended
        if assessment.status != Assessment.Status.DRAFT:
            assert list(steps)[-1][1] == assessment.status
    for row in VerifiedAnswer.objects.select_related("indicator__category__dimension", "indicator__province").prefetch_related(
        "ticked", "indicator__options"
    )[:400]:
        spec = row.indicator.as_spec()
        answer = row.assessment.answers.get(indicator=row.indicator)
        assert row.points == scoring.indicator_points(spec, row.as_scoring_answer(claimed_na=answer.not_applicable))
    assert report.counts["verified answers"] == VerifiedAnswer.objects.count()
    assert VerifiedAnswer.objects.exclude(reason="").exists()  # some results differ, each with a reason
    assert AssessmentEvent.objects.filter(kind=AssessmentEvent.Kind.SCORE_CHANGED).count() == VerifiedAnswer.objects.count()
    assert Appeal.objects.count() == report.counts["appeals"]
    # Stored results: an overall row and one per dimension for every assessment.
    assert Result.objects.overall().filter(assessment__round__year=2570).count() == assessments.count()
    assert report.counts["stored results"] == Result.objects.count()
    assert set(Appeal.objects.values_list("assessment__status", flat=True)) <= {Assessment.Status.APPEALED}
