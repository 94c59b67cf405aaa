"""API tests: the Flask test client on a fresh database with the demo accounts (no demo cases), and API
clients registered through the service the command line uses."""
import shutil

import pytest
from sqlalchemy import select, union_all

from engine.infra.bootstrap import init
from engine.context import GuardLoop
from engine.infra.db import make_engine
from engine.models import AuditEntry, AuditStaged
from engine.services import api_clients
from engine.infra.settings import Settings
from web import create_app

BASE_CLUE = {
    "source": "school", "reporter_name": "王老师", "reporter_contact": "023-6000 0000", "mandatory_report": False,
    "received_at": "2026-03-01", "description": "孩子近一周多次身上有淤青，称被父亲打。",
    "child_name": "张小明", "child_sex": "M", "child_birth_date": "2016-05-04",
    "child_id_number": "110105201605040018", "child_school": "江北区某小学",
    "guardians": [{"name": "张三", "relation": "father", "is_guardian": True}],
    "family_types": ["single_parent"], "risk_factors": ["violence_abuse"],
}


def context(url):
    return GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))


def make_app(database_url, template=None):
    """The app on ``database_url``: a copy of ``template`` for SQLite, else migrated here."""
    if template is not None and database_url.startswith("sqlite:///"):
        shutil.copy(template, database_url.removeprefix("sqlite:///"))
        gl = context(database_url)
    else:
        gl = context(database_url)
        init(gl, with_demo_users=True)
    return create_app({"TESTING": True, "SECRET_KEY": "test", "GUARDLOOP": gl, "RATELIMIT_ENABLED": False})


def build_template(path, *, seed=None):
    """A SQLite database with the schema and the demo accounts (and what ``seed`` adds), to copy per test."""
    gl = context(f"sqlite:///{path}")
    init(gl, with_demo_users=True)
    if seed is not None:
        seed(gl)
    gl.engine.dispose()   # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("api-template") / "guardloop.db")


@pytest.fixture
def app(database_url, clock, sqlite_template):
    app = make_app(database_url, sqlite_template)
    yield app
    app.extensions["guardloop"].engine.dispose()


@pytest.fixture
def gl(app):
    return app.extensions["guardloop"]


class Client:
    """An API client of the agencies' systems: its token and a test client sending it."""

    def __init__(self, app, name, token):
        self.app, self.name, self.token = app, name, token
        self.http = app.test_client()

    def headers(self, key=None, **extra):
        headers = {"Authorization": f"Bearer {self.token}", **extra}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post_clue(self, body, key):
        return self.http.post("/api/v1/clues", json=body, headers=self.headers(key))

    def status(self, clue_id):
        return self.http.get(f"/api/v1/clues/{clue_id}", headers=self.headers())


@pytest.fixture
def register(app, gl):
    def make(name="jb-school", agency="education", district="JB", scopes=("clues:write", "clues:read")):
        _, token = api_clients.create_client(gl, None, name=name, agency=agency, district=district,
                                             scopes=list(scopes))
        return Client(app, name, token)
    return make


def audit_rows(gl, action=None):
    """Every audit entry, chained or still staged, oldest first."""
    columns = lambda t: select(t.c.user_id, t.c.action, t.c.entity, t.c.entity_id, t.c.after)  # noqa: E731
    entries = union_all(columns(AuditEntry.__table__), columns(AuditStaged.__table__)).subquery()
    query = select(entries)
    if action:
        query = query.where(entries.c.action == action)
    with gl.reading() as s:
        return s.execute(query).all()
