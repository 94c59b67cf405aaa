"""The acting user, as every service receives it."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import User
from engine.rules.permissions import ACCOUNT_DISABLED, require
from engine.rules.usernames import normalise


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: str
    agency: str
    district_id: int
    session_generation: int = 0     # the account's, when this actor was loaded (``User.session_generation``)
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user.id, user.username, user.display_name, user.role, user.agency.code, user.district_id,
                   user.session_generation or 0, bool(user.must_change_password))


def load_actor(session: Session, user_id: int) -> Actor:
    user = session.get(User, user_id)
    require(user is not None and user.active, ACCOUNT_DISABLED)
    return Actor.of(user)


def actor_by_username(session: Session, username: str) -> Actor:
    user = session.scalars(select(User).where(User.username == normalise(username))).first()
    require(user is not None and user.active, ACCOUNT_DISABLED)
    return Actor.of(user)
