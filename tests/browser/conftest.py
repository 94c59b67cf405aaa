"""Browser tests: real Chromium (Playwright) against a live GuardLoop server in a background thread.

The server runs in this process, so a test controls time through ``engine.workflow.clock`` and fires timers with
``engine.services.tick``. Each test module gets a fresh SQLite database with the demo users.
Screenshots of every step go to ``test-output/browser/<test>/<nn>-<user>-<step>.png``.
"""
import logging
import os
import re
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright import sync_api

from engine.rules import passwords
from engine.infra.bootstrap import DEMO_PASSWORD, init
from engine.workflow.clock import clock as engine_clock
from engine.context import GuardLoop
from engine.infra.db import make_engine
from engine.infra.settings import ROOT, Settings

CHROMIUM = os.environ.get("GUARDLOOP_CHROMIUM", "/usr/bin/chromium")   # the system's; never downloaded

START = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)   # 09:00 on 1 June 2026 in China
OUTPUT = ROOT / "test-output" / "browser"


def exact_label(text):
    """A label's exact text, allowing the required-field marker (" *") after it."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def seed_case(gl, case_type="general", child_name="李小红", tasks=()):
    """A case opened through the services (not the UI), with ``tasks`` — (username, spec, data) — done."""
    from engine import services
    from engine.demo.scenario import Driver

    driver = Driver(gl)
    clue = services.register_clue(gl, driver.actor("teacher"), {
        "source": "school", "reporter_name": "班主任", "received_at": driver.today(), "description": "多次旷课",
        "child_name": child_name, "child_sex": "F", "child_birth_date": "2014-05-01",
        "guardians": [{"name": "李父", "relation": "father", "is_guardian": True}], "risk_factors": ["truancy"]})
    case_id = services.open_case(gl, driver.actor("wf_caseworker"), clue, {"case_type": case_type})
    for username, spec, data in tasks:
        driver.do(username, case_id, spec, data)
    return case_id, driver


class LiveServer:
    def __init__(self, gl, url):
        self.gl, self.url = gl, url


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server
    from web import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'guardloop.db'}"
    gl = GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "_N", 2**8)   # cheap hashes for the demo users; the cost is stored in each hash
        init(gl, with_demo_users=True)
    app = create_app({"SECRET_KEY": "test", "GUARDLOOP": gl, "RATELIMIT_ENABLED": False})  # many sign-ins, one address
    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # no access log: it would bury a failure's report
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="guardloop-live-server", daemon=True)
    thread.start()
    yield LiveServer(gl, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    gl.engine.dispose()


@pytest.fixture
def clock():
    engine_clock.set(START)
    yield engine_clock
    engine_clock.reset()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (set GUARDLOOP_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


class Shots:
    """Numbered full-page screenshots of one test's steps."""

    def __init__(self, name):
        self.dir = OUTPUT / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.n = 0

    def __call__(self, page, user, step):
        self.n += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.dir / f"{self.n:02d}-{user}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name)


class Users:
    """One browser context per user, signed in through the login form; all closed after the test."""

    def __init__(self, chromium, server, shots, viewport):
        self.chromium, self.server, self.shots, self.viewport = chromium, server, shots, viewport
        self.pages, self.contexts = {}, []

    def context(self, **kw):
        ctx = self.chromium.new_context(base_url=self.server.url, locale="zh-CN",
                                        viewport=kw.pop("viewport", self.viewport), **kw)
        ctx.set_default_timeout(10_000)
        self.contexts.append(ctx)
        return ctx

    def __getitem__(self, username):
        if username not in self.pages:
            self.pages[username] = sign_in(self.context().new_page(), username, self.shots)
        return self.pages[username]

    def close(self):
        for ctx in self.contexts:
            ctx.close()


def sign_in(page, username, shots=None):
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator(".who")).to_be_visible()
    if shots:
        shots(page, username, "signed-in")
    return page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture
def users(request, chromium, live_server, shots):
    pool = Users(chromium, live_server, shots, {"width": 1366, "height": 768})
    yield pool
    if getattr(request.node, "browser_failed", False):   # what every open tab showed when the test failed
        names = {id(page): username for username, page in pool.pages.items()}
        for n, page in enumerate(p for ctx in pool.contexts for p in ctx.pages):
            shots(page, names.get(id(page), f"tab{n}"), "failed")
    pool.close()
