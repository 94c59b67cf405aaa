"""``guardloop tick`` delivers due webhook events after firing the timers (``api-client deliver`` stays)."""
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import services
from engine.actor import actor_by_username
from engine.models import ApiWebhookDelivery
from engine.services import api_clients, webhooks

from ..conftest import backends
from .conftest import BASE_CLUE
from .test_webhooks import Listener, verify

pytestmark = pytest.mark.parametrize("database_url", backends(), indirect=True)


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _open(gl, school):
    clue_id = school.post_clue(BASE_CLUE, "k").get_json()["id"]
    with gl.reading() as s:
        caseworker = actor_by_username(s, "wf_caseworker")
    services.open_case(gl, caseworker, clue_id, {"case_type": "general"})
    return clue_id


def test_tick_delivers_the_due_events_to_the_loopback_listener(gl, register, listener, monkeypatch):
    from engine.infra import cli
    monkeypatch.setattr(cli, "GuardLoop", lambda: gl)
    school = register()
    key = api_clients.set_webhook(gl, None, "jb-school", listener.url)
    clue_id = _open(gl, school)
    result = CliRunner().invoke(cli.main, ["tick"])
    assert result.exit_code == 0, result.output
    assert "rounds moved by timers" in result.output and "webhook deliveries attempted: 1" in result.output
    assert len(listener.received) == 1
    headers, body = listener.received[0]
    assert verify(key, headers, body)
    assert json.loads(body)["clue"]["id"] == clue_id and headers["x-guardloop-event"] == "clue.opened_as_case"
    with gl.reading() as s:
        row = s.scalars(select(ApiWebhookDelivery)).one()
        assert row.delivered_at is not None and row.next_attempt_at is None
    again = CliRunner().invoke(cli.main, ["tick"])
    assert again.exit_code == 0 and "webhook" not in again.output     # nothing is sent twice
    assert len(listener.received) == 1


def test_a_failing_delivery_leaves_the_event_due_and_the_tick_succeeds(gl, register, monkeypatch, clock):
    from engine.infra import cli
    monkeypatch.setattr(cli, "GuardLoop", lambda: gl)
    school = register()
    failing = Listener(statuses=[503])
    try:
        api_clients.set_webhook(gl, None, "jb-school", failing.url)
        _open(gl, school)
        result = CliRunner().invoke(cli.main, ["tick"])
        assert result.exit_code == 0, result.output
        with gl.reading() as s:
            row = s.scalars(select(ApiWebhookDelivery)).one()
            assert row.delivered_at is None and row.last_error == "HTTP 503" and row.next_attempt_at is not None
        clock.advance(webhooks.RETRY_DELAYS[0])
        assert CliRunner().invoke(cli.main, ["tick"]).exit_code == 0
        assert len(failing.received) == 2
        with gl.reading() as s:
            assert s.scalars(select(ApiWebhookDelivery)).one().delivered_at is not None
    finally:
        failing.close()


def test_an_error_in_the_deliverer_does_not_stop_the_timers(gl, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")
    monkeypatch.setattr(webhooks, "deliver_due", broken)
    assert webhooks.deliver_after_tick(gl) == 0
