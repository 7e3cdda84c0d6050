"""The demo's history: the 2568 round, closed and published for every demo organization, so
the dashboards have a previous year to compare 2569 with (demo/seed.py loads it).

History is loaded in bulk (answers, verified answers, their ticked criteria) rather than
through the workflow's functions, which would take about a thousand queries an
organization; its stored results are then computed by results.scores.refresh_results, the
function every change calls, so they equal the scoring engine's. Its trail holds the
submission and the publication only. Scores vary by organization (a seeded "quality"), so
provinces and dimensions differ, and teams score now and then one step below the claim.
"""

import datetime
import random

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from assessments import scoring
from assessments.models import Answer, Assessment, AssessmentEvent, Indicator, Round
from demo.framework import DEMO_YEAR, load_demo_framework
from organizations.models import Organization
from results.scores import refresh_results
from reviews.models import VerifiedAnswer

PREVIOUS_YEAR = DEMO_YEAR - 1
# Its windows in 2025 (C.E.): self-assessment in the first quarter, review in the second,
# appeals in July, published on the day the appeal window opened.
PREVIOUS_WINDOWS = {
    "self_assessment_opens": datetime.date(2025, 1, 6),
    "self_assessment_closes": datetime.date(2025, 3, 31),
    "review_opens": datetime.date(2025, 4, 1),
    "review_closes": datetime.date(2025, 6, 30),
    "appeal_opens": datetime.date(2025, 7, 1),
    "appeal_closes": datetime.date(2025, 7, 15),
}
PREVIOUS_NOT_APPLICABLE = 0.05  # share of answers claiming "no such mission" (all confirmed)
PREVIOUS_AGREEMENT = 0.85  # share of verified answers equal to the organization's own
PREVIOUS_REASON = "หลักฐานไม่ครบตามเกณฑ์ (ข้อมูลสาธิต ปี 2568)"


def load_previous_year(*, by: User) -> Round:
    """The 2568 round for every demo organization, published; left as it is once loaded."""
    existing = Round.objects.filter(year=PREVIOUS_YEAR).first()
    if existing is not None:
        return existing
    assessment_round = load_demo_framework(year=PREVIOUS_YEAR, by=by)
    for name, day in PREVIOUS_WINDOWS.items():
        setattr(assessment_round, name, day)
    assessment_round.full_clean()
    assessment_round.save()
    assessment_round.open(by=by)
    indicators = list(assessment_round.indicators.select_related("category__dimension", "province").prefetch_related("options"))
    specs = {indicator.pk: indicator.as_spec() for indicator in indicators}
    rows = list(
        assessment_round.assessments.order_by("organization__code").values_list(
            "pk", "organization_id", "organization__code", "org_type", "organization__district__province_id"
        )
    )
    heads = _heads({organization: code for _pk, organization, code, _type, _province in rows})
    closes = PREVIOUS_WINDOWS["self_assessment_closes"]
    submitted = datetime.datetime.combine(closes, datetime.time(10), tzinfo=datetime.UTC)
    verified_at = submitted + datetime.timedelta(days=30)
    answers, verified, ticked, verified_ticked = [], [], [], []
    for pk, organization, code, org_type, province in rows:
        rng = random.Random(f"{PREVIOUS_YEAR}-{code}")
        # How good the organization is (0–1): most do well, a few fail.
        quality = 0.55 + 0.45 * rng.random() ** 0.6
        for indicator in indicators:
            if not indicator.applies(org_type, province):
                continue
            own = _previous_answer(indicator, quality, rng)
            checked, reason = _previous_verdict(indicator, own, rng)
            answers.append(
                Answer(
                    assessment_id=pk,
                    indicator=indicator,
                    level_id=own.get("level"),
                    figure=own.get("figure"),
                    not_applicable="na_reason" in own,
                    na_reason=own.get("na_reason", ""),
                    answered_at=submitted,
                    version=1,
                    updated_by_id=heads[organization],
                    updated_at=submitted,
                )
            )
            ticked.append(own.get("ticked", []))
            confirmed = bool(checked.get("na_confirmed"))
            points = scoring.indicator_points(
                specs[indicator.pk],
                scoring.Answer(
                    level=checked.get("level"),
                    ticked=frozenset(checked.get("ticked", ())),
                    figure=checked.get("figure"),
                    not_applicable=confirmed,
                    na_confirmed=confirmed,
                ),
            )
            verified.append(
                VerifiedAnswer(
                    assessment_id=pk,
                    indicator=indicator,
                    level_id=checked.get("level"),
                    figure=checked.get("figure"),
                    na_confirmed=checked.get("na_confirmed"),
                    reason=reason,
                    points=points,
                    version=1,
                    updated_by=by,
                    updated_at=verified_at,
                )
            )
            verified_ticked.append(checked.get("ticked", []))
    Answer.objects.bulk_create(answers, batch_size=2000)
    VerifiedAnswer.objects.bulk_create(verified, batch_size=2000)
    Ticked, VerifiedTicked = Answer.ticked.through, VerifiedAnswer.ticked.through
    Ticked.objects.bulk_create(
        (Ticked(answer_id=a.pk, indicatoroption_id=o) for a, options in zip(answers, ticked) for o in options),
        batch_size=4000,
    )
    VerifiedTicked.objects.bulk_create(
        (
            VerifiedTicked(verifiedanswer_id=v.pk, indicatoroption_id=o)
            for v, options in zip(verified, verified_ticked)
            for o in options
        ),
        batch_size=4000,
    )
    _publish_previous(assessment_round, heads, submitted=submitted, by=by)
    refresh_results(pk for pk, *_rest in rows)
    # Closing is no transition of its own yet: the history is simply over.
    Round.objects.filter(pk=assessment_round.pk).update(phase=Round.Phase.CLOSED)
    assessment_round.phase = Round.Phase.CLOSED
    return assessment_round


