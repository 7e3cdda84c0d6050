"""The demo: three real provinces, their real districts, plausible organizations, a user per role,
and the 2569 round open for self-assessment (its window around the day the demo is loaded),
after a 2568 round closed and published for every organization, so the dashboards have a
previous year to compare with.

In กระบี่ the provincial review is under way: two assessment teams of four share the
province's organizations, each with a planned visit date. The demo organization (4810103)
is on team 1, led by the demo `assessor`, and still in draft; a few other organizations are
further along (submitted, in review, verified, approved), so the board and the queue show
something. They get there through the real functions (save_answer, submit,
save_verified_answer, verify, approve), answered by their own head (an account without a
password: nobody signs in as them).

The 2568 round is demo/history.py's.

Self-contained (no ../shared): organizations are generated from the geothai district and
subdistrict names and go in through the same registry importer as DLA's files, so the demo
also exercises that path. Safe to run again: everything is upserted, and what has moved on
(a team, an assignment, an assessment past draft) is left as it is.
"""

import csv
import datetime
import io
from dataclasses import dataclass

import geothai
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from assessments import scoring
from assessments.evidence import add_evidence_file, add_evidence_link, attach_stored_files
from assessments.framework import add_indicator, remove_indicator, update_indicator
from assessments.models import Answer, Assessment, Indicator, Round
from assessments.selfassessment import answer_for, save_answer, submit
from demo.framework import load_demo_framework, open_demo_round
from demo.history import load_previous_year
from organizations.models import Organization, OrganizationTypeChange, Province
from organizations.registry import import_registry
from results.scores import refresh_results
from reviews import teams as review_teams
from reviews import workflow
from reviews.models import Assignment, Team, TeamMember, VerifiedAnswer

DEMO_PASSWORD = "lpa-demo-2569"
DEMO_PROVINCES = ("81", "20", "52")  # กระบี่, ชลบุรี, ลำปาง

# Real larger municipalities of the demo provinces: (district code, type label, name, running no.)
MUNICIPALITIES = [
    ("8101", "เทศบาลเมือง", "กระบี่", "03"),
    ("2001", "เทศบาลเมือง", "ชลบุรี", "03"),
    ("2007", "เทศบาลนคร", "แหลมฉบัง", "04"),
    ("2004", "เมืองพัทยา", "เมืองพัทยา", "08"),
    ("5201", "เทศบาลนคร", "ลำปาง", "03"),
]
# An อบต. upgraded to เทศบาลตำบล that kept its 6-prefixed code, as two real ones did.
UPGRADED_CODE_DISTRICT = "8104"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    position: str
    kind: str
    organization_code: str = ""
    province_code: str = ""


