"""Signing in and out: one answer for every refusal, a lock-out counted atomically, every attempt audited.

The attempt is counted *before* the password is checked, in one ``UPDATE … RETURNING`` that only succeeds
while the account has attempts left: however many requests race (gunicorn workers, hosts), exactly
``MAX_FAILURES`` passwords are ever checked before the lock, on PostgreSQL and SQLite alike. The slow scrypt
check runs outside any transaction; its outcome and the audit entry are written in a short one after.
A user name nobody has costs the same scrypt check (a dummy hash) and gets the same answer.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, select, update

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.models import User
from engine.rules.passwords import check_nobody, check_password
from engine.rules.permissions import refuse
from engine.rules.usernames import normalise
from engine.workflow.clock import clock

MAX_FAILURES = 5
LOCK_MINUTES = 15
# One message for an unknown name, a wrong password, a disabled and a locked account: it tells a person
# when to retry without telling anyone which of these it was.
REFUSED = (f"用户名或密码错误。连续输错 {MAX_FAILURES} 次后账号将锁定 {LOCK_MINUTES} 分钟，请届时再试；"
           "仍无法登录请联系系统管理员。",
           f"Wrong user name or password. After {MAX_FAILURES} wrong passwords in a row an account is locked for "
           f"{LOCK_MINUTES} minutes: try again then, or ask your administrator.")


@dataclass(frozen=True)
class _Attempt:
    user_id: int | None
    allowed: bool          # an attempt was left: the password may be checked
    password_hash: str = ""
    active: bool = True


def authenticate(gl: GuardLoop, username: str, password: str) -> Actor:
    """The actor whose name and password these are, or ``PermissionDenied(REFUSED)``."""
    name, password = normalise(username)[:80], password or ""
    attempt = _reserve_attempt(gl, name)
    if attempt.user_id is None or not attempt.allowed or not attempt.active:
        check_nobody(password)
        _refused(gl, attempt, name)
    if not check_password(attempt.password_hash, password):
        _refused(gl, attempt, name, checked=True)
    return _signed_in(gl, attempt.user_id)


def _reserve_attempt(gl: GuardLoop, name: str) -> _Attempt:
    now = clock.now()
    with gl.transaction() as session:
        user = session.execute(select(User.id, User.password_hash, User.active).where(User.username == name)).first()
        if user is None:
            return _Attempt(None, False)
        if not user.active:
            return _Attempt(user.id, False, active=False)
        row = session.execute(_reserve(now), {"user_id": user.id}).first()
        return _Attempt(user.id, row is not None, user.password_hash)


def _reserve(now: datetime):
    """Count one attempt if the account has one left (a lock that has run out starts the count afresh);
    the attempt that uses the last one locks the account until ``now + LOCK_MINUTES`` — a right password
    on it unlocks again."""
    expired = User.locked_until.is_not(None) & (User.locked_until <= now)
    attempts = case((expired, 0), else_=User.failed_logins) + 1
    until = bindparam("until", now + timedelta(minutes=LOCK_MINUTES), type_=User.locked_until.type)
    return (update(User).where(User.id == bindparam("user_id"),
                               User.locked_until.is_(None) | expired,
                               expired | (User.failed_logins < MAX_FAILURES))
            .values(failed_logins=attempts,
                    locked_until=case((attempts >= MAX_FAILURES, until), else_=None))
            .returning(User.failed_logins).execution_options(synchronize_session=False))


def _refused(gl: GuardLoop, attempt: _Attempt, name: str, checked: bool = False):
    """Record why (never the password) in a unit of work of its own, then refuse with the one message."""
    if attempt.user_id is None:
        action, entity_id, after = "login_unknown_user", None, {"username": name[:40]}
    elif not attempt.active:
        action, entity_id, after = "login_disabled", attempt.user_id, None
    elif not attempt.allowed:
        action, entity_id, after = "login_locked", attempt.user_id, None
    else:
        action, entity_id, after = "login_failed", attempt.user_id, None
    with gl.transaction() as session:
        audit.record(session, None, action, "user", entity_id, after=after)
    refuse(REFUSED)


def _signed_in(gl: GuardLoop, user_id: int) -> Actor:
    with gl.transaction() as session:
        # one statement naming every column: the ORM would write only the columns it saw change, so a lock
        # set by a racing wrong password after it read the row would survive with the count at zero
        session.execute(update(User).where(User.id == user_id)
                        .values(failed_logins=0, locked_until=None, last_login_at=clock.now())
                        .execution_options(synchronize_session=False))
        user = session.get(User, user_id, populate_existing=True)
        actor = Actor.of(user)
        audit.record(session, actor, "login", "user", user.id)
    return actor


def sign_out(gl: GuardLoop, actor: Actor) -> None:
    """End every session of the account (退出登录): a saved cookie no longer opens anything."""
    with gl.transaction() as session:
        end_sessions(session, actor.id)
        audit.record(session, actor, "logout", "user", actor.id)


def locked_user(session, user_id: int) -> User | None:
    """The account's row, locked for this unit of work (only the row: its joined agency and district are
    the nullable side of an outer join, which PostgreSQL will not lock)."""
    return session.scalars(select(User).where(User.id == user_id).with_for_update(of=User.__table__)).first()


def end_sessions(session, user_id: int) -> int:
    """Raise the account's session generation in the caller's unit of work; returns the new one."""
    user = locked_user(session, user_id)
    user.session_generation = (user.session_generation or 0) + 1
    return user.session_generation


