"""Signing in: password check with a lock-out after repeated failures, every attempt audited."""
from datetime import timedelta

from sqlalchemy import select

from .. import audit
from ..actor import Actor
from ..clock import clock
from ..errors import PermissionDenied
from ..models import User
from ..passwords import check_password

MAX_FAILURES = 5
LOCK_MINUTES = 15
_REFUSED = ("用户名或密码错误。", "Wrong username or password.")


def authenticate(gl, username: str, password: str) -> Actor:
    with gl.transaction() as session:
        user = session.scalars(select(User).where(User.username == (username or "").strip())).first()
        now = clock.now()
        if user is None or not user.active:
            raise PermissionDenied(*_REFUSED)
        if user.locked_until is not None and user.locked_until > now:
            audit.record(session, None, "login_locked", "user", user.id)
            raise PermissionDenied("登录失败次数过多，账号已临时锁定，请稍后再试。",
                                   "Too many failed sign-ins: the account is locked for a while.")
        if not check_password(user.password_hash, password or ""):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until, user.failed_logins = now + timedelta(minutes=LOCK_MINUTES), 0
            audit.record(session, None, "login_failed", "user", user.id)
            failed = True
        else:
            user.failed_logins, user.locked_until = 0, None
            audit.record(session, Actor.of(user), "login", "user", user.id)
            failed = False
        actor = Actor.of(user)
    if failed:  # committed above: the failure count must survive the refusal
        raise PermissionDenied(*_REFUSED)
    return actor
