"""Browser tests: pytest-playwright driving Debian's Chromium (never `playwright install`)."""

import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

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


@pytest.fixture
def demo(transactional_db):
    """The demo data, as `make run` loads it.

    Live-server tests flush every table afterwards, geography from the migrations included,
    so put it back first (idempotent).
    """
    from demo.seed import seed_demo
    from organizations.geography import load_geography
    from organizations.models import District, Province

    load_geography(Province, District)
    seed_demo()


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
