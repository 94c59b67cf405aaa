"""Rate limits on the API: per client token, reads and writes counted apart, counters in the database (two
apps on one database count together), a 429 problem with ``Retry-After``."""
import shutil

import pytest

from engine.infra.bootstrap import init
from engine.context import GuardLoop
from engine.infra.db import make_engine
from engine.services import api_clients
from engine.infra.settings import Settings
from web import create_app

from ..conftest import backends
from .conftest import BASE_CLUE

BOTH = pytest.mark.parametrize("database_url", backends(), indirect=True)


@pytest.fixture
def workers(database_url, clock, sqlite_template):
    """Two apps on one database (two gunicorn workers), with small limits."""
    if database_url.startswith("sqlite:///"):
        shutil.copy(sqlite_template, database_url.removeprefix("sqlite:///"))
    settings = Settings(database_url=database_url, demo_mode=True, api_write_rate_limit="2 per minute",
                        api_read_rate_limit="3 per minute")
    contexts = [GuardLoop(settings, engine=make_engine(database_url)) for _ in range(2)]
    if not database_url.startswith("sqlite:///"):
        init(contexts[0], with_demo_users=True)
    apps = [create_app({"TESTING": True, "SECRET_KEY": "t", "GUARDLOOP": gl}) for gl in contexts]
    yield apps
    for gl in contexts:
        gl.engine.dispose()


def token(gl, name, scopes=("clues:write", "clues:read")):
    return api_clients.create_client(gl, None, name=name, agency="education", district="JB", scopes=list(scopes))[1]


@BOTH
def test_writes_and_reads_are_limited_per_token_across_workers(workers):
    gl = workers[0].extensions["guardloop"]
    school, other = token(gl, "jb-school"), token(gl, "jb-other")
    clients = [w.test_client() for w in workers]

    def post(i, key, who=school):
        return clients[i % 2].post("/api/v1/clues", json={**BASE_CLUE, "child_id_number": "", "child_name": f"童{key}",
                                                           "child_birth_date": "2015-01-0" + str(1 + len(key) % 9)},
                                   headers={"Authorization": f"Bearer {who}", "Idempotency-Key": key})

    first = [post(i, key) for i, key in enumerate(["a", "bb", "ccc"])]
    assert [r.status_code for r in first[:2]] == [201, 201]
    limited = first[2]
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    body = limited.get_json()
    assert body["status"] == 429 and body["type"] == "urn:guardloop:problem:too-many-requests"
    assert body["detail"] and body["detail_en"] and body["title_zh"]
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "2"
    # another client's token has its own count; reads are counted apart from writes
    assert post(0, "dddd", who=other).status_code == 201
    reads = [clients[i % 2].get("/api/v1/clues/1", headers={"Authorization": f"Bearer {school}"}).status_code
             for i in range(4)]
    assert reads == [200, 200, 200, 429]


@BOTH
def test_the_window_passes_and_calls_are_allowed_again(workers, monkeypatch):
    import time as real_time
    from engine.infra import rate_limit_storage as rate_limits
    gl = workers[0].extensions["guardloop"]
    school = token(gl, "jb-school")
    client = workers[0].test_client()
    headers = {"Authorization": f"Bearer {school}"}
    assert [client.get("/api/v1/clues/99", headers=headers).status_code for _ in range(4)] == [404, 404, 404, 429]
    later = real_time.time() + 61
    monkeypatch.setattr(rate_limits.time, "time", lambda: later)
    import limits.strategies
    monkeypatch.setattr(limits.strategies.time, "time", lambda: later, raising=False)
    assert client.get("/api/v1/clues/99", headers=headers).status_code == 404


def test_limits_are_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUARDLOOP_API_WRITE_RATE_LIMIT", "5 per minute")
    monkeypatch.setenv("GUARDLOOP_API_READ_RATE_LIMIT", "7 per minute")
    settings = Settings.from_env()
    assert (settings.api_write_rate_limit, settings.api_read_rate_limit) == ("5 per minute", "7 per minute")
    assert (Settings().api_write_rate_limit, Settings().api_read_rate_limit) == ("60 per minute", "300 per minute")