DEMO_ORGANIZATION = "4810103"  # เทศบาลเมืองกระบี่
DEMO_USERS = [
    DemoUser("org_staff", "สุดารัตน์", "ใจงาม", "นักวิเคราะห์นโยบายและแผน", Role.Kind.ORG_STAFF, DEMO_ORGANIZATION),
    DemoUser("org_head", "ประเสริฐ", "ทองดี", "นายกเทศมนตรีเมืองกระบี่", Role.Kind.ORG_HEAD, DEMO_ORGANIZATION),
    DemoUser("assessor", "วิภาวรรณ", "ศรีสุข", "ท้องถิ่นอำเภอเมืองกระบี่", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"),
    DemoUser("assessor2", "สมชาย", "รักษ์ถิ่น", "ท้องถิ่นอำเภอเขาพนม", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"),
    DemoUser("assessor3", "นันทนา", "บุญมา", "ท้องถิ่นอำเภอเกาะลันตา", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"),
    DemoUser(
        "assessor4",
        "พิชิต",
        "ทะเลงาม",
        "นักวิชาการส่งเสริมการปกครองท้องถิ่น สถจ.กระบี่",
        Role.Kind.PROVINCIAL_ASSESSOR,
        province_code="81",
    ),
    DemoUser("assessor5", "อัมพร", "แสงทอง", "ท้องถิ่นอำเภออ่าวลึก", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"),
    DemoUser("assessor6", "ชัยวัฒน์", "ปานเพชร", "ท้องถิ่นอำเภอปลายพระยา", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"),
    DemoUser("assessor7", "กาญจนา", "ศรีวิไล", "ท้องถิ่นอำเภอลำทับ", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"),
    DemoUser(
        "assessor8", "ณัฐพล", "มีสุข", "นักวิชาการเงินและบัญชี สถจ.กระบี่", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"
    ),
    DemoUser("province_admin", "ธนากร", "แก้วมณี", "ท้องถิ่นจังหวัดกระบี่", Role.Kind.PROVINCIAL_ADMIN, province_code="81"),
    DemoUser("chonburi_admin", "อรุณี", "พงษ์ไพร", "ท้องถิ่นจังหวัดชลบุรี", Role.Kind.PROVINCIAL_ADMIN, province_code="20"),
    DemoUser("dla_official", "กิตติพงษ์", "วงศ์ใหญ่", "นักวิชาการส่งเสริมการปกครองท้องถิ่น", Role.Kind.DEPARTMENT_OFFICIAL),
    DemoUser("sysadmin", "ผู้ดูแล", "ระบบ", "ผู้ดูแลระบบ", Role.Kind.SYSTEM_ADMIN),
]


def demo_registry_rows() -> list[dict[str, str]]:
    """Rows in DLA's registry layout for the demo provinces."""
    rows = []
    for province_code in DEMO_PROVINCES:
        province = geothai.province(province_code)
        districts = geothai.districts(province_code)
        capital = districts[0]
        rows.append(_row(province.name_th, capital.name_th, f"2{capital.code}01", "อบจ.", province.name_th))
        for district in districts:
            subdistricts = geothai.subdistricts(district.code)
            # One subdistrict municipality named for the district's first subdistrict, then
            # subdistrict administrative organizations for the next few.
            rows.append(_row(province.name_th, district.name_th, f"5{district.code}02", "ทต.", subdistricts[0].name_th))
            for number, sub in enumerate(subdistricts[1:4], start=5):
                # The upgraded one is already a ทต. in the registry; its history says since when.
                label = "ทต." if (district.code == UPGRADED_CODE_DISTRICT and number == 5) else "อบต."
                rows.append(_row(province.name_th, district.name_th, f"6{district.code}{number:02d}", label, sub.name_th))
    for district_code, type_label, name, number in MUNICIPALITIES:
        district = geothai.district(district_code)
        province = geothai.province(district.province_code)
        rows.append(_row(province.name_th, district.name_th, f"{_type_digit(type_label)}{district_code}{number}", type_label, name))
    return rows


def _type_digit(label: str) -> str:
    return {"เทศบาลเมือง": "4", "เทศบาลนคร": "3", "เมืองพัทยา": "3"}[label]


def _row(province: str, district: str, code: str, type_label: str, name: str) -> dict[str, str]:
    return {"จังหวัด": province, "อำเภอ": district, "รหัส อปท.": code, "ประเภท อปท.": type_label, "อปท.": name}


def _registry_csv(rows: list[dict[str, str]]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


@transaction.atomic
def seed_demo(*, progress: bool = True) -> dict[str, int]:
    """Load (or top up) the demo. `progress=False` leaves out the organizations further along
    (DEMO_PROGRESS) and last year's review teams (CALIBRATION_TEAMS): they are most of the time
    it takes, and most tests do not need them."""
    report = import_registry(_registry_csv(demo_registry_rows()), file_name="demo-registry.csv")
    _upgrade_one_organization()
    # Hashed once for all: the password hasher is slow on purpose (~0.5 s a hash), and every
    # demo account has the same published password anyway.
    password = make_password(DEMO_PASSWORD)
    users = {demo.username: _demo_user(demo, password=password) for demo in DEMO_USERS}
    previous = load_previous_year(by=users["dla_official"])
    if progress:  # the review further along: last year's teams, one harsh and one soft
        _calibration_teams(previous, users)
    framework = load_demo_framework(by=users["dla_official"])
    change_framework_since_last_year(framework, by=users["dla_official"])
    today = timezone.localdate()
    open_demo_round(framework, by=users["dla_official"], today=today)
    _demo_review(framework, users, today=today, progress=progress)
    share_demo_evidence(framework, by=users["org_staff"])
    return {
        "organizations": Organization.objects.count(),
        "created": report.created,
        "users": len(DEMO_USERS),
        "round": framework.year,
        "indicators": framework.indicators.count(),
        "assessments": framework.assessments.count(),
        "previous_round": previous.year,
        "previous_assessments": previous.assessments.count(),
    }


def change_framework_since_last_year(framework: Round, *, by: User) -> None:
    """Make 2569's framework differ from 2568's the way DLA's yearly rewrite does, so the
    framework comparison and the year-over-year marks have something to show: one indicator
    added (a pilot), one removed, one moved to another category, one renamed, one with new
    points, one no longer for อบจ., one pilot that now counts.

    Done through the department's own functions while the round is in set-up; a round already
    opened (the demo loaded before) is left as it is.
    """
    if not framework.is_editable:
        return
    indicators = {indicator.code: indicator for indicator in framework.indicators.all()}
    if "4.4.1" not in indicators:
        return  # changed already
    update_indicator(indicators["4.4.2"], changes={"title": "การส่งเสริมการท่องเที่ยวและเศรษฐกิจชุมชน"}, by=by)
    culture = framework.dimensions.get(number=4).categories.get(number=6)
    update_indicator(indicators["4.5.4"], changes={"category": culture, "position": 2}, by=by)
    levels = [
        {"label": option.label, "description": option.description, "points": option.points, "threshold": option.threshold}
        for option in indicators["2.2.3"].options.all()
    ]
    # The middle levels are worth less: full marks stay, the same work may score lower.
    for level in levels[1:-1]:
        level["points"] = max(level["points"] - 1, 0)
    update_indicator(indicators["2.2.3"], changes={"options": levels}, by=by)
    water = [t for t in indicators["4.1.3"].applies_to if t != Organization.Type.PAO]
    update_indicator(indicators["4.1.3"], changes={"applies_to": water}, by=by)
    update_indicator(indicators["1.3.2"], changes={"is_pilot": False}, by=by)
    remove_indicator(indicators["4.4.1"], by=by)
    add_indicator(
        category=framework.dimensions.get(number=5).categories.get(number=1),
        fields={
            "code": "5.1.6",
            "title": "การเปิดเผยข้อมูลสาธารณะในรูปแบบข้อมูลเปิด (Open Data)",
            "description": "ตัวชี้วัดนำร่องปี 2569 ประเมินแต่ไม่นำมานับคะแนน",
            "evidence_required": "1. ภาพหน้าจอชุดข้อมูลที่เผยแพร่\n2. รายการชุดข้อมูลและวันที่ปรับปรุงล่าสุด",
            "kind": Indicator.Kind.CHECKLIST,
            "is_pilot": True,
            "position": 6,
        },
        options=[
            {"label": "มีบัญชีข้อมูล (Data Catalog)", "points": 1},
            {"label": "เผยแพร่ชุดข้อมูลอย่างน้อย 3 ชุด", "points": 2},
            {"label": "ปรับปรุงข้อมูลภายใน 12 เดือน", "points": 2},
        ],
        by=by,
    )


# One order given as evidence for several indicators, as organizations do: stored once, shown
# on each (and offered by the picker for the others).
SHARED_EVIDENCE_NAME = "คำสั่งแต่งตั้งคณะทำงาน LPA 2569.pdf"
SHARED_EVIDENCE_CODES = ("2.1.1", "2.1.5", "5.1.4")


def share_demo_evidence(framework: Round, *, by: User) -> None:
    """The demo organization's one PDF attached to three indicators outside dimension 1 (the
    journeys fill dimension 1): uploaded once, then picked from its files for the others.
    Left alone once there, or when the assessment is past draft."""
    from demo.national_dataset import _small_pdf

    assessment = Assessment.objects.get(round=framework, organization__code=DEMO_ORGANIZATION)
    if assessment.status != Assessment.Status.DRAFT or assessment.answers.filter(evidence__sha256__gt="").exists():
        return
    indicators = {i.code: i for i in Indicator.objects.for_assessment(assessment).filter(code__in=SHARED_EVIDENCE_CODES)}
    first, *others = [indicators[code] for code in SHARED_EVIDENCE_CODES if code in indicators]
    data = _small_pdf(f"LPA 2569 {DEMO_ORGANIZATION} order")
    evidence = add_evidence_file(
        answer=answer_for(assessment, first), upload=ContentFile(data, name=SHARED_EVIDENCE_NAME), by=by
    )
    for indicator in others:
        attach_stored_files(answer=answer_for(assessment, indicator), stored_ids=[evidence.stored_id], by=by)


def _upgrade_one_organization() -> None:
    """Show type history: one demo อบต. became a เทศบาลตำบล on 1 Oct 2024 (2567)."""
    organization = Organization.objects.get(code=f"6{UPGRADED_CODE_DISTRICT}05")
    if organization.type_changes.exists():
        return
    OrganizationTypeChange.objects.create(
        organization=organization,
        from_type=Organization.Type.SAO,
        to_type=Organization.Type.SUBDISTRICT_MUNICIPALITY,
        effective_date=datetime.date(2024, 10, 1),
        note="ยกฐานะเป็นเทศบาลตำบล (ข้อมูลสาธิต)",
    )


def _demo_user(demo: DemoUser, *, password: str) -> User:
    user, _ = User.objects.update_or_create(
        username=demo.username,
        defaults={
            "first_name": demo.first_name,
            "last_name": demo.last_name,
            "email": f"{demo.username}@demo.lpa.go.th",
            "position": demo.position,
            "is_active": True,
            "is_staff": demo.kind == Role.Kind.SYSTEM_ADMIN,
            "is_superuser": demo.kind == Role.Kind.SYSTEM_ADMIN,
        },
    )
    user.password = password
    user.save(update_fields=["password"])
    Role.objects.get_or_create(
        user=user,
        kind=demo.kind,
        organization=Organization.objects.get(code=demo.organization_code) if demo.organization_code else None,
        province=Province.objects.get(code=demo.province_code) if demo.province_code else None,
    )
    return user


# The provincial review in กระบี่.

REVIEW_PROVINCE = "81"
# (name, members with the lead first, districts whose organizations the team reviews)
DEMO_TEAMS = [
    ("คณะผู้ประเมินที่ 1", ("assessor", "assessor2", "assessor3", "assessor4"), ("8101", "8102", "8103", "8104")),
    ("คณะผู้ประเมินที่ 2", ("assessor5", "assessor6", "assessor7", "assessor8"), ("8105", "8106", "8107", "8108")),
]
# Organizations further along than the demo organization (left in draft), and how far.
# Each costs about a thousand queries (every indicator answered with its evidence, then
# scored), and seed_demo runs before every browser test: keep the list short.
DEMO_PROGRESS = [
    ("5810102", Assessment.Status.SUBMITTED),  # ทต.ปากน้ำ, team 1: waits for its review
    ("6810105", Assessment.Status.IN_REVIEW),  # อบต.กระบี่ใหญ่, team 1: some indicators scored
    ("6810505", Assessment.Status.VERIFIED),  # อบต.แหลมสัก, team 2: waits for the office's approval
    ("6810205", Assessment.Status.APPROVED),  # อบต.เขาดิน, team 1: waits for publication
]
IN_REVIEW_SCORED = 20  # indicators the team has scored in the one left in review
# Visits: those further along were visited last week; the rest from the review window on.
VISITED_DAYS_AGO = 7
VISITS_PER_DAY = 2


def _demo_review(assessment_round: Round, users: dict[str, User], *, today: datetime.date, progress: bool) -> None:
    """Krabi's two teams, every Krabi organization assigned with a visit date, and DEMO_PROGRESS."""
    province = Province.objects.get(code=REVIEW_PROVINCE)
    office = users["province_admin"]
    further = dict(DEMO_PROGRESS) if progress else {}
    for name, members, districts in DEMO_TEAMS:
        team = Team.objects.filter(round=assessment_round, province=province, name=name).first()
        if team is None:
            people = [users[username] for username in members]
            team = review_teams.create_team(
                assessment_round=assessment_round, province=province, name=name, members=people, lead=people[0], by=office
            )
        waiting = list(
            review_teams.unassigned(review_teams.province_assessments(assessment_round, province))
            .filter(organization__district__code__in=districts)
            .select_related("organization")
            .order_by("organization__code")
        )
        if not waiting:
            continue
        review_teams.assign(team=team, assessments=waiting, by=office)
        # Those further along first: their visit is over.
        waiting.sort(key=lambda a: (a.organization.code not in further, a.organization.code))
        visited = [a for a in waiting if a.organization.code in further]
        dates = {a: today - datetime.timedelta(days=VISITED_DAYS_AGO + n) for n, a in enumerate(visited)}
        later = waiting[len(visited) :]
        first_visit = assessment_round.review_opens or today
        dates |= {a: first_visit + datetime.timedelta(days=n // VISITS_PER_DAY) for n, a in enumerate(later)}
        review_teams.set_visit_dates(team=team, dates=dates, by=office)
    for variant, (code, status) in enumerate(further.items()):
        assessment = Assessment.objects.select_related("round", "organization__district").get(
            round=assessment_round, organization__code=code
        )
        if assessment.status == Assessment.Status.DRAFT and not assessment.answers.exists():
            _take_forward(assessment, status, variant=variant, office=office)


def _take_forward(assessment: Assessment, status: str, *, variant: int, office: User) -> None:
    """Self-assess, submit and, as far as `status`, review `assessment` through the real functions."""
    head = _organization_head(assessment.organization)
    indicators = list(Indicator.objects.for_assessment(assessment).prefetch_related("options"))
    own = {}
    for number, indicator in enumerate(indicators):
        own[indicator] = _own_answer(indicator, number + variant)
        answer = save_answer(
            assessment=assessment, indicator=indicator, data=own[indicator], expected_version=0, by=head
        )
        add_evidence_link(
            answer=answer,
            url=f"https://www.{assessment.organization.code}.go.th/lpa/{assessment.round.year}/{indicator.code}",
            title=f"หลักฐานตัวชี้วัด {indicator.code}",
            by=head,
        )
    submit(assessment, by=head)
    if status == Assessment.Status.SUBMITTED:
        return
    team = assessment.assignment.team
    members = list(team.members.select_related("user").order_by("-is_lead", "pk"))
    scorer, lead = members[-1].user, members[0].user
    scored = indicators[:IN_REVIEW_SCORED] if status == Assessment.Status.IN_REVIEW else indicators
    for number, indicator in enumerate(scored):
        workflow.save_verified_answer(
            assessment=assessment,
            indicator=indicator,
            data=_verified_answer(indicator, own[indicator], number + variant),
            expected_version=0,
            by=scorer,
        )
    if status == Assessment.Status.IN_REVIEW:
        return
    workflow.verify(assessment=assessment, by=lead)
    if status == Assessment.Status.APPROVED:
        workflow.approve(assessment=assessment, by=office)


def _organization_head(organization: Organization) -> User:
    """The organization's head for the demo: a real account nobody signs in with."""
    user, created = User.objects.get_or_create(
        username=f"head_{organization.code}",
        defaults={
            "first_name": "ผู้บริหาร",
            "last_name": organization.full_name,
            "email": f"head_{organization.code}@demo.lpa.go.th",
            "position": "ผู้บริหารท้องถิ่น (ข้อมูลสาธิต)",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Role.objects.get_or_create(user=user, kind=Role.Kind.ORG_HEAD, organization=organization)
    return User.objects.get(pk=user.pk)  # fresh: no scope cached before the role


def _own_answer(indicator: Indicator, n: int) -> dict:
    """A plausible self-assessment: mostly full marks, now and then a little less, an N/A."""
    options = list(indicator.options.all())
    if indicator.allows_not_applicable and n % 5 == 0:
        return {"not_applicable": True, "na_reason": "ไม่มีภารกิจด้านนี้ในพื้นที่ (ข้อมูลสาธิต)"}
    if indicator.kind == Indicator.Kind.LEVELS:
        best = sorted(options, key=lambda option: option.points, reverse=True)
        return {"level": best[1 if n % 4 == 0 and len(best) > 1 else 0].pk}
    if indicator.kind == Indicator.Kind.FIGURE:
        top = max(option.threshold for option in options)
        return {"figure": str(top + n % 3)}
    ticked = options[:-1] if n % 4 == 0 else options
    return {"ticked": [option.pk for option in ticked]}


def _verified_answer(indicator: Indicator, own: dict, n: int) -> dict:
    """The team agrees, except on every sixth indicator: less, with its reason."""
    options = list(indicator.options.all())
    if own.get("not_applicable"):
        return {"na_confirmed": True}
    if n % 6 != 0:
        return dict(own)
    reason = "หลักฐานไม่ครบตามเกณฑ์: ไม่พบเอกสารฉบับลงนาม (ข้อมูลสาธิต)"
    if indicator.kind == Indicator.Kind.LEVELS:
        lower = [option for option in options if option.points < _points_of(options, own["level"])]
        return {"level": max(lower, key=lambda option: option.points).pk, "reason": reason} if lower else dict(own)
    if indicator.kind == Indicator.Kind.FIGURE:
        lowest = min(option.threshold for option in options)
        return {"figure": str(max(lowest - 1, 0)), "reason": reason}
    return {"ticked": own["ticked"][:-1], "reason": reason}


def _points_of(options: list, pk: int):
    return next(option.points for option in options if option.pk == pk)


# Last year's review teams in กระบี่, for the calibration page (/results/2568/calibration/):
# four teams sharing the province's organizations by district, one of them harsh (it lowers
# most answers that it can by a level) and one soft (it agrees with every claim and now and
# then gives a level more), so the page flags one of each beside two ordinary teams.

# (name, members with the lead first, districts, how it scores)
CALIBRATION_TEAMS = [
    ("คณะผู้ประเมินที่ 1", ("assessor", "assessor2", "assessor3", "assessor4"), ("8101", "8102"), ""),
    ("คณะผู้ประเมินที่ 2", ("assessor5", "assessor6", "assessor7", "assessor8"), ("8103", "8104"), ""),
    ("คณะผู้ประเมินที่ 3", ("assessor2", "assessor4", "assessor6", "assessor8"), ("8105", "8106"), "harsh"),
    ("คณะผู้ประเมินที่ 4", ("assessor3", "assessor5", "assessor7", "assessor"), ("8107", "8108"), "soft"),
]
HARSH_REASON = "ไม่พบหลักฐานครบตามเกณฑ์ในวันลงพื้นที่ (ข้อมูลสาธิต)"
SOFT_EVERY = 3  # the soft team gives a level more on every third levels indicator it can
SOFT_REASON = "ให้คะแนนตามผลงานที่เห็นในวันลงพื้นที่ (ข้อมูลสาธิต)"


def _calibration_teams(previous: Round, users: dict[str, User]) -> None:
    """CALIBRATION_TEAMS in last year's round, once: its assessments assigned, the harsh and
    soft teams' verified answers changed in bulk, their stored results refreshed."""
    province = Province.objects.get(code=REVIEW_PROVINCE)
    if Team.objects.filter(round=previous, province=province).exists():
        return
    office = users["province_admin"]
    changed = []
    for name, members, districts, manner in CALIBRATION_TEAMS:
        team = Team.objects.create(round=previous, province=province, name=name, created_by=office)
        TeamMember.objects.bulk_create(
            TeamMember(team=team, user=users[username], is_lead=number == 0) for number, username in enumerate(members)
        )
        assessments = list(
            previous.assessments.filter(organization__district__code__in=districts).values_list("pk", flat=True)
        )
        Assignment.objects.bulk_create(
            Assignment(assessment_id=pk, team=team, assigned_by=office, visit_on=previous.review_opens)
            for pk in assessments
        )
        if manner:
            _rescore(previous, assessments, harsh=manner == "harsh")
            changed += assessments
    refresh_results(changed)


def _rescore(previous: Round, assessments: list[int], *, harsh: bool) -> None:
    """Harsh: every verified level one below where there is one. Soft: every verified answer
    back to the organization's own, and every SOFT_EVERY-th level one above where there is one.
    Each change with its reason and its points, as the workflow records them."""
    indicators = {
        indicator.pk: indicator
        for indicator in previous.indicators.select_related("category__dimension", "province").prefetch_related("options")
    }
    specs = {pk: indicator.as_spec() for pk, indicator in indicators.items()}
    ranked = {
        pk: sorted(indicator.options.all(), key=lambda option: option.points)
        for pk, indicator in indicators.items()
        if indicator.kind == Indicator.Kind.LEVELS
    }
    own = {
        (row["assessment_id"], row["indicator_id"]): row
        for row in Answer.objects.filter(assessment_id__in=assessments).values(
            "pk", "assessment_id", "indicator_id", "level_id", "figure", "not_applicable"
        )
    }
    own_ticked: dict[int, list[int]] = {}
    for answer, option in Answer.ticked.through.objects.filter(answer__assessment_id__in=assessments).values_list(
        "answer_id", "indicatoroption_id"
    ):
        own_ticked.setdefault(answer, []).append(option)
    rows = list(
        VerifiedAnswer.objects.filter(assessment_id__in=assessments).exclude(na_confirmed=True).order_by("pk")
    )
    changed, ticks = [], {}
    for number, row in enumerate(rows):
        mine = own[(row.assessment_id, row.indicator_id)]
        levels = ranked.get(row.indicator_id)
        if harsh:
            keys = [option.pk for option in levels or []]
            if not levels or row.level_id not in keys or keys.index(row.level_id) == 0:
                continue
            row.level_id, row.reason = keys[keys.index(row.level_id) - 1], HARSH_REASON
            ticked = []  # a levels indicator ticks nothing
        else:
            row.level_id, row.figure, row.reason = mine["level_id"], mine["figure"], ""
            ticked = own_ticked.get(mine["pk"], [])
            keys = [option.pk for option in levels or []]
            if levels and row.level_id in keys and number % SOFT_EVERY == 0 and keys.index(row.level_id) < len(keys) - 1:
                row.level_id, row.reason = keys[keys.index(row.level_id) + 1], SOFT_REASON
            ticks[row.pk] = ticked
        row.points = scoring.indicator_points(
            specs[row.indicator_id], scoring.Answer(level=row.level_id, ticked=frozenset(ticked), figure=row.figure)
        )
        changed.append(row)
    VerifiedAnswer.objects.bulk_update(changed, ["level", "figure", "reason", "points"], batch_size=1000)
    if ticks:
        through = VerifiedAnswer.ticked.through
        through.objects.filter(verifiedanswer_id__in=ticks).delete()
        through.objects.bulk_create(
            through(verifiedanswer_id=row, indicatoroption_id=option) for row, options in ticks.items() for option in options
        )
