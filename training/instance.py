"""The training instance: a practice copy of LPA prepared for a training day, and its reset.

prepare_training() makes, for each chosen province: the provincial office's account, a team of
four assessors, and a few organizations of different types (picked from the registry already
imported, or made when the province has none) each with a staff and a head account; the round
of the day's assessment year, made from a framework workbook and opened with its
self-assessment window around the day; the team assigned to the organizations, visiting on
the day. Every account gets a random one-time password, returned to the caller (for the
trainers' sheets) and otherwise kept only as its hash: it must be changed at first sign-in
(training.first_sign_in).

"Real data", which both refuse to touch (real_data() says what was found):
- a round other than the training round (a framework is the department's work; its
  assessments, answers and reviews hang on it);
- a user other than the training accounts, the accounts made during the practice day (every
  role granted by a training account), and superusers with no role (whoever administers the
  practice copy).
Organizations, provinces and districts are the registry: never real data on their own (anyone
working on them is a user, and their assessments belong to a round).

reset_training() puts the copy back as it was prepared: once real_data() has found nothing,
it empties the tables of the practice day's activity (assessments and their audit trail,
reviews, results, exports, notifications, feedback, sessions, queued jobs), deletes the
practice day's accounts, and prepares again with the same day, provinces and framework; every
account gets its first one-time password back, so the sheets handed out stay valid. The audit
trail refuses TRUNCATE unless the transaction says otherwise (assessments migration 0006):
this is the one place outside the test suite that says so, and only after the check above.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.storage import storages
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.passwords import temporary_password
from assessments.models import Assessment, Evidence, Round
from assessments.storage import evidence_storage
from assessments.workbook import import_framework_workbook
from exports.models import Export
from feedback.models import Feedback
from organizations.models import District, Organization, Province
from reviews import teams as review_teams
from training.models import TrainingAccount, TrainingDay, TrainingOrganization

FRAMEWORK = settings.BASE_DIR / "fixtures" / "demo_framework_2569.xlsx"
ASSESSORS = 4
# One organization of each group, in this order, when the province's registry has one.
TYPE_GROUPS = (
    (Organization.Type.PAO,),
    (
        Organization.Type.CITY_MUNICIPALITY,
        Organization.Type.TOWN_MUNICIPALITY,
        Organization.Type.SUBDISTRICT_MUNICIPALITY,
        Organization.Type.PATTAYA,
    ),
    (Organization.Type.SAO,),
)
# The round's windows around the training day.
SELF_ASSESSMENT_BEFORE = datetime.timedelta(days=14)
SELF_ASSESSMENT_AFTER = datetime.timedelta(days=14)
REVIEW_DAYS = 30
APPEAL_DAYS = 15
# The practice day's activity: emptied by a reset, whole tables (models of these apps).
ACTIVITY_APPS = ("assessments", "reviews", "results", "exports", "notifications", "feedback", "sessions", "django_tasks_database")


class TrainingRefused(Exception):
    """The database holds real data, or no training to reset, or one already prepared."""


@dataclass(frozen=True)
class IssuedAccount:
    province: Province
    username: str
    name: str
    role: str
    organization: Organization | None
    # The one-time password, or "" when a reset gave back the one handed out before.
    password: str


# Real data.


def practice_users():
    """Accounts of the practice day: the training accounts and those whose every role a
    training account granted (a provincial office adding people during the exercise)."""
    granted_in_training = Role.objects.filter(user=OuterRef("pk"), granted_by__training_account__isnull=False)
    granted_otherwise = Role.objects.filter(user=OuterRef("pk")).filter(
        Q(granted_by__isnull=True) | Q(granted_by__training_account__isnull=True)
    )
    return User.objects.filter(
        Q(training_account__isnull=False) | (Exists(granted_in_training) & ~Exists(granted_otherwise))
    )


def real_data() -> list[str]:
    """What makes this database a real one (Thai, one line each); empty when it holds none."""
    found = []
    training = TrainingDay.objects.first()
    rounds = Round.objects.all() if training is None else Round.objects.exclude(year=training.year)
    years = list(rounds.order_by("year").values_list("year", flat=True)[:5])
    if years:
        found.append(
            _("มีรอบการประเมินที่ไม่ได้สร้างโดยชุดฝึกอบรม: ปี %(years)s") % {"years": ", ".join(map(str, years))}
        )
    has_role = Role.objects.filter(user=OuterRef("pk"))
    people = (
        User.objects.exclude(pk__in=practice_users().values("pk"))
        .exclude(Q(is_superuser=True) & ~Exists(has_role))
        .order_by("username")
    )
    count = people.count()
    if count:
        names = ", ".join(people.values_list("username", flat=True)[:5])
        found.append(_("มีบัญชีผู้ใช้จริง %(count)s บัญชี เช่น %(names)s") % {"count": count, "names": names})
    return found


def _refuse_real_data() -> None:
    found = real_data()
    if found:
        raise TrainingRefused(
            _("ฐานข้อมูลนี้มีข้อมูลจริง จึงไม่เตรียมหรือคืนค่าชุดฝึกอบรม: %(found)s") % {"found": "; ".join(found)}
        )


# Prepare.


def assessment_year(day: datetime.date) -> int:
    """The Buddhist Era year of `day`: the round running then."""
    return day.year + 543


@transaction.atomic
def prepare_training(
    *,
    provinces: list[Province],
    day: datetime.date,
    framework: Path | str = FRAMEWORK,
    password_hashes: dict[str, str] | None = None,
) -> list[IssuedAccount]:
    """Prepare the practice copy (see the module's docstring); the accounts issued, by province.

    `password_hashes` (username → hash) gives accounts back the password handed out before.
    """
    _refuse_real_data()
    if TrainingDay.objects.exists():
        raise TrainingRefused(_("เตรียมชุดฝึกอบรมไว้แล้ว ใช้ --reset เพื่อคืนค่าให้เหมือนเมื่อเตรียม"))
    if not provinces:
        raise TrainingRefused(_("ไม่มีจังหวัดที่จะเตรียม"))
    framework = Path(framework)
    training = TrainingDay.objects.create(day=day, year=assessment_year(day), framework=str(framework))
    training.provinces.set(provinces)
    passwords = _Passwords(password_hashes or {})
    # Organizations and accounts first: the round opens for every organization there is.
    people = {province: _province_people(province, passwords) for province in provinces}
    assessment_round = _open_round(framework, year=training.year, day=day)
    issued = []
    for province, (office, assessors, organizations, accounts) in people.items():
        team = review_teams.create_team(
            assessment_round=assessment_round,
            province=province,
            name=_("คณะผู้ประเมินฝึกอบรม"),
            members=assessors,
            lead=assessors[0],
            by=office,
        )
        assessments = Assessment.objects.filter(round=assessment_round, organization__in=organizations)
        review_teams.assign(team=team, assessments=list(assessments), by=office, visit_on=day)
        issued += accounts
    return issued


class _Passwords:
    """A new one-time password per account, or the hash it had before a reset."""

    def __init__(self, hashes: dict[str, str]):
        self.hashes = hashes

    def set(self, user: User) -> str:
        if user.username in self.hashes:
            user.password = self.hashes[user.username]
            return ""
        password = temporary_password()
        user.password = make_password(password)
        return password


def _province_people(province: Province, passwords: _Passwords):
    """The province's office, assessors, organizations with staff and head, and the accounts issued."""
    accounts: list[IssuedAccount] = []

    def account(username, first_name, last_name, position, kind, *, organization=None) -> User:
        user = User(username=username, first_name=first_name, last_name=last_name, position=position)
        password = passwords.set(user)
        user.save()
        TrainingAccount.objects.create(user=user, province=province, initial_password=user.password)
        Role.objects.create(
            user=user, kind=kind, organization=organization, province=None if organization else province
        )
        accounts.append(
            IssuedAccount(province, username, f"{first_name} {last_name}", Role.Kind(kind).label, organization, password)
        )
        return user

    prefix = f"t{province.code}"
    office = account(
        f"{prefix}-office", _("สถจ."), province.name_th, _("ท้องถิ่นจังหวัด (ฝึกอบรม)"), Role.Kind.PROVINCIAL_ADMIN
    )
    assessors = [
        account(
            f"{prefix}-assessor{n}",
            _("ผู้ประเมิน %(n)s") % {"n": n},
            province.name_th,
            _("คณะผู้ประเมิน (ฝึกอบรม)"),
            Role.Kind.PROVINCIAL_ASSESSOR,
        )
        for n in range(1, ASSESSORS + 1)
    ]
    organizations = _organizations(province)
    for organization in organizations:
        for kind, label, suffix in (
            (Role.Kind.ORG_STAFF, _("เจ้าหน้าที่"), "staff"),
            (Role.Kind.ORG_HEAD, _("ผู้บริหาร"), "head"),
        ):
            account(
                f"{prefix}-{organization.code}-{suffix}",
                label,
                organization.name,
                _("%(role)s %(organization)s (ฝึกอบรม)") % {"role": label, "organization": organization.name},
                kind,
                organization=organization,
            )
    return office, assessors, organizations, accounts


def _organizations(province: Province) -> list[Organization]:
    """One organization of each TYPE_GROUPS group from the province's registry (lowest code
    first), or, for a province with none, one made per group in its first district."""
    marked = list(
        Organization.objects.filter(training_mark__isnull=False, district__province=province).order_by("code")
    )
    if marked:  # a reset: the same organizations again
        return marked
    in_registry = Organization.objects.filter(district__province=province, is_active=True).order_by("code")
    picked = [found for group in TYPE_GROUPS if (found := in_registry.filter(type__in=group).first())]
    created = False
    if not picked:
        district = District.objects.filter(province=province).order_by("code").first()
        if district is None:
            raise TrainingRefused(_("จังหวัด%(province)sไม่มีอำเภอในฐานข้อมูล") % {"province": province.name_th})
        created = True
        picked = [
            Organization.objects.create(
                code=f"{digit}{district.code}{number}",
                name=name,
                type=org_type,
                district=district,
            )
            for digit, number, org_type, name in (
                ("2", "90", Organization.Type.PAO, province.name_th),
                ("5", "91", Organization.Type.SUBDISTRICT_MUNICIPALITY, _("%(d)s (ฝึกอบรม)") % {"d": district.name_th}),
                ("6", "92", Organization.Type.SAO, _("%(d)s (ฝึกอบรม)") % {"d": district.name_th}),
            )
        ]
    TrainingOrganization.objects.bulk_create(
        TrainingOrganization(organization=organization, created=created) for organization in picked
    )
    return picked


def _open_round(framework: Path, *, year: int, day: datetime.date) -> Round:
    """The year's round from the framework workbook, its windows around `day`, opened."""
    assessment_round = import_framework_workbook(framework, by=None, year=year)
    one = datetime.timedelta(days=1)
    assessment_round.self_assessment_opens = day - SELF_ASSESSMENT_BEFORE
    assessment_round.self_assessment_closes = day + SELF_ASSESSMENT_AFTER
    assessment_round.review_opens = assessment_round.self_assessment_closes + one
    assessment_round.review_closes = assessment_round.review_opens + (REVIEW_DAYS - 1) * one
    assessment_round.appeal_opens = assessment_round.review_closes + one
    assessment_round.appeal_closes = assessment_round.appeal_opens + (APPEAL_DAYS - 1) * one
    assessment_round.full_clean()
    assessment_round.save()
    assessment_round.open(by=None)
    return assessment_round


# Reset.


@transaction.atomic
def reset_training() -> list[IssuedAccount]:
    """Put the practice copy back as it was prepared (see the module's docstring)."""
    training = TrainingDay.objects.select_for_update().first()
    if training is None:
        raise TrainingRefused(_("ยังไม่ได้เตรียมชุดฝึกอบรมในฐานข้อมูลนี้ จึงไม่มีสิ่งที่จะคืนค่า"))
    _refuse_real_data()
    day, framework = training.day, training.framework
    provinces = list(training.provinces.order_by("code"))
    hashes = dict(TrainingAccount.objects.values_list("user__username", "initial_password"))
    files = _stored_files()
    _empty_activity_tables()
    practice_users().delete()
    training.delete()
    transaction.on_commit(lambda: _delete_files(files))
    return prepare_training(provinces=provinces, day=day, framework=framework, password_hashes=hashes)


def _stored_files() -> list[tuple[str, str]]:
    """(storage alias, name) of every file the practice day stored: evidence, screenshots, exports."""
    files = [("evidence", name) for name in Evidence.objects.exclude(file="").values_list("file", flat=True)]
    files += [("evidence", name) for name in Feedback.objects.exclude(screenshot="").values_list("screenshot", flat=True)]
    files += [("exports", name) for name in Export.objects.exclude(file="").values_list("file", flat=True)]
    return files


def _delete_files(files: list[tuple[str, str]]) -> None:
    for alias, name in files:
        storage = evidence_storage() if alias == "evidence" else storages[alias]
        storage.delete(name)


def _empty_activity_tables() -> None:
    tables = [
        model._meta.db_table
        for config in apps.get_app_configs()
        if config.label in ACTIVITY_APPS
        for model in config.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lpa.allow_audit_truncate = 'on'")
            # TRUNCATE refuses tables with foreign-key checks still pending in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=False))
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are checked at commit
