"""Signing in: normalised names, the password policy, the lock-out, one answer for every refusal, every
attempt audited; sessions ended by sign-out; account management by administrators only."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import services
from engine.workflow.clock import clock
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.models import AuditEntry, User
from engine.services import account_admin
from engine.services.accounts import LOCK_MINUTES, MAX_FAILURES, REFUSED
from engine.reads.accounts import session_is_current
from engine.services.setup import add_user

GOOD = "river lantern 1987 quiet"


def _new_user(gl, username="Li.Na", password=GOOD, **extra):
    data = {"username": username, "display_name": "李娜", "password": password, "agency": "education",
            "role": "caseworker", "district": "JB", **extra}
    with gl.transaction() as s:
        return add_user(s, None, data).id


def _actions(gl, since=0):
    with gl.reading() as s:
        return [(e.action, e.entity_id) for e in s.scalars(select(AuditEntry).where(AuditEntry.id > since)
                                                             .order_by(AuditEntry.id))]


def _last_id(gl):
    with gl.reading() as s:
        return s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def _refused(gl, username, password):
    with pytest.raises(PermissionDenied) as caught:
        services.authenticate(gl, username, password)
    assert (caught.value.message, caught.value.message_en) == REFUSED
    return caught.value


def test_user_names_are_normalised_and_unique_in_that_form(gl):
    user_id = _new_user(gl, "Li.Na")
    with gl.reading() as s:
        assert s.get(User, user_id).username == "li.na"
    for twin in ("LI.NA", "ＬＩ．ＮＡ", " li.na "):
        with pytest.raises(InvalidInput) as caught:
            _new_user(gl, twin)
        assert caught.value.field == "username"
    assert services.authenticate(gl, "ＬＩ．ＮＡ", GOOD).id == user_id  # what the form gets is normalised too
    with pytest.raises(InvalidInput):
        _new_user(gl, "li\u200bna2")  # an invisible character makes a look-alike name


@pytest.mark.parametrize("password", ["12345678", "password", "li.na-2026x", "short1!", "qwertyuiop"])
def test_weak_passwords_and_the_user_name_are_refused(gl, password):
    with pytest.raises(InvalidInput) as caught:
        _new_user(gl, "li.na", password=password)
    assert caught.value.field == "password"


def test_every_sign_in_attempt_is_audited_without_the_password(gl):
    user_id = _new_user(gl)
    start = _last_id(gl)
    services.authenticate(gl, "li.na", GOOD)
    _refused(gl, "li.na", "wrong password 1")
    _refused(gl, "nobody-here", "wrong password 2")
    account_admin.set_active(gl, services.authenticate(gl, "admin", "guardloop-demo"), user_id, False)
    _refused(gl, "li.na", GOOD)
    actions = [a for a, _ in _actions(gl, start)]
    assert actions == ["login", "login_failed", "login_unknown_user", "login", "disable_user", "login_disabled"]
    with gl.reading() as s:
        texts = [str((e.before, e.after)) for e in s.scalars(select(AuditEntry).where(AuditEntry.id > start))]
    assert not any("wrong password" in t or GOOD in t for t in texts)


def test_five_wrong_passwords_lock_the_account_with_the_same_answer_and_the_lock_runs_out(gl):
    _new_user(gl)
    start = _last_id(gl)
    for _ in range(MAX_FAILURES):
        _refused(gl, "li.na", "wrong password")
    _refused(gl, "li.na", GOOD)  # locked: even the right password is refused, with the same words
    assert [a for a, _ in _actions(gl, start)] == ["login_failed"] * MAX_FAILURES + ["login_locked"]
    clock.advance(timedelta(minutes=LOCK_MINUTES, seconds=1))
    assert services.authenticate(gl, "li.na", GOOD).username == "li.na"
    with gl.reading() as s:
        user = s.scalars(select(User).where(User.username == "li.na")).one()
        assert (user.failed_logins, user.locked_until) == (0, None) and user.last_login_at == clock.now()


def test_an_unknown_name_costs_as_much_as_a_wrong_password(gl, monkeypatch):
    from engine.rules import passwords
    monkeypatch.setattr(passwords, "_N", 2**14)  # the production cost: the difference would show
    with gl.transaction() as s:
        add_user(s, None, {"username": "slow", "display_name": "慢", "password": GOOD, "agency": "education",
                           "role": "caseworker", "district": "JB"})

    def timed(name):
        started = time.perf_counter()
        with pytest.raises(PermissionDenied):
            services.authenticate(gl, name, "wrong password")
        return time.perf_counter() - started
    timed("nobody")  # the dummy hash is made once per process
    unknown = min(timed("nobody") for _ in range(3))
    wrong = min(timed("slow") for _ in range(3))
    assert unknown > 0.5 * wrong, (unknown, wrong)


def test_sign_out_ends_every_session_of_the_account(gl):
    actor = services.authenticate(gl, "wf_caseworker", "guardloop-demo")
    with gl.reading() as s:
        assert session_is_current(s, actor.id, actor.session_generation) is not None
    services.sign_out(gl, actor)
    with gl.reading() as s:
        assert session_is_current(s, actor.id, actor.session_generation) is None
    assert ("logout", str(actor.id)) in _actions(gl)


def test_administrators_manage_accounts_and_every_change_is_audited(gl):
    admin = services.authenticate(gl, "admin", "guardloop-demo")
    user_id = _new_user(gl)
    start = _last_id(gl)
    account_admin.update_user(gl, admin, user_id, {"display_name": "李娜老师", "agency": "education",
                                                   "role": "supervisor", "district": "JB"})
    for _ in range(MAX_FAILURES):
        _refused(gl, "li.na", "wrong password")
    account_admin.unlock(gl, admin, user_id)
    signed_in = services.authenticate(gl, "li.na", GOOD)
    account_admin.sign_out_everywhere(gl, admin, user_id)
    with gl.reading() as s:
        assert session_is_current(s, user_id, signed_in.session_generation) is None
    token = account_admin.issue_reset_link(gl, admin, user_id)
    assert account_admin.reset_target(gl, token) == "li.na"
    account_admin.reset_password(gl, token, "harbour violet 2031 tide", "harbour violet 2031 tide")
    with pytest.raises(NotFound):  # the link works once
        account_admin.reset_password(gl, token, "harbour violet 2032 tide", "harbour violet 2032 tide")
    me = services.authenticate(gl, "li.na", "harbour violet 2031 tide")
    with pytest.raises(InvalidInput):
        account_admin.change_password(gl, me, "not it", "meadow copper 77 lark", "meadow copper 77 lark")
    account_admin.change_password(gl, me, "harbour violet 2031 tide", "meadow copper 77 lark", "meadow copper 77 lark")
    assert services.authenticate(gl, "li.na", "meadow copper 77 lark").role == "supervisor"
    actions = [a for a, _ in _actions(gl, start) if not a.startswith("login")]
    assert actions == ["update_user", "unlock_user", "end_sessions", "issue_password_reset", "reset_password",
                       "change_password"]


def test_only_administrators_manage_accounts_and_not_their_own_away(gl):
    admin = services.authenticate(gl, "admin", "guardloop-demo")
    caseworker = services.authenticate(gl, "wf_caseworker", "guardloop-demo")
    user_id = _new_user(gl)
    for act in (lambda a: account_admin.set_active(gl, a, user_id, False), lambda a: account_admin.unlock(gl, a, user_id),
                lambda a: account_admin.issue_reset_link(gl, a, user_id)):
        with pytest.raises(PermissionDenied):
            act(caseworker)
    with pytest.raises(InvalidInput):
        account_admin.set_active(gl, admin, admin.id, False)
    with pytest.raises(InvalidInput):
        account_admin.update_user(gl, admin, admin.id, {"display_name": "x", "agency": "womens_federation",
                                                        "role": "caseworker", "district": "JB"})


def test_an_administrators_new_account_must_change_its_password(gl):
    admin = services.authenticate(gl, "admin", "guardloop-demo")
    services.create_user(gl, admin, {"username": "new.one", "display_name": "新人", "password": GOOD,
                                     "agency": "police", "role": "caseworker", "district": "JB"})
    assert services.authenticate(gl, "new.one", GOOD).must_change_password
