"""No input makes a 500, and a refused one writes nothing: a property test over every route of the URL map.

For each endpoint (the same table as the route matrix, so a new route is covered once it has a line
there) a user who may use it sends generated values — hostile ones (NUL bytes, ids past int4 and int8,
dates in year 1 or 9999, odd digits, zero-width names, long text) mixed with what the page itself offers —
in the path, in the query and in every field of the forms the pages show. Every answer must be 2xx, 3xx
or 4xx, and after a 4xx the database must hold what it held before (the access log, the rate-limit
counters and the sign-in counters aside: recording refusals and failed sign-ins is their purpose).
"""
import hashlib
import shutil
from urllib.parse import urlencode, urlsplit

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import inspect, select, text

from engine.infra.bootstrap import init
from engine.demo.cases import seed_demo
from tests.conftest import postgres_schema

from .conftest import Browser
from .test_route_matrix import ANONYMOUS, EXPECTED, objects  # noqa: F401 — the fixture is shared

HOSTILE = ["a\x00b", "0001-01-01", "9999-12-31", "0001-01-01T00:00:00", "1000-01-01", "2147483648",
           "9223372036854775807", "-1", "1e309", "²", "５００１０５２０１３０３０３００２Ｘ", "\u200b\u200b",
           "' OR 1=1 --", "<script>alert(1)</script>", "x" * 5000, "", "garbage", "١٢٣"]
HOSTILE_INTS = [0, 1, 2**31 - 1, 2**31, 2**63 - 1, 10**30]
QUERY_NAMES = ("q", "step", "code", "page", "kind", "state", "district", "from", "to", "next")
PREFERRED = ("wf_supervisor", "wf_caseworker", "pro_supervisor", "prosecutor", "admin", "leader")
# state the refusal of a request is meant to write
NOT_COMPARED = {"audit_entry", "audit_head", "rate_limit_window", "alembic_version"}
# rows that are only ever inserted, with large values (PDFs, model sources): their ids stand for them
INSERT_ONLY = {"document_file": "document_id", "model_version": "version"}
SIGN_IN_COLUMNS = {"failed_logins", "locked_until", "last_login_at", "session_generation"}
EXAMPLES = 6

value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))


def _user_for(endpoint, objects):
    allowed = EXPECTED[endpoint][3](objects)
    return next((u for u in PREFERRED if u in allowed), None) or (sorted(allowed - {ANONYMOUS}) or [ANONYMOUS])[0]


