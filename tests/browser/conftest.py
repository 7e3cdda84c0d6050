"""Browser tests: pytest-playwright driving Debian's Chromium (never `playwright install`)."""

import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not shutil.which(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} missing: run `make system-deps` (apt chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "th-TH", "timezone_id": "Asia/Bangkok"}


class TableSnapshot:
    """A copy of every table's rows, kept beside them in the test database, to put back cheaply.

    Copying the rows back takes a fraction of a second; flushing and seeding the demo again
    took ~6 s a test.
    """

    def __init__(self, connection) -> None:
        self.connection = connection
        tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        # Short copy names: PostgreSQL cuts identifiers at 63 characters.
        self.copies = {table: f"browser_snapshot_{n}" for n, table in enumerate(tables)}

    def take(self) -> None:
        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for table, copy in self.copies.items():
                cursor.execute(f"DROP TABLE IF EXISTS {quote(copy)}")
                cursor.execute(f"CREATE TABLE {quote(copy)} AS SELECT * FROM {quote(table)}")

    def restore(self) -> None:
        """Every table as it was when taken; sequences go on counting (nothing relies on ids)."""
        quote = self.connection.ops.quote_name
        flush = self.connection.ops.sql_flush(no_style(), list(self.copies), allow_cascade=True)
        # Foreign keys are deferred to the commit, so the order of the tables does not matter.
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for statement in flush:
                cursor.execute(statement)
            for table, copy in self.copies.items():
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(copy)}")

    def drop(self) -> None:
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for copy in self.copies.values():
                cursor.execute(f"DROP TABLE IF EXISTS {quote(copy)}")


@pytest.fixture(scope="package")
def _seeded_demo(django_db_setup, django_db_blocker):
    """The demo data, as `make run` loads it, seeded once for all the browser tests.

    Earlier live-server tests flush every table, geography from the migrations included,
    so put it back first (idempotent). Afterwards every table is flushed, as a live-server
    test always left it, for the transactional tests that come after this package.
    """
    from demo.seed import seed_demo
    from organizations.geography import load_geography
    from organizations.models import District, Province

    with django_db_blocker.unblock():
        load_geography(Province, District)
        seed_demo()
        snapshot = TableSnapshot(connections[DEFAULT_DB_ALIAS])
        snapshot.take()
        yield snapshot
        snapshot.drop()
        call_command("flush", verbosity=0, interactive=False)
        connections.close_all()


@pytest.fixture
def transactional_db(_seeded_demo, django_db_blocker):
    """Browser tests talk to the live server, so their data must be committed: each starts from
    the demo as seeded and the demo is put back after it, in place of pytest-django's flush
    (which would mean seeding again, ~6 s a test). pytest-django's live_server asks for this
    fixture by name, so every live-server test here gets it.
    """
    with django_db_blocker.unblock():
        yield
        _seeded_demo.restore()
        # As pytest-django's flush did: the next test gets a fresh connection, and none is
        # left open in a context the test database's teardown does not see (Playwright's
        # greenlets give the main thread more than one), which would stop it being dropped.
        connections.close_all()


@pytest.fixture
def evidence_folder(settings, tmp_path):
    # The live server runs in this process and reads the setting on every use.
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.LPA_EVIDENCE_ROOT


def demo_assessment():
    """The demo organization's (4810103) assessment of 2569, as the journeys use it."""
    from assessments.models import Assessment
    from demo.seed import DEMO_ORGANIZATION

    return Assessment.objects.select_related("round", "organization__district").get(
        round__year=2569, organization__code=DEMO_ORGANIZATION
    )


@pytest.fixture
def demo(transactional_db):
    """The demo data, as `make run` loads it (seeded once, restored after each test)."""


@pytest.fixture
def login(page, live_server):
    """Sign in through the real login form; returns the page on the landing screen."""
    from demo.seed import DEMO_PASSWORD

    def sign_in(username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("ชื่อผู้ใช้หรืออีเมล").fill(username)
        page.get_by_label("รหัสผ่าน").fill(password)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_load_state()
        return page

    return sign_in


_axe = Axe()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violations on the current page."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )
    assert not bad, f"{page.url}\n{details}"