def _heads(codes: dict[int, str]) -> dict[int, int]:
    """organization pk → its head's user pk; an account nobody signs in with (as
    _organization_head's) for those without one, made in bulk."""
    roles = Role.objects.filter(kind=Role.Kind.ORG_HEAD, organization_id__in=codes)
    heads = dict(roles.values_list("organization_id", "user_id"))
    missing = {organization: code for organization, code in codes.items() if organization not in heads}
    usernames = [f"head_{code}" for code in missing.values()]
    existing = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    names = dict(Organization.objects.filter(pk__in=missing).values_list("pk", "name"))
    new = [
        User(
            username=f"head_{code}",
            first_name="ผู้บริหาร",
            last_name=names[organization],
            email=f"head_{code}@demo.lpa.go.th",
            position="ผู้บริหารท้องถิ่น (ข้อมูลสาธิต)",
            password=make_password(None),
        )
        for organization, code in missing.items()
        if f"head_{code}" not in existing
    ]
    existing |= {user.username: user.pk for user in User.objects.bulk_create(new)}
    Role.objects.bulk_create(
        Role(user_id=existing[f"head_{code}"], kind=Role.Kind.ORG_HEAD, organization_id=organization)
        for organization, code in missing.items()
    )
    return heads | {organization: existing[f"head_{code}"] for organization, code in missing.items()}


def _previous_answer(indicator: Indicator, quality: float, rng: random.Random) -> dict:
    """An organization of `quality` (0–1) answers: better ones reach the top more often."""
    options = list(indicator.options.all())
    if indicator.allows_not_applicable and rng.random() < PREVIOUS_NOT_APPLICABLE:
        return {"na_reason": "ไม่มีภารกิจด้านนี้ในพื้นที่ (ข้อมูลสาธิต)"}
    if indicator.kind in (Indicator.Kind.LEVELS, Indicator.Kind.FIGURE):
        key = (lambda o: o.points) if indicator.kind == Indicator.Kind.LEVELS else (lambda o: o.threshold)
        ranked = sorted(options, key=key, reverse=True)
        reached = ranked[min(len(ranked) - 1, int(rng.random() * (1 - quality) * len(ranked) * 2))]
        return {"level": reached.pk} if indicator.kind == Indicator.Kind.LEVELS else {"figure": reached.threshold}
    bonus = 0.1 if indicator.kind == Indicator.Kind.ALL_OR_NOTHING else 0.0
    return {"ticked": [option.pk for option in options if rng.random() < quality + bonus]}


def _previous_verdict(indicator: Indicator, own: dict, rng: random.Random) -> tuple[dict, str]:
    """The team's answer and its reason: the same, or one step below (N/A claims confirmed)."""
    if "na_reason" in own:
        return {"na_confirmed": True}, ""
    if rng.random() < PREVIOUS_AGREEMENT:
        return dict(own), ""
    options = list(indicator.options.all())
    if indicator.kind == Indicator.Kind.LEVELS:
        mine = next(option.points for option in options if option.pk == own["level"])
        lower = [option for option in options if option.points < mine]
        return ({"level": max(lower, key=lambda o: o.points).pk}, PREVIOUS_REASON) if lower else (dict(own), "")
    if indicator.kind == Indicator.Kind.FIGURE:
        lower = [option.threshold for option in options if option.threshold < own["figure"]]
        return ({"figure": max(lower)}, PREVIOUS_REASON) if lower else (dict(own), "")
    if not own["ticked"]:
        return dict(own), ""
    return {"ticked": own["ticked"][:-1]}, PREVIOUS_REASON


def _publish_previous(assessment_round: Round, heads: dict[int, int], *, submitted: datetime.datetime, by: User) -> None:
    """Every 2568 assessment published, with its submission and publication in the trail."""
    published = datetime.datetime.combine(PREVIOUS_WINDOWS["appeal_opens"], datetime.time(9), tzinfo=datetime.UTC)
    assessments = list(assessment_round.assessments.only("pk", "organization_id"))
    for assessment in assessments:
        assessment.status = Assessment.Status.PUBLISHED
        assessment.submitted_at, assessment.submitted_by_id = submitted, heads[assessment.organization_id]
    Assessment.objects.bulk_update(assessments, ["status", "submitted_at", "submitted_by"], batch_size=500)
    Kind, Status = AssessmentEvent.Kind, Assessment.Status
    AssessmentEvent.objects.bulk_create(
        [
            *(
                AssessmentEvent(
                    assessment=a, kind=Kind.SUBMITTED, at=submitted, by_id=heads[a.organization_id],
                    from_status=Status.DRAFT, to_status=Status.SUBMITTED,
                )
                for a in assessments
            ),
            *(
                AssessmentEvent(
                    assessment=a, kind=Kind.PUBLISHED, at=published, by=by, from_status=Status.APPROVED,
                    to_status=Status.PUBLISHED,
                )
                for a in assessments
            ),
        ],
        batch_size=1000,
    )
