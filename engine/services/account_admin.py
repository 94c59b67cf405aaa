"""Managing accounts (账号管理): edit, disable and enable, unlock, sign out everywhere, one-time reset links,
and changing one's own password. Only administrators manage others; every change is audited, and every
change that alters what a person may do or how they sign in ends their sessions."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.models import Agency, District, User
from engine.reference import AGENCIES, ROLES
from engine.rules import validate as v
from engine.rules.passwords import check_password, hash_password, password_problem
from engine.rules.permissions import ACCOUNT_DISABLED, ACCOUNTS_ADMIN_ONLY, may_manage_accounts, require
from engine.services.accounts import end_sessions, locked_user
from engine.workflow.clock import clock

RESET_HOURS = 24
_BAD_LINK = ("重置链接无效或已过期，请向系统管理员申请新的链接。",
             "This reset link is not valid or has expired: ask your administrator for a new one.")


def require_admin(actor: Actor) -> None:
    require(may_manage_accounts(actor), ACCOUNTS_ADMIN_ONLY)


def _account(session, actor: Actor, user_id: int) -> User:
    require_admin(actor)
    user = locked_user(session, user_id)
    if user is None:
        raise NotFound("账号不存在。", "No such account.")
    return user


def _not_self(actor: Actor, user: User, what: tuple[str, str]) -> None:
    if user.id == actor.id:
        raise InvalidInput("user", *what)


def update_user(gl: GuardLoop, actor: Actor, user_id: int, data: dict) -> None:
    """Change an account's name shown, agency, role or district; a change of rights ends its sessions."""
    with gl.transaction() as session:
        user = _account(session, actor, user_id)
        agency = session.scalars(select(Agency).where(Agency.code == v.choice(data, "agency", AGENCIES))).one()
        district = session.scalars(select(District).where(District.code == v.text(data, "district", max_len=20))).first()
        if district is None:
            raise InvalidInput("district", "区县不存在。", "No such district.")
        before = _rights(user)
        user.display_name = v.text(data, "display_name", max_len=80)
        user.role, user.agency_id, user.district_id = v.choice(data, "role", ROLES), agency.id, district.id
        if user.id == actor.id and user.role != "admin":
            raise InvalidInput("role", "不能取消自己的管理员角色。", "You cannot take your own administrator role away.")
        after = {**_rights(user), "agency": agency.code, "district": district.code}
        if (before["role"], before["agency_id"], before["district_id"]) != (user.role, agency.id, district.id):
            end_sessions(session, user.id)
        audit.record(session, actor, "update_user", "user", user.id, None, before, after)


def _rights(user: User) -> dict:
    return {"display_name": user.display_name, "role": user.role, "agency_id": user.agency_id,
            "district_id": user.district_id}


def set_active(gl: GuardLoop, actor: Actor, user_id: int, active: bool) -> None:
    """Disable (停用) or enable an account; disabling ends its sessions at once."""
    with gl.transaction() as session:
        user = _account(session, actor, user_id)
        _not_self(actor, user, ("不能停用自己的账号。", "You cannot disable your own account."))
        user.active = bool(active)
        if not user.active:
            end_sessions(session, user.id)
        audit.record(session, actor, "enable_user" if user.active else "disable_user", "user", user.id)


def unlock(gl: GuardLoop, actor: Actor, user_id: int) -> None:
    """Lift a lock-out after failed sign-ins."""
    with gl.transaction() as session:
        user = _account(session, actor, user_id)
        before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
        user.failed_logins, user.locked_until = 0, None
        audit.record(session, actor, "unlock_user", "user", user.id, None, before, None)


def sign_out_everywhere(gl: GuardLoop, actor: Actor, user_id: int) -> None:
    """End every session of the account (a lost phone, a shared computer)."""
    with gl.transaction() as session:
        user = _account(session, actor, user_id)
        end_sessions(session, user.id)
        audit.record(session, actor, "end_sessions", "user", user.id)


def issue_reset_link(gl: GuardLoop, actor: Actor, user_id: int) -> str:
    """A one-time password-reset token, valid ``RESET_HOURS``; only its hash is stored. The administrator
    passes the link on; using it sets a new password and ends every session."""
    token = secrets.token_urlsafe(32)
    with gl.transaction() as session:
        user = _account(session, actor, user_id)
        user.reset_token_hash = _digest(token)
        user.reset_token_expires = clock.now() + timedelta(hours=RESET_HOURS)
        audit.record(session, actor, "issue_password_reset", "user", user.id, None, None,
                     {"expires": user.reset_token_expires})
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_target(gl: GuardLoop, token: str) -> str:
    """The user name a valid reset token is for (shown on the reset page), or NotFound."""
    with gl.reading() as session:
        return _by_token(session, token).username


def _by_token(session, token: str, lock: bool = False) -> User:
    if not token or len(token) > 100:
        raise NotFound(*_BAD_LINK)
    query = select(User).where(User.reset_token_hash == _digest(token))
    user = session.scalars(query.with_for_update(of=User.__table__) if lock else query).first()
    if user is None or not user.active or user.reset_token_expires is None or user.reset_token_expires < clock.now():
        raise NotFound(*_BAD_LINK)
    return user


def reset_password(gl: GuardLoop, token: str, password: str, repeat: str) -> None:
    """Set a new password with a one-time link: the link is spent, the lock lifted, sessions ended."""
    with gl.transaction() as session:
        user = _by_token(session, token, lock=True)
        _set_password(session, user, password, repeat)
        user.reset_token_hash = user.reset_token_expires = None
        user.failed_logins, user.locked_until = 0, None
        audit.record(session, None, "reset_password", "user", user.id)


def change_password(gl: GuardLoop, actor: Actor, current: str, password: str, repeat: str) -> int:
    """Change one's own password (also the forced change after a temporary one); returns the new session
    generation, which the caller's own session takes on — every other session ends."""
    with gl.transaction() as session:
        user = locked_user(session, actor.id)
        require(user is not None and user.active, ACCOUNT_DISABLED)
        if not check_password(user.password_hash, current or ""):
            raise InvalidInput("current_password", "当前密码不正确。", "The current password is wrong.")
        if password == current:
            raise InvalidInput("password", "新密码不能与当前密码相同。", "The new password must differ from the current one.")
        generation = _set_password(session, user, password, repeat)
        audit.record(session, actor, "change_password", "user", user.id)
        return generation


def _set_password(session, user: User, password: str, repeat: str) -> int:
    password = password or ""
    if password != (repeat or ""):
        raise InvalidInput("repeat_password", "两次输入的新密码不一致。", "The two new passwords differ.")
    problem = password_problem(password, user.username, user.display_name)
    if problem:
        raise InvalidInput("password", *problem)
    user.password_hash, user.must_change_password = hash_password(password), False
    return end_sessions(session, user.id)
