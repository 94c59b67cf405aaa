"""Accounts and districts as the pages read them: the administrator's list of accounts and one account, the
districts an account may belong to, the actor of a session cookie, the accounts present for the ``serve``
command's list of demo sign-ins."""
from sqlalchemy import select

from engine.actor import Actor
from engine.models import District, User
from engine.rules.permissions import ACCOUNTS_ADMIN_ONLY, may_manage_accounts, require


def districts(gl) -> list[District]:
    with gl.reading() as session:
        return list(session.scalars(select(District).order_by(District.id)))


def district(gl, district_id: int) -> District | None:
    with gl.reading() as session:
        return session.get(District, district_id)


def accounts(gl, actor) -> list[User]:
    """Every account, by district, agency and username (administrators only)."""
    require(may_manage_accounts(actor), ACCOUNTS_ADMIN_ONLY)
    with gl.reading() as session:
        return list(session.scalars(select(User).order_by(User.district_id, User.agency_id, User.username)))


def account(gl, actor, user_id: int) -> User | None:
    """One account, or None (administrators only)."""
    require(may_manage_accounts(actor), ACCOUNTS_ADMIN_ONLY)
    with gl.reading() as session:
        return session.get(User, user_id)


def signed_in(gl, user_id: int, generation: int) -> Actor | None:
    """The actor of a session cookie, or None when the account is gone, disabled or the session ended."""
    with gl.reading() as session:
        return session_is_current(session, user_id, generation)


def usernames(gl) -> set[str]:
    with gl.reading() as session:
        return set(session.scalars(select(User.username)))


def session_is_current(session, user_id: int, generation: int) -> Actor | None:
    """The actor of a session cookie, or None when the account is gone, disabled or the session ended."""
    user = session.get(User, user_id)
    if user is None or not user.active or (user.session_generation or 0) != generation:
        return None
    return Actor.of(user)
