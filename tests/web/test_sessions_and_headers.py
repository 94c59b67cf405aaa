"""Sessions that end server-side, the forced password change, reset links, security headers, refusals
in the access log, rate limits and hostile ids or bytes answered with a 4xx."""
import re

import pytest
from sqlalchemy import func, select

from engine.models import AuditEntry, User
from web import create_app

from .conftest import Browser


def _cookie_jar(browser):
    return {c.key: c.value for c in browser.client._cookies.values()}


def _replay(app, cookies):
    """A second client that holds a copy of someone's saved cookies (a stolen or kept cookie)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _audits(gl, action):
    with gl.reading() as s:
        return s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_a_saved_cookie_opens_nothing_after_sign_out(app, as_user, cases):
    b = as_user("wf_caseworker")
    url = f"/cases/{cases['JB-2026-00003']}"
    assert b.get(url).status_code == 200
    saved = _cookie_jar(b)
    assert b.post("/logout", {}, token_from="/").status_code == 302
    replayed = _replay(app, saved).get(url)
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


@pytest.mark.parametrize("ending", ["password_change", "disable", "sign_out_everywhere"])
def test_password_change_disable_and_sign_out_everywhere_end_other_sessions(app, as_user, users, ending):
    kept = as_user("police")
    assert kept.get("/").status_code == 200
    if ending == "password_change":
        response = as_user("police").post("/account/password", {
            "current_password": "guardloop-demo", "password": "violet harbour 2040 kite",
            "repeat_password": "violet harbour 2040 kite"})
    else:
        admin = as_user("admin")
        action = {"disable": "disable", "sign_out_everywhere": "sign-out"}[ending]
        response = admin.post(f"/admin/users/{users['police'].id}/{action}", {}, token_from="/admin/users")
    assert response.status_code == 302
    refused = kept.get("/")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_a_temporary_password_must_be_changed_before_anything_else(as_user, browser):
    admin = as_user("admin")
    created = admin.post("/admin/users", {"username": "Temp.User", "display_name": "临时", "password": "guardloop-demo",
                                          "agency": "police", "role": "caseworker", "district": "JB"})
    assert created.status_code == 302
    assert browser.login("TEMP.USER").status_code == 302  # the name is normalised
    assert browser.get("/").headers["Location"].endswith("/account/password")
    weak = browser.post("/account/password", {"current_password": "guardloop-demo", "password": "12345678",
                                                "repeat_password": "12345678"})
    assert weak.status_code == 422 and "密码" in weak.get_data(as_text=True)
    done = browser.post("/account/password", {"current_password": "guardloop-demo",
                                               "password": "copper meadow 2029 lark",
                                               "repeat_password": "copper meadow 2029 lark"})
    assert done.status_code == 302
    assert browser.get("/").status_code == 200  # the session goes on under the new generation


def test_a_reset_link_is_shown_once_and_works_once(app, as_user, users, browser):
    admin = as_user("admin")
    page = admin.post(f"/admin/users/{users['teacher'].id}/reset", {}, token_from="/admin/users")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    link = re.search(r"http://localhost(/reset/[A-Za-z0-9_-]+)", page.get_data(as_text=True)).group(1)
    form = browser.get(link)
    assert form.status_code == 200 and "teacher" in form.get_data(as_text=True)
    assert browser.post(link, {"password": "lantern river 88 quiet", "repeat_password": "lantern river 88 quiet"}
                        ).status_code == 302
    assert browser.get(link).status_code == 404
    assert browser.login("teacher", "lantern river 88 quiet").status_code == 302


def test_the_admin_list_shows_status_and_last_sign_in(as_user):
    as_user("police")
    page = as_user("admin").get("/admin/users").get_data(as_text=True)
    assert "最近登录" in page and "从未登录" in page


def test_one_message_for_a_wrong_name_a_wrong_password_and_a_locked_account(browser):
    answers = set()
    for username, password in [("nobody", "x"), ("police", "wrong"), *[("police", "wrong")] * 5,
                               ("police", "guardloop-demo")]:
        response = browser.client.post("/login", data={"username": username, "password": password,
                                                       "csrf_token": browser.token("/login")})
        assert response.status_code == 401
        answers.add(re.search(r'<p class="error" role="alert">([^<]+)</p>', response.get_data(as_text=True)).group(1))
    assert len(answers) == 1 and "15 分钟" in answers.pop()  # and it says when to try again


def test_pages_carry_the_security_headers(as_user, cases):
    b = as_user("wf_caseworker")
    for url in ("/", f"/cases/{min(cases.values())}", "/clues/new", "/login"):
        headers = b.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_page_has_inline_script_or_style():
    from pathlib import Path
    templates = Path(__file__).resolve().parents[2] / "web" / "templates"
    for path in templates.glob("*.html"):
        text = path.read_text()
        # scripts only from files of our own origin (the CSP's script-src 'self'), never inline
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), path.name
        assert "style=" not in text and "<style" not in text, path.name
        assert not re.search(r"\son[a-z]+=", text), path.name


def test_the_case_page_diagram_is_styled_from_a_stylesheet_the_csp_allows(as_user, cases):
    """A ``<style>`` inside the inline SVG is ignored under ``style-src 'self'`` (every shape drew black)."""
    b = as_user("wf_caseworker")
    page = b.get(f"/cases/{cases['JB-2026-00004']}").get_data(as_text=True)
    assert 'class="gl-bpmn"' in page and "<style" not in page and 'href="/diagram.css"' in page
    css = b.get("/diagram.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and ".gl-bpmn .shape" in css.get_data(as_text=True)


def test_refused_requests_are_in_the_access_log(as_user, gl, cases):
    before = _audits(gl, "access_refused")
    yz = as_user("yz_caseworker")
    assert yz.get(f"/cases/{cases['JB-2026-00003']}").status_code == 403
    assert yz.get("/admin/users").status_code == 403
    assert _audits(gl, "access_refused") == before + 2
    with gl.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "access_refused")
                          .order_by(AuditEntry.id.desc())).first()
        assert entry.after["path"] == "/admin/users" and entry.user_id is not None


@pytest.mark.parametrize("url", ["/cases/9223372036854775807", "/cases/2147483648", "/documents/99999999999.pdf",
                                 "/clues/99999999999/open", "/audits/rounds/99999999999/sign-off"])
def test_ids_beyond_a_database_integer_are_not_found(as_user, url):
    b = as_user("wf_supervisor")
    response = b.post(url, {}, token_from="/") if "sign-off" in url else b.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/search?q=%00ab", "/verify/%00", "/?step=%00", "/cockpit/?from=%00"])
def test_a_nul_byte_anywhere_is_a_bad_request(as_user, url):
    assert as_user("wf_supervisor").get(url).status_code == 400


def test_a_nul_byte_in_a_form_field_is_a_bad_request_and_nothing_is_written(as_user, gl):
    b = as_user("teacher")
    before = _audits(gl, "register_clue")
    response = b.post("/clues/new", {"child_name": "张\x00三", "reporter_name": "x"})
    assert response.status_code == 400 and _audits(gl, "register_clue") == before


def test_sign_in_and_verification_are_rate_limited_across_workers(demo_db, tmp_path):
    import shutil
    from engine.context import GuardLoop
    from engine.infra.db import make_engine
    from engine.infra.settings import Settings
    path = tmp_path / "limits.db"
    shutil.copy(demo_db, path)
    url = f"sqlite:///{path}"
    settings = Settings(database_url=url, demo_mode=True, login_rate_limit="3 per minute",
                        verify_rate_limit="4 per minute")
    # two apps on one database stand for two gunicorn workers: they count together
    workers = [create_app({"TESTING": True, "SECRET_KEY": "t", "GUARDLOOP": GuardLoop(settings, engine=make_engine(url))})
               for _ in range(2)]
    browsers = [Browser(w.test_client()) for w in workers]
    statuses = [browsers[i % 2].client.post("/login", data={"username": "police", "password": "wrong",
                                                           "csrf_token": browsers[i % 2].token("/login")}).status_code
                for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = browsers[0].client.post("/login", data={"username": "police", "password": "x",
                                                      "csrf_token": browsers[0].token("/login")})
    assert "请一分钟后再试" in limited.get_data(as_text=True) and "Retry-After" in limited.headers
    verify = [browsers[i % 2].get("/verify/ABCD-EFGH").status_code for i in range(5)]
    assert verify == [404, 404, 404, 404, 429]
    for w in workers:
        w.extensions["guardloop"].engine.dispose()


def test_a_multipart_field_whose_name_breaks_the_line_is_refused_not_a_server_error(app):
    body = (b"--b\r\nContent-Disposition: form-data; name=\"a\nb\"\r\n\r\nx\r\n--b--\r\n")
    response = app.test_client().post("/api/v1/clues:import", data=body,
                                      content_type="multipart/form-data; boundary=b")
    assert 400 <= response.status_code < 500
