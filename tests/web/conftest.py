"""Web tests: the Flask test client on a copy of a demo database built once per session."""
import re
import shutil

import pytest
from sqlalchemy import select

from engine.infra.bootstrap import DEMO_PASSWORD, init
from engine.context import GuardLoop
from engine.infra.db import make_engine
from engine.demo.cases import seed_demo
from engine.models import Case, User
from engine.infra.settings import Settings
from web import create_app


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    gl = GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))
    init(gl, with_demo_users=True)
    seed_demo(gl)
    gl.engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def app(demo_db, tmp_path):
    path = tmp_path / "guardloop.db"
    shutil.copy(demo_db, path)
    url = f"sqlite:///{path}"
    gl = GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))
    # rate limits off: a test signs in as many people from one address (test_sessions_and_headers turns them on)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "GUARDLOOP": gl, "RATELIMIT_ENABLED": False})
    yield app
    gl.engine.dispose()


@pytest.fixture
def gl(app):
    return app.extensions["guardloop"]


class Browser:
    """A test client that signs in as a demo user and posts forms with their CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=DEMO_PASSWORD):
        token = self.token("/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def token(self, url):
        page = self.client.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data, token_from=None, **kw):
        data = dict(data)
        data["csrf_token"] = self.token(token_from or url)
        return self.client.post(url, data=data, **kw)


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def as_user(app):
    def sign_in(username):
        b = Browser(app.test_client())
        response = b.login(username)
        assert response.status_code == 302, username
        return b
    return sign_in


@pytest.fixture
def cases(gl):
    """Demo case ids by case number."""
    with gl.reading() as s:
        return {c.case_no: c.id for c in s.scalars(select(Case))}


@pytest.fixture
def users(gl):
    with gl.reading() as s:
        return {u.username: u for u in s.scalars(select(User))}
