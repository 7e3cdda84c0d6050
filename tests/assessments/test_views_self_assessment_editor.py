"""The dimension page with editors on demand, the save's small answer, and the page's cache:
blocks shown compactly, each indicator's editor as a fragment (script) or a page (no script),
a scripted save answered with JSON, the query budgets, and the cached body keyed on the
assessment's version (every change invalidates it, in this process and in another)."""

import os
import re
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from assessments.evidence import add_evidence_link, remove_evidence
from assessments.models import Answer, Assessment, Indicator
from assessments.selfassessment import answer_for, grant_extension, save_answer, submit
from assessments.signals import scores_changed
from reviews.comments import post_comment
from reviews.workflow import return_for_revision
from tests.assessments.factories import CategoryFactory, IndicatorFactory, open_round, self_assessment
from tests.factories import province, user_with_role
from tests.processes import django_in_a_fresh_process
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)", re.I)


@pytest.fixture(autouse=True)
def fresh_cache(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sa():
    return self_assessment(code="6810198")


@pytest.fixture
def without_results_refresh():
    """The stored results' refresh (results/scores.py) left out: the view's own queries."""
    receivers = scores_changed.receivers
    scores_changed.receivers = []
    scores_changed.sender_receivers_cache.clear()
    yield
    scores_changed.receivers = receivers
    scores_changed.sender_receivers_cache.clear()


@contextmanager
def statements():
    """The SQL statements run inside, without transaction control (savepoints in tests)."""
    with CaptureQueriesContext(connection) as context:
        found: list[str] = []
        yield found
    found += [q["sql"] for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


def dimension_url(sa, number=1):
    return reverse("assessments:assessment_dimension", args=[sa.assessment.pk, number])


def editor_url(sa, indicator):
    return reverse("assessments:indicator_editor", args=[sa.assessment.pk, indicator.pk])


def save_url(sa, indicator):
    return reverse("assessments:answer_save", args=[sa.assessment.pk, indicator.pk])


def main_part(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def with_indicators(sa, n: int, *, dimension_number: int = 1) -> list[Indicator]:
    """`n` indicators of every kind, each answered with a link as evidence."""
    category = sa.category if dimension_number == 1 else CategoryFactory(dimension__round=sa.round, dimension__number=dimension_number)
    made = []
    for position in range(n):
        kind = [Indicator.Kind.LEVELS, Indicator.Kind.CHECKLIST, Indicator.Kind.FIGURE][position % 3]
        options = [(5, 80), (3, 50)] if kind == Indicator.Kind.FIGURE else None
        indicator = IndicatorFactory(
            category=category, kind=kind, options=options, evidence_required="คำสั่งแต่งตั้งคณะกรรมการ", position=position,
            description="คำอธิบายตัวชี้วัดและวิธีการประเมินตามคู่มือการประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น",
        )
        answer = Answer.objects.create(
            assessment=sa.assessment, indicator=indicator, note="ตามแผนพัฒนาท้องถิ่น", updated_by=sa.staff,
            level=indicator.options.last() if kind == Indicator.Kind.LEVELS else None,
        )
        if kind == Indicator.Kind.CHECKLIST:
            answer.ticked.set(indicator.options.all()[:2])
        answer.evidence.create(url=f"https://example.go.th/{indicator.code}", uploaded_by=sa.staff)
        made.append(indicator)
    return made


# Editors on demand


def test_closed_blocks_carry_no_forms_and_link_to_their_editor(client, sa):
    indicators = with_indicators(sa, 3)
    client.force_login(sa.staff)
    html = main_part(client.get(dimension_url(sa)).content.decode())
    assert "<form" not in html and "csrfmiddlewaretoken" not in html
    for indicator in indicators:
        assert f'href="{editor_url(sa, indicator)}"' in html  # without script: the editor page
        assert f'data-editor-url="{editor_url(sa, indicator)}"' in html  # with script: fetched on opening
    assert "หลักฐาน 1 รายการ" in html and "คะแนน 5 จาก 5" in html  # compact: points and evidence count


def test_the_editor_fragment_brings_the_forms_evidence_and_criteria(client, sa):
    (indicator,) = with_indicators(sa, 1)
    client.force_login(sa.staff)
    response = client.get(editor_url(sa, indicator), **FETCH)
    html = response.content.decode()
    assert response.status_code == 200 and response["X-LPA-Editor"] == str(indicator.pk)
    assert "<html" not in html and "<article" not in html
    assert f'action="{save_url(sa, indicator)}"' in html and f'name="i{indicator.pk}-level"' in html
    assert f"https://example.go.th/{indicator.code}" in html and "เกณฑ์การให้คะแนน" in html
    assert reverse("assessments:evidence_upload", args=[sa.assessment.pk, indicator.pk]) in html
    assert reverse("reviews:comment_add", args=[sa.assessment.pk, indicator.pk]) in html  # the thread travels with it
    assert 'name="csrfmiddlewaretoken"' in html


def test_without_script_the_editor_is_a_page_whose_save_returns_to_the_indicator(client, sa):
    indicator = sa.indicator(code="1.1", evidence_required="")
    client.force_login(sa.staff)
    page = client.get(editor_url(sa, indicator))
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html and 'id="ind-%s"' % indicator.pk in html
    assert f'action="{save_url(sa, indicator)}"' in html and f'href="{dimension_url(sa)}#ind-{indicator.pk}"' in html
    response = client.post(save_url(sa, indicator), {f"i{indicator.pk}-version": 0, f"i{indicator.pk}-level": indicator.options.get(position=4).pk})
    assert response.status_code == 302 and response["Location"] == f"{dimension_url(sa)}#ind-{indicator.pk}"
    after = client.get(response["Location"]).content.decode()
    assert "บันทึกคำตอบตัวชี้วัด 1.1 แล้ว" in after and "คะแนน 3 จาก 5" in after


def test_editor_of_an_indicator_of_another_type_or_organization_is_not_found(client, sa):
    pao_only = sa.indicator(code="P", applies_to=["pao"])
    indicator = sa.indicator(code="1.1")
    client.force_login(sa.staff)
    assert client.get(editor_url(sa, pao_only)).status_code == 404
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    assert client.get(editor_url(sa, indicator)).status_code == 404


def test_a_reader_s_editor_shows_the_answer_without_forms(client, sa):
    (indicator,) = with_indicators(sa, 1)
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    html = client.get(editor_url(sa, indicator), **FETCH).content.decode()
    assert "data-block-form" not in html and "ระดับ 6: ข้อ 6" in html


# The save's small answer


def test_a_refused_scripted_save_names_each_field_in_thai_and_keeps_the_answer(client, sa):
    indicator = sa.indicator(code="1.1", allows_not_applicable=True)
    client.force_login(sa.staff)
    response = client.post(save_url(sa, indicator), {f"i{indicator.pk}-version": 0, f"i{indicator.pk}-not_applicable": "on"}, **FETCH)
    assert response.status_code == 422
    data = response.json()
    assert data["errors"] == [{"name": f"i{indicator.pk}-na_reason", "id": f"id_i{indicator.pk}-na_reason", "messages": ["ระบุเหตุผลที่ไม่มีภารกิจ"]}]
    assert "1.1" in data["message"] and not Answer.objects.filter(indicator=indicator).exists()


def test_a_scripted_save_reports_the_dimension_totals_after_a_return(client):
    case = submitted_for_review()
    flagged = case.indicator("1.1")
    office = case.office
    return_for_revision(assessment=case.assessment, flags={flagged: "แนบคำสั่งที่ลงนามแล้ว"}, by=office)
    client.force_login(case.sa.staff)
    version = answer_for(case.assessment, flagged).version
    response = client.post(
        reverse("assessments:answer_save", args=[case.assessment.pk, flagged.pk]),
        {f"i{flagged.pk}-version": version, f"i{flagged.pk}-level": case.option("1.1", 6).pk},
        **FETCH,
    )
    data = response.json()
    assert response.status_code == 200
    assert (data["state"], data["count"], data["points"]) == ("returned", 5, "5")
    assert data["done"] == 4  # the sent-back indicator is not done until resubmitted


# Query budgets and size


@pytest.mark.parametrize("n", [3, 120])
def test_dimension_page_queries_do_not_grow_with_indicators(client, sa, n, django_assert_num_queries):
    with_indicators(sa, n)
    client.force_login(sa.staff)
    with django_assert_num_queries(DIMENSION_PAGE_QUERIES):
        assert client.get(dimension_url(sa)).status_code == 200


# Session and user (2), roles (1), the assessment (1), the dimensions (1), the latest extension
# (1), indicators, options (with which are ticked) and answers (3), unread notifications (1).
DIMENSION_PAGE_QUERIES = 10


def test_a_38_indicator_dimension_weighs_under_80_kb(client, sa):
    with_indicators(sa, 38)
    client.force_login(sa.staff)
    response = client.get(dimension_url(sa))
    assert response.status_code == 200
    assert len(response.content) < 80_000, len(response.content)


def test_save_stays_within_twelve_statements(client, sa, without_results_refresh):
    levels, checklist, figure = with_indicators(sa, 3)
    client.force_login(sa.staff)
    for indicator, value in ((levels, {"level": levels.options.first().pk}), (figure, {"figure": "72.5"})):
        data = {f"i{indicator.pk}-version": 0, **{f"i{indicator.pk}-{k}": v for k, v in value.items()}}
        with statements() as run:
            assert client.post(save_url(sa, indicator), data, **FETCH).status_code == 200
        assert len(run) <= SAVE_STATEMENTS, "\n".join(run)
    # A checklist writes its ticks too (delete the unticked, add the ticked): one more.
    data = {f"i{checklist.pk}-version": 0, f"i{checklist.pk}-ticked": [checklist.options.last().pk]}
    with statements() as run:
        assert client.post(save_url(sa, checklist), data, **FETCH).status_code == 200
    assert len(run) <= SAVE_STATEMENTS + 1, "\n".join(run)


# Session and user (2), roles (1), the assessment (1), the indicator and its options (2); under
# the lock: the version's UPDATE (1), the latest extension (1), the answer (1) and its UPDATE
# (1), the ticks (1); the dimension's totals with this indicator's evidence count (1).
SAVE_STATEMENTS = 12


# The page's cache


def test_a_page_nothing_changed_since_is_served_from_the_cache_with_fewer_queries(client, sa):
    with_indicators(sa, 5)
    client.force_login(sa.staff)
    with CaptureQueriesContext(connection) as first_run:
        first = client.get(dimension_url(sa)).content.decode()
    with CaptureQueriesContext(connection) as second_run:
        second = client.get(dimension_url(sa)).content.decode()
    assert main_part(first) == main_part(second)
    assert len(second_run.captured_queries) <= len(first_run.captured_queries) - 5


def change_kinds():
    """Each change the dimension page shows, made through the workflow (name → action)."""

    def answer(case):
        case.answer("1.1", {"level": case.option("1.1", 2).pk})

    def evidence_added(case):
        add_evidence_link(answer=answer_for(case.assessment, case.indicator("1.1")), url="https://a.go.th/x", title="", by=case.sa.staff)

    def evidence_removed(case):
        evidence = add_evidence_link(answer=answer_for(case.assessment, case.indicator("1.1")), url="https://a.go.th/y", title="", by=case.sa.staff)
        cache.clear()
        return lambda: remove_evidence(evidence, by=case.sa.staff)

    def submission(case):
        submit(case.reload(), by=case.sa.head)

    def extension(case):
        import datetime

        from django.utils import timezone

        grant_extension(assessment=case.reload(), until=timezone.localdate() + datetime.timedelta(days=60), reason="น้ำท่วม", by=case.office)

    def returned(case):
        submit(case.reload(), by=case.sa.head)
        cache.clear()
        return lambda: return_for_revision(assessment=case.reload(), flags={case.indicator("1.1"): "แก้ไข"}, by=case.office)

    def verified_answer(case):
        submit(case.reload(), by=case.sa.head)
        cache.clear()
        return lambda: case.score("1.1", {"level": case.option("1.1", 5).pk})

    def comment(case):
        post_comment(assessment=case.reload(), indicator=case.indicator("1.1"), by=case.sa.staff, body="สอบถามเรื่องหลักฐาน")

    def appeal_decision(case):
        from reviews.models import Appeal
        from reviews.workflow import answer_appeal

        submit(case.reload(), by=case.sa.head)
        (appeal,) = case.appealed("1.1")
        cache.clear()
        return lambda: answer_appeal(appeal=Appeal.objects.get(pk=appeal.pk), decision=Appeal.Decision.REJECTED, response="หลักฐานไม่ครบ", by=case.team.lead)

    return [answer, evidence_added, evidence_removed, submission, extension, returned, verified_answer, comment, appeal_decision]


@pytest.mark.parametrize("change", change_kinds(), ids=lambda change: change.__name__)
def test_every_kind_of_change_gives_the_page_a_new_version(client, change):
    case = submitted_for_review(submit=False)
    prepare = change(case) if change.__name__ in {"evidence_removed", "returned", "verified_answer", "appeal_decision"} else None
    client.force_login(case.sa.head)
    url = reverse("assessments:assessment_dimension", args=[case.assessment.pk, 1])
    before = client.get(url)
    before_version = Assessment.objects.get(pk=case.assessment.pk).version
    (prepare or (lambda: change(case)))()
    assert Assessment.objects.get(pk=case.assessment.pk).version > before_version
    with CaptureQueriesContext(connection) as run:
        after = client.get(url)
    # Rendered again (it reads the indicators), not the copy cached before the change.
    assert any("assessments_indicator" in q["sql"] for q in run.captured_queries)
    assert before.status_code == after.status_code == 200


def test_a_save_shows_at_once_on_the_cached_page(client, sa):
    indicator = sa.indicator(code="1.1", evidence_required="")
    client.force_login(sa.staff)
    assert "คะแนน" not in main_part(client.get(dimension_url(sa)).content.decode())
    client.post(save_url(sa, indicator), {f"i{indicator.pk}-version": 0, f"i{indicator.pk}-level": indicator.options.last().pk}, **FETCH)
    assert "คะแนน 5 จาก 5" in client.get(dimension_url(sa)).content.decode()


def test_another_session_of_the_same_user_gets_its_own_csrf_token(sa):
    """A cached page with forms (a sent-back indicator opens its editor) serves each session
    the token of its own cookie: the other session's token would be refused."""
    flagged = sa.indicator(code="1.1", evidence_required="")
    save_answer(assessment=sa.assessment, indicator=flagged, data={"level": flagged.options.last().pk}, expected_version=0, by=sa.staff)
    submit(sa.assessment, by=sa.head)
    return_for_revision(assessment=sa.assessment, flags={flagged: "แก้ไข"}, by=user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(sa.staff)
    second.force_login(sa.staff)
    token_pattern = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    html_one = main_part(first.get(dimension_url(sa)).content.decode())
    html_two = main_part(second.get(dimension_url(sa)).content.decode())
    assert f'action="{save_url(sa, flagged)}"' in html_two and "lpa-csrf" not in html_two
    (token_one,) = set(token_pattern.findall(html_one))
    (token_two,) = set(token_pattern.findall(html_two))
    assert token_one != token_two
    response = second.post(save_url(sa, flagged), {"csrfmiddlewaretoken": token_two, f"i{flagged.pk}-version": 1, f"i{flagged.pk}-level": flagged.options.first().pk}, **FETCH)
    assert response.status_code == 200


def test_a_flash_message_is_shown_once_beside_the_cached_body(client, sa):
    indicator = sa.indicator(code="1.1", evidence_required="")
    client.force_login(sa.staff)
    client.get(dimension_url(sa))
    client.post(save_url(sa, indicator), {f"i{indicator.pk}-version": 0, f"i{indicator.pk}-level": indicator.options.last().pk})
    assert "บันทึกคำตอบตัวชี้วัด 1.1 แล้ว" in client.get(dimension_url(sa)).content.decode()
    assert "บันทึกคำตอบตัวชี้วัด 1.1 แล้ว" not in client.get(dimension_url(sa)).content.decode()


def test_each_user_has_their_own_cached_page(client, sa):
    indicator = sa.indicator(code="1.1")
    client.force_login(sa.staff)
    client.get(dimension_url(sa))
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    html = client.get(dimension_url(sa)).content.decode()
    assert "แก้ไขคำตอบและหลักฐาน" not in html and "ดูเกณฑ์ คำตอบ และหลักฐาน" in html
    assert indicator.code in html


@pytest.mark.django_db(transaction=True)
def test_a_save_in_another_process_invalidates_the_page_this_one_cached(settings):
    """Two app servers share Redis: the version is read from the database in each, so a save
    made by one gives the page the other cached a new key."""
    from tests.test_cache import REDIS_URL, redis_reachable

    if connection.vendor != "postgresql":
        pytest.skip("the other process needs the same database: PostgreSQL")
    if not redis_reachable():
        if "LPA_TEST_REDIS_URL" in os.environ:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "lpa-test"}}
    from django.core.cache import caches

    caches._settings = None  # noqa: SLF001 - read the overridden setting
    sa = self_assessment(round=open_round(), code="6810195")
    indicator = sa.indicator(code="1.1", evidence_required="")
    client = Client()
    client.force_login(sa.staff)
    url = dimension_url(sa)
    assert "คะแนน" not in main_part(client.get(url).content.decode())
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    django_in_a_fresh_process(
        "from assessments.models import Assessment, Indicator\n"
        "from accounts.models import User\n"
        "from assessments.selfassessment import save_answer\n"
        f"indicator = Indicator.objects.get(pk={indicator.pk})\n"
        f"save_answer(assessment=Assessment.objects.select_related('round', 'organization__district').get(pk={sa.assessment.pk}), "
        f"indicator=indicator, data={{'level': indicator.options.order_by('position').last().pk}}, expected_version=0, "
        f"by=User.objects.get(pk={sa.staff.pk}))\n",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
    )
    assert "คะแนน 5 จาก 5" in main_part(client.get(url).content.decode())
