"""The digital cockpit (数字驾驶舱): who may read it, the district and period it shows, and its figures.

Supervisors read their own district; leaders (领导) read any district or the whole municipality. The
cockpit shows aggregate figures only, never a child's data. A figure set is computed by aggregate
queries and kept per process for at most ``cockpit_cache_seconds`` per (district, period).
"""
import logging
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.context import GuardLoop
from engine.errors import InvalidInput
from engine.models import District
from engine.reads.cockpit import figures
from engine.reads.cockpit.indicators import compute_all as compute_indicators
from engine.reads.periods import add_months, bounds
from engine.reference import MUNICIPAL_ROLES
from engine.rules.permissions import (
    COCKPIT_REFUSED,
    OTHER_DISTRICT_FIGURES,
    may_read_cockpit,
    may_read_district,
    require,
)
from engine.workflow.clock import clock

ALL_DISTRICTS = "all"
MUNICIPALITY = ("全市（所有区县）", "All districts")


def require_cockpit_rights(actor: Actor) -> None:
    require(may_read_cockpit(actor), COCKPIT_REFUSED)


@dataclass(frozen=True)
class Scope:
    """What a figure set covers: one district (or every one: ``district_id`` None) and a period of days."""

    district_id: int | None
    district_code: str
    district_name: tuple[str, str]
    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return bounds(self.date_from, self.date_to)[0]

    @property
    def end(self) -> datetime:
        return bounds(self.date_from, self.date_to)[1]

    @property
    def key(self) -> tuple:
        return (self.district_id, self.date_from, self.date_to)

    def as_filters(self) -> dict:
        return {"district": self.district_code, "from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


def district_choices(session: Session, actor: Actor) -> list[tuple[str, str, str]]:
    """(code, Chinese, English) of the districts the actor may choose; ``all`` first for leaders."""
    query = select(District.code, District.name_zh, District.name_en).order_by(District.id)
    if actor.role not in MUNICIPAL_ROLES:
        query = query.where(District.id == actor.district_id)
    rows = [tuple(r) for r in session.execute(query)]
    return ([(ALL_DISTRICTS, *MUNICIPALITY)] + rows) if actor.role in MUNICIPAL_ROLES else rows


def read_scope(session: Session, gl: GuardLoop, actor: Actor, data: dict) -> Scope:
    """The filters as submitted (district, from, to) → a checked scope; ``InvalidInput`` names the field."""
    require_cockpit_rights(actor)
    code = str(data.get("district") or "").strip()
    district_id, district_code, name = _district(session, actor, code)
    date_from, date_to = read_period(gl.settings, data)
    return Scope(district_id, district_code, name, date_from, date_to)


def _district(session: Session, actor: Actor, code: str):
    if code == ALL_DISTRICTS:
        require(may_read_district(actor, None), OTHER_DISTRICT_FIGURES)
        return None, ALL_DISTRICTS, MUNICIPALITY
    query = select(District).where(District.code == code) if code else select(District).where(
        District.id == actor.district_id)
    district = session.scalars(query).first()
    if district is None:
        raise InvalidInput("district", "区县不存在。", "No such district.")
    require(may_read_district(actor, district.id), OTHER_DISTRICT_FIGURES)
    return district.id, district.code, (district.name_zh, district.name_en)


def read_period(settings, data: dict) -> tuple[date, date]:
    """From and to (local dates, both included): by default the last ``cockpit_default_months`` calendar
    months up to today; never in the future, from ≤ to, at most ``cockpit_max_years`` long."""
    today = clock.today()
    date_to = _day(data, "to") or today
    date_from = _day(data, "from") or add_months(date_to, -(settings.cockpit_default_months - 1)).replace(day=1)
    if date_to > today:
        raise InvalidInput("to", "截止日期不能晚于今天。", "The end date cannot be after today.")
    if date_from > date_to:
        raise InvalidInput("from", "起始日期不能晚于截止日期。", "The start date must not be after the end date.")
    years = settings.cockpit_max_years
    if date_from < add_months(date_to, -12 * years):
        raise InvalidInput("from", f"时间范围最长 {years} 年。", f"The period can be at most {years} years long.")
    return date_from, date_to


def _day(data: dict, field: str) -> date | None:
    value = str(data.get(field) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, "日期格式应为 年-月-日，例如 2026-01-31。",
                           "Enter the date as YYYY-MM-DD, e.g. 2026-01-31.") from None


FIGURES = {  # name → how to compute it (session, gl, scope, now)
    "open_by_code": lambda s, gl, scope, now: figures.open_cases_by_code(s, scope),
    "open_by_family_type": lambda s, gl, scope, now: figures.open_cases_by_family_type(s, scope),
    "clues_by_source": lambda s, gl, scope, now: figures.new_clues_by_source(s, scope),
    "code_changes": lambda s, gl, scope, now: figures.code_changes_by_month(s, scope),
    "closed_loop": lambda s, gl, scope, now: figures.closed_loop_rate(s, gl, scope),
    "step_times": lambda s, gl, scope, now: figures.step_durations(s, gl, scope),
    "overdue": lambda s, gl, scope, now: figures.overdue_by_agency(s, scope, now),
    "orders": lambda s, gl, scope, now: figures.orders_by_agency_and_month(s, scope),
    "guidance": lambda s, gl, scope, now: figures.guidance_by_month(s, scope),
    "indicators": lambda s, gl, scope, now: compute_indicators(s, scope.district_id, scope.date_from, scope.date_to),
}


def compute(session: Session, gl: GuardLoop, scope: Scope, names=None) -> dict:
    """The figures of the cockpit for ``scope`` (all, or those named), straight from the database."""
    now = clock.now()
    found = {name: FIGURES[name](session, gl, scope, now) for name in (names or FIGURES)}
    found["computed_at"] = now
    return found


class FigureCache:
    """A small per-process cache of figure sets by scope. An entry is served for at most ``ttl`` seconds;
    one read in the second half of that time recomputes it in the background (refresh-ahead), so a
    cockpit in steady use never waits for the aggregate queries, and nothing older than ``ttl`` is served."""

    def __init__(self, max_entries: int = 64):
        self._entries: OrderedDict = OrderedDict()     # key → (computed at, figures)
        self._refreshing: set = set()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key, ttl: float):
        return self._fresh(key, ttl)[0]

    def read(self, key, ttl: float, compute, refresh):
        """The cached set, else ``compute()`` now; ``refresh()`` (own session) recomputes ahead of expiry."""
        value, age = self._fresh(key, ttl)
        if value is None:
            value = compute()
            self.put(key, value)
        elif age > ttl / 2 and self._claim(key):
            threading.Thread(target=self._refresh, args=(key, refresh), daemon=True).start()
        return value

    def _fresh(self, key, ttl: float):
        with self._lock:
            entry = self._entries.get(key)
            age = time.monotonic() - entry[0] if entry else None
            if entry is None or age > ttl:
                return None, None
            self._entries.move_to_end(key)
            return entry[1], age

    def _claim(self, key) -> bool:
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def _refresh(self, key, refresh) -> None:
        try:
            self.put(key, refresh())
        except Exception:  # the entry simply expires; the next read computes it and reports any error
            logging.getLogger(__name__).exception("cockpit refresh of %s failed", key)
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_caches: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def cache_of(gl: GuardLoop) -> FigureCache:
    """The figure cache of one engine context (one per process in production)."""
    if gl not in _caches:
        _caches[gl] = FigureCache()
    return _caches[gl]


def read_cockpit(gl: GuardLoop, actor: Actor, filters: dict) -> dict:
    """The cockpit as the actor may read it: the checked scope, the district choices and the figures."""
    with gl.reading() as session:
        scope = read_scope(session, gl, actor, filters)
        choices = district_choices(session, actor)
        found = cache_of(gl).read(scope.key, gl.settings.cockpit_cache_seconds,
                                  lambda: compute(session, gl, scope), lambda: _compute_afresh(gl, scope))
    return {"scope": scope, "districts": choices, "figures": found}


def _compute_afresh(gl: GuardLoop, scope: Scope) -> dict:
    with gl.reading() as session:
        return compute(session, gl, scope)


def filter_choices(gl: GuardLoop, actor: Actor) -> list[tuple[str, str, str]]:
    """The districts the actor may pick (for the filter form, also when the filters given were wrong)."""
    require_cockpit_rights(actor)
    with gl.reading() as session:
        return district_choices(session, actor)
