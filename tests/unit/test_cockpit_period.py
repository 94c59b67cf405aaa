"""The cockpit's period filter and who may read the cockpit: clear errors, policy from settings."""
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from engine.actor import Actor
from engine.workflow.clock import clock
from engine.reads.cockpit import read_period, require_cockpit_rights
from engine.errors import InvalidInput, PermissionDenied
from engine.infra.settings import Settings

TODAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def fixed_today():
    clock.set(datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc))
    yield
    clock.reset()


def test_default_is_the_last_twelve_calendar_months():
    assert read_period(Settings(), {}) == (date(2026, 1, 1), TODAY)
    assert read_period(replace(Settings(), cockpit_default_months=3), {}) == (date(2026, 10, 1), TODAY)
    assert read_period(Settings(), {"to": "2026-06-15"}) == (date(2025, 7, 1), date(2026, 6, 15))


@pytest.mark.parametrize("data, field, english", [
    ({"from": "2026-13-01"}, "from", "YYYY-MM-DD"),
    ({"to": "yesterday"}, "to", "YYYY-MM-DD"),
    ({"to": "2026-12-03"}, "to", "after today"),
    ({"from": "2026-06-02", "to": "2026-06-01"}, "from", "must not be after"),
    ({"from": "2021-12-01", "to": "2026-12-02"}, "from", "at most 5 years"),
])
def test_bad_periods_are_refused_naming_the_field(data, field, english):
    with pytest.raises(InvalidInput) as refused:
        read_period(Settings(), data)
    assert refused.value.field == field and english in refused.value.message_en
    assert refused.value.message and refused.value.message != refused.value.message_en


def test_exactly_the_longest_period_is_allowed():
    assert read_period(Settings(), {"from": "2021-12-02", "to": "2026-12-02"}) == (date(2021, 12, 2), TODAY)
    with pytest.raises(InvalidInput):
        read_period(replace(Settings(), cockpit_max_years=2), {"from": "2021-12-02"})


@pytest.mark.parametrize("role, allowed", [("supervisor", True), ("leader", True), ("caseworker", False),
                                           ("prosecutor", False), ("judge", False), ("counsellor", False),
                                           ("admin", False)])
def test_only_supervisors_and_leaders_read_the_cockpit(role, allowed):
    actor = Actor(1, "u", "U", role, "womens_federation", 1)
    if allowed:
        require_cockpit_rights(actor)
    else:
        with pytest.raises(PermissionDenied):
            require_cockpit_rights(actor)
