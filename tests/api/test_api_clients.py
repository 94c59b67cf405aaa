"""API clients: registered by the administrator (command line), tokens shown once and stored as a hash,
rotation and revocation, scopes enforced per call, every route of the API refused to sessions."""
import hashlib

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.errors import InvalidInput, PermissionDenied
from engine.models import ApiClient, User
from engine.services import api_clients

from .conftest import BASE_CLUE, Client, audit_rows


def test_the_command_line_registers_rotates_and_revokes(app, gl, monkeypatch):
    from engine.infra import api_cli
    monkeypatch.setattr(api_cli, "GuardLoop", lambda: gl)
    runner = CliRunner()
    created = runner.invoke(api_cli.api_client, ["create", "--name", "jb-hotline", "--agency", "womens_federation",
                                                 "--district", "JB", "--scope", "clues:write", "--scope", "clues:read"])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("glk_") and len(token) > 40
    with gl.reading() as s:
        client = s.scalars(select(ApiClient).where(ApiClient.name == "jb-hotline")).one()
        user = s.get(User, client.user_id)
        # only the hash is kept; the account cannot sign in and acts for the agency and district given
        assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr([getattr(client, c.key) for c in ApiClient.__table__.columns])
        assert (user.role, user.agency.code, user.district.code) == ("api_client", "womens_federation", "JB")
        assert not user.password_hash.startswith("scrypt$")
    hotline = Client(app, "jb-hotline", token)
    assert hotline.post_clue({**BASE_CLUE, "source": "hotline"}, "a").status_code == 201

    listed = runner.invoke(api_cli.api_client, ["list"])
    assert "jb-hotline" in listed.output and "clues:read,clues:write" in listed.output and token not in listed.output

    rotated = runner.invoke(api_cli.api_client, ["rotate", "jb-hotline"])
    assert rotated.exit_code == 0
    new_token = rotated.output.strip().splitlines()[-1]
    assert new_token != token
    assert hotline.status(1).status_code == 401            # the old token stops at once
    assert Client(app, "jb-hotline", new_token).status(1).status_code == 200

    assert runner.invoke(api_cli.api_client, ["revoke", "jb-hotline"]).exit_code == 0
    assert Client(app, "jb-hotline", new_token).status(1).status_code == 401
    assert runner.invoke(api_cli.api_client, ["rotate", "jb-hotline"]).exit_code != 0   # revoked is final
    assert [r.action for r in audit_rows(gl) if r.action.endswith(("api_client", "api_token"))] == [
        "create_api_client", "rotate_api_token", "revoke_api_client"]


def test_bad_registrations_are_refused(gl):
    for kwargs, field in (({"name": "bad name"}, "name"), ({"agency": "nasa"}, "agency"),
                          ({"district": "XX"}, "district"), ({"scopes": ["cases:delete"]}, "scopes"),
                          ({"scopes": []}, "scopes")):
        args = {"name": "ok", "agency": "education", "district": "JB", "scopes": ["clues:read"], **kwargs}
        with pytest.raises(InvalidInput) as exc:
            api_clients.create_client(gl, None, **args)
        assert exc.value.field == field
    api_clients.create_client(gl, None, name="ok", agency="education", district="JB", scopes=["clues:read"])
    with pytest.raises(InvalidInput):
        api_clients.create_client(gl, None, name="ok", agency="education", district="JB", scopes=["clues:read"])
    from engine.actor import actor_by_username
    with gl.reading() as s:
        caseworker = actor_by_username(s, "wf_caseworker")
    with pytest.raises(PermissionDenied):
        api_clients.create_client(gl, caseworker, name="mine", agency="education", district="JB", scopes=["clues:read"])


@pytest.mark.parametrize("scopes, can_write, can_read", [
    (("clues:write",), True, False),
    (("clues:read",), False, True),
    (("clues:write", "clues:read"), True, True),
])
def test_each_scope_allows_its_calls_only(gl, register, scopes, can_write, can_read):
    client = register("scoped")
    own = client.post_clue(BASE_CLUE, "seed").get_json()["id"]     # sent while it had both scopes
    api_clients.set_scopes(gl, None, "scoped", list(scopes))
    posted = client.post_clue({**BASE_CLUE, "description": "另一条"}, "k")
    assert posted.status_code == (201 if can_write else 403)
    read = client.status(own)
    assert read.status_code == (200 if can_read else 403)
    for response in (posted, read):
        if response.status_code == 403:
            assert response.mimetype == "application/problem+json"
            assert "scope" in response.get_json()["detail_en"]
    refused = [r for r in audit_rows(gl) if r.action in ("api_call", "view_api_call") and r.after["status"] == 403]
    assert len(refused) == (not can_write) + (not can_read)
    assert all(r.after["client"] == "scoped" and r.user_id is not None for r in refused)


