"""The administrator's page for API clients: register (the token and the webhook key shown once), rotate,
revoke, scopes and webhook; every change audited; administrators only; Chinese and English."""
import re

import pytest
from sqlalchemy import select

from engine.models import ApiClient, User

from ..conftest import backends
from ..web.conftest import Browser
from .conftest import BASE_CLUE, Client, audit_rows

pytestmark = pytest.mark.parametrize("database_url", backends(), indirect=True)
PAGE = "/admin/api-clients"


@pytest.fixture
def admin(app):
    b = Browser(app.test_client())
    assert b.login("admin").status_code == 302
    return b


def shown(page, element_id):
    match = re.search(rf'<code class="link-out" id="{element_id}">([^<]+)</code>', page)
    return match.group(1) if match else None


def register(admin, **fields):
    data = {"name": "jb-hotline", "agency": "womens_federation", "district": "JB",
            "scopes": ["clues:write", "clues:read"], "webhook_url": "", **fields}
    return admin.post(PAGE, data)


def test_register_shows_the_token_once_and_it_works(app, gl, admin):
    response = register(admin, webhook_url="https://hotline.example.cn/guardloop")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token, key = shown(page, "token"), shown(page, "webhook-key")
    assert token.startswith("glk_") and len(key) == 64
    with gl.reading() as s:
        client = s.scalars(select(ApiClient).where(ApiClient.name == "jb-hotline")).one()
        user = s.get(User, client.user_id)
        assert (client.scopes, client.webhook_url) == (["clues:read", "clues:write"], "https://hotline.example.cn/guardloop")
        assert (user.agency.code, user.district.code, user.role) == ("womens_federation", "JB", "api_client")
        assert client.webhook_secret == key
    # shown once: neither the list nor the client's page shows it again
    for url in (PAGE, f"{PAGE}/jb-hotline"):
        again = admin.get(url).get_data(as_text=True)
        assert token not in again and key not in again and "jb-hotline" in again
    assert Client(app, "jb-hotline", token).post_clue(BASE_CLUE, "one").status_code == 201
    created = audit_rows(gl, "create_api_client")
    assert len(created) == 1 and created[0].after["webhook_url"] == "https://hotline.example.cn/guardloop"


@pytest.mark.parametrize("fields, field", [
    ({"name": "有空格 的名字"}, "name"), ({"agency": "nobody"}, "agency"), ({"district": "XX"}, "district"),
    ({"scopes": []}, "scopes"), ({"scopes": ["root"]}, "scopes"),
    ({"webhook_url": "http://192.0.2.1/hook"}, "webhook_url"),
])
def test_bad_registrations_are_refused_with_the_field_marked_and_nothing_written(gl, admin, fields, field):
    response = register(admin, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and "glk_" not in page
    with gl.reading() as s:
        assert s.scalars(select(ApiClient)).all() == []
    assert audit_rows(gl, "create_api_client") == []


def test_a_taken_name_is_refused(gl, admin):
    assert register(admin).status_code == 200
    again = register(admin, agency="education")
    assert again.status_code == 422 and 'id="name-error"' in again.get_data(as_text=True)


def test_rotate_revoke_scopes_and_webhook_are_audited(app, gl, admin):
    token = shown(register(admin).get_data(as_text=True), "token")
    url = f"{PAGE}/jb-hotline"
    rotated = admin.post(f"{url}/rotate", {}, token_from=url)
    new_token = shown(rotated.get_data(as_text=True), "token")
    assert rotated.headers["Cache-Control"] == "no-store" and new_token and new_token != token
    assert Client(app, "x", token).status(1).status_code == 401
    assert Client(app, "x", new_token).status(1).status_code == 404     # authenticated; no such clue

    assert admin.post(f"{url}/scopes", {"scopes": ["clues:read"]}, token_from=url).status_code == 302
    assert Client(app, "x", new_token).post_clue(BASE_CLUE, "k").status_code == 403
    bad = admin.post(f"{url}/scopes", {"scopes": []}, token_from=url)
    assert bad.status_code == 422 and 'id="scopes-error"' in bad.get_data(as_text=True)

    hooked = admin.post(f"{url}/webhook", {"webhook_url": "http://127.0.0.1:9/hook"}, token_from=url)
    key = shown(hooked.get_data(as_text=True), "webhook-key")
    assert hooked.status_code == 200 and len(key) == 64 and hooked.headers["Cache-Control"] == "no-store"
    refused = admin.post(f"{url}/webhook", {"webhook_url": "ftp://example.cn/x"}, token_from=url)
    assert refused.status_code == 422 and 'id="webhook_url-error"' in refused.get_data(as_text=True)
    assert admin.post(f"{url}/webhook", {"webhook_url": "", "remove": "1"}, token_from=url).status_code == 302
    with gl.reading() as s:
        client = s.scalars(select(ApiClient)).one()
        assert (client.scopes, client.webhook_url, client.webhook_secret) == (["clues:read"], None, None)

    assert admin.post(f"{url}/revoke", {}, token_from=url).status_code == 302
    assert Client(app, "x", new_token).status(1).status_code == 401
    page = admin.get(url).get_data(as_text=True)
    assert "/rotate\"" not in page and "/scopes\"" not in page and "已吊销" in page
    actions = [row.action for row in audit_rows(gl) if row.entity == "api_client" and row.action not in
               ("api_call", "view_api_call")]
    assert actions == ["create_api_client", "rotate_api_token", "set_api_scopes", "set_api_webhook",
                       "set_api_webhook", "revoke_api_client"]
    admin_id = audit_rows(gl, "rotate_api_token")[0].user_id
    with gl.reading() as s:
        assert s.get(User, admin_id).username == "admin"


def test_only_administrators_open_the_page(app, gl):
    caseworker = Browser(app.test_client())
    assert caseworker.login("wf_caseworker").status_code == 302
    assert caseworker.get(PAGE).status_code == 403
    assert app.test_client().get(PAGE).status_code == 302          # to the sign-in page


def test_the_page_speaks_english_and_chinese(admin):
    register(admin)
    assert "接口客户端" in admin.get(PAGE).get_data(as_text=True)
    admin.get("/lang/en")
    page = admin.get(PAGE).get_data(as_text=True)
    assert "API clients" in page and "Register a system" in page and "jb-hotline" in page
    assert admin.get(f"{PAGE}/nobody").status_code == 404