def _fingerprint(gl) -> dict:
    """A digest of every table's rows (less what a refusal is meant to write)."""
    digest = {}
    with gl.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table in NOT_COMPARED:
                continue
            columns = [INSERT_ONLY[table]] if table in INSERT_ONLY else [
                c["name"] for c in inspect(conn).get_columns(table)
                if not (table == "user_account" and c["name"] in SIGN_IN_COLUMNS)]
            rows = conn.execute(text(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY 1')).all()
            digest[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digest


def _forms(page: str, base: str) -> list[tuple[str, str, dict]]:
    """(method, action path, {field: default}) of each form on a page."""
    found = []
    for form in lxml.html.fromstring(page).forms:
        fields = {}
        for element in form.inputs:
            name = element.get("name")
            if not name or name == "csrf_token":
                continue
            if element.tag == "select":
                options = [o.get("value") for o in element.findall("option") if o.get("value")]
                fields[name] = options[0] if options else ""
            else:
                fields[name] = element.get("value") or (element.text or "")
        found.append(((form.method or "GET").upper(), urlsplit(form.action or base).path or base, fields))
    return found


def _fields_for(app, browser, endpoint, method, url) -> dict:
    """The fields the pages offer for this endpoint: from its own page and from the page it is posted from."""
    cache = app.extensions.setdefault("hostile_fields", {})
    if (endpoint, browser.user) not in cache:
        cache[(endpoint, browser.user)] = _crawl(app, browser, endpoint, method, url)
    return dict(cache[(endpoint, browser.user)])


def _crawl(app, browser, endpoint, method, url) -> dict:
    fields = {}
    pages = {url, "/", "/admin/users", "/clues/new", "/cockpit/", "/audits/", "/approvals/"}
    adapter = app.url_map.bind("localhost")
    for page_url in pages:
        response = browser.get(page_url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form_method, action, form_fields in _forms(response.get_data(as_text=True), page_url):
            try:
                target, _ = adapter.match(action, method=form_method)
            except Exception:  # noqa: BLE001 — a form of another route
                continue
            if target == endpoint and form_method == method:
                fields.update(form_fields)
    return fields


def _hostile_url(app, endpoint, url, draw):
    """The route's own URL with each path argument replaced by a drawn value of its kind."""
    arguments = dict(app.url_map.bind("localhost").match(urlsplit(url).path, method=EXPECTED[endpoint][0])[1])
    for name, current in arguments.items():
        if isinstance(current, int):
            arguments[name] = draw(st.sampled_from(HOSTILE_INTS + [current]))
        elif endpoint != "static":
            arguments[name] = draw(st.one_of(st.just(current), value.filter(lambda x: x and "/" not in x)))
    from flask import url_for
    with app.test_request_context():
        return url_for(endpoint, **arguments)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, demo_db, tmp_path_factory):
    """The demo on SQLite (a copy) and on PostgreSQL (seeded in a schema of its own), once per module: the
    examples of every route run against one database, each compared with itself before and after."""
    from engine.context import GuardLoop
    from engine.infra.db import make_engine
    from engine.infra.settings import Settings
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("hostile") / "guardloop.db"
        shutil.copy(demo_db, path)
        yield from _app(f"sqlite:///{path}")
        return
    with postgres_schema() as url:
        gl = GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))
        init(gl, with_demo_users=True)
        seed_demo(gl)
        gl.engine.dispose()
        yield from _app(url)


def _app(url):
    from engine.context import GuardLoop
    from engine.infra.db import make_engine
    from engine.infra.settings import Settings
    from web import create_app
    gl = GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))
    yield create_app({"TESTING": True, "SECRET_KEY": "test", "GUARDLOOP": gl, "RATELIMIT_ENABLED": False})
    gl.engine.dispose()


@pytest.fixture(scope="module")
def gl(app):
    return app.extensions["guardloop"]


ENDPOINTS = sorted(e for e in EXPECTED if e not in ("auth.logout", "static"))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_input_makes_a_500_and_a_refused_one_writes_nothing(app, gl, objects, endpoint):  # noqa: F811
    method, make_url, data, _ = EXPECTED[endpoint]
    url = make_url(objects)
    user = _user_for(endpoint, objects)
    browser = Browser(app.test_client())
    browser.user = user
    if user != ANONYMOUS:
        browser.login(user)
    fields = _fields_for(app, browser, endpoint, method, url)
    fields.update({k: str(x) for k, x in ((data(objects) if callable(data) else data) or {}).items()})
    names = sorted(fields) if method == "POST" else sorted(set(fields) | set(QUERY_NAMES))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.data())
    def hostile(drawn):
        target = _hostile_url(app, endpoint, url, drawn.draw)
        # one hostile value for this example, in most fields; the page's own value or any text in the others
        hostile_value = drawn.draw(st.sampled_from(HOSTILE), label="hostile")
        sent = {name: drawn.draw(st.one_of(st.just(hostile_value), st.just(fields.get(name, "")), value), label=name)
                for name in names}
        before = _fingerprint(gl)
        if method == "GET":
            response = browser.get(target + "?" + urlencode(sent))
        else:
            sent["csrf_token"] = browser.token("/login")
            response = browser.client.post(target, data=sent)
        assert response.status_code < 500, (target, sent, response.status_code)
        if 400 <= response.status_code < 500:
            assert _fingerprint(gl) == before, (target, sent, response.status_code)

    hostile()