def test_a_read_only_client_sees_nothing_it_did_not_send(gl, register):
    writer = register("writer")
    clue_id = writer.post_clue(BASE_CLUE, "k").get_json()["id"]
    reader = register("reader", scopes=("clues:read",))   # same agency and district, another system
    assert reader.status(clue_id).status_code == 404


def test_scopes_can_be_changed(gl, register):
    client = register("changing", scopes=("clues:read",))
    assert client.post_clue(BASE_CLUE, "k").status_code == 403
    api_clients.set_scopes(gl, None, "changing", ["clues:write"])
    assert client.post_clue(BASE_CLUE, "k").status_code == 201


def test_every_api_route_refuses_sessions_and_serves_its_document(app):
    """The API's routes, from the URL map: a signed-in browser gets 401 problems from every call, the
    document and its page are public."""
    from tests.web.conftest import Browser
    browser = Browser(app.test_client())
    assert browser.login("wf_caseworker").status_code == 302
    calls = {"api.create_clue": ("POST", "/api/v1/clues"), "api.clue_status": ("GET", "/api/v1/clues/1"),
             "api.list_orders": ("GET", "/api/v1/orders"), "api.import_clues": ("POST", "/api/v1/clues:import"),
             "api.get_external_refs": ("GET", "/api/v1/cases/JB-2026-00001/external-refs"),
             "api.put_external_refs": ("PUT", "/api/v1/cases/JB-2026-00001/external-refs"),
             "api.find_cases": ("GET", "/api/v1/cases?external_ref=A-1234")}
    public = {"api_meta.openapi": "/api/v1/openapi.json", "api_meta.docs": "/api/v1/docs",
              "api_meta.swagger_ui": "/api/v1/docs/swagger-ui/swagger-ui-bundle.js",
              "api_meta.static": "/api/v1/docs/assets/docs.js", "api_meta.unknown": None}
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(("api.", "api_meta."))}
    assert endpoints == set(calls) | set(public)
    for method, url in calls.values():
        response = browser.client.open(url, method=method, json=BASE_CLUE, headers={"Idempotency-Key": "k"})
        assert response.status_code == 401 and response.mimetype == "application/problem+json", url
    for url in filter(None, public.values()):
        assert browser.client.get(url).status_code == 200, url
    spec = browser.client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert set(spec["paths"]) == {"/api/v1/clues", "/api/v1/clues/{clue_id}", "/api/v1/orders", "/api/v1/clues:import",
                                  "/api/v1/cases/{case_no}/external-refs", "/api/v1/cases"}
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    page = browser.client.get("/api/v1/docs")
    assert "swagger-ui-bundle.js" in page.get_data(as_text=True) and "<script>" not in page.get_data(as_text=True)


def test_the_command_line_sets_a_webhook_and_delivers(app, gl, register, monkeypatch):
    from engine.infra import api_cli
    from engine import services
    from engine.actor import actor_by_username
    from tests.api.test_webhooks import Listener
    monkeypatch.setattr(api_cli, "GuardLoop", lambda: gl)
    runner = CliRunner()
    school = register()
    listener = Listener()
    try:
        set_hook = runner.invoke(api_cli.api_client, ["webhook", "jb-school", "--url", listener.url])
        assert set_hook.exit_code == 0, set_hook.output
        key = set_hook.output.strip().splitlines()[-1]
        assert len(key) == 64
        refused = runner.invoke(api_cli.api_client, ["webhook", "jb-school", "--url", "http://192.0.2.1/x"])
        assert refused.exit_code != 0 and "https" in refused.output
        clue_id = school.post_clue(BASE_CLUE, "k").get_json()["id"]
        with gl.reading() as s:
            caseworker = actor_by_username(s, "wf_caseworker")
        services.open_case(gl, caseworker, clue_id, {"case_type": "general"})
        delivered = runner.invoke(api_cli.api_client, ["deliver"])
        assert delivered.exit_code == 0 and delivered.output.startswith("1 webhook")
        assert len(listener.received) == 1
    finally:
        listener.close()
