"""Webhooks: a clue's status pushed to the sender's registered URL (a loopback listener here), signed with
HMAC-SHA256, retried after a failure, and written in the same unit of work as the change."""
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from engine import services
from engine.actor import actor_by_username
from engine.errors import InvalidInput
from engine.models import ApiWebhookDelivery
from engine.services import api_clients, webhooks
from engine.services.reports import acknowledge_report

from .conftest import BASE_CLUE


class Listener:
    """An HTTP server on 127.0.0.1 that records each POST and answers with the statuses it is given."""

    def __init__(self, statuses=()):
        self.received, self.statuses = [], list(statuses)
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                listener.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(listener.statuses.pop(0) if listener.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/guardloop-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def user(gl, name):
    with gl.reading() as s:
        return actor_by_username(s, name)


def verify(key, headers, body):
    fields = dict(part.split("=", 1) for part in headers["x-guardloop-signature"].split(","))
    expected = hmac.new(key.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_the_status_reaches_the_senders_listener_signed(gl, register, listener, clock):
    school = register()
    key = api_clients.set_webhook(gl, None, "jb-school", listener.url)
    clue_id = school.post_clue({**BASE_CLUE, "mandatory_report": True}, "k").get_json()["id"]
    acknowledge_report(gl, user(gl, "police"), clue_id)
    services.open_case(gl, user(gl, "wf_caseworker"), clue_id, {"case_type": "general"})
    assert webhooks.deliver_due(gl) == 2
    assert webhooks.deliver_due(gl) == 0           # nothing is sent twice
    events = [(h["x-guardloop-event"], json.loads(body)) for h, body in listener.received]
    assert [e for e, _ in events] == ["report.acknowledged", "clue.opened_as_case"]
    assert all(verify(key, h, body) for h, body in listener.received)
    assert not verify("another key", *listener.received[0])
    opened = events[1][1]["clue"]
    assert opened["id"] == clue_id and opened["status"] == "opened_as_case" and opened["case"]["closed"] is False
    assert opened["report"]["acknowledged_at"] and opened["child"] == "张**"
    assert "110105201605040018" not in listener.received[1][1].decode()
    # the payload is the same view as GET /api/v1/clues/{id}
    status = school.status(clue_id).get_json()
    assert status["status"] == opened["status"] and status["clue_no"] == opened["clue_no"]


def test_a_failed_delivery_is_retried_later_then_given_up(gl, register, clock):
    server = Listener(statuses=[500, 503])
    try:
        school = register()
        api_clients.set_webhook(gl, None, "jb-school", server.url)
        clue_id = school.post_clue(BASE_CLUE, "k").get_json()["id"]
        services.open_case(gl, user(gl, "wf_caseworker"), clue_id, {"case_type": "general"})
        assert webhooks.deliver_due(gl) == 1 and len(server.received) == 1
        assert webhooks.deliver_due(gl) == 0           # not due again yet
        clock.advance(webhooks.RETRY_DELAYS[0])
        assert webhooks.deliver_due(gl) == 1           # 503
        clock.advance(webhooks.RETRY_DELAYS[1])
        assert webhooks.deliver_due(gl) == 1           # 204
        assert len(server.received) == 3
        with gl.reading() as s:
            row = s.scalars(select(ApiWebhookDelivery)).one()
            assert (row.attempts, row.next_attempt_at, row.last_error) == (3, None, None) and row.delivered_at
    finally:
        server.close()
    # a listener that is gone: retried after each delay, then given up
    services.open_case(gl, user(gl, "wf_caseworker"), school.post_clue(
        {**BASE_CLUE, "child_id_number": "", "child_name": "李四"}, "k2").get_json()["id"], {"case_type": "general"})
    for delay in (timedelta(0), *webhooks.RETRY_DELAYS):
        clock.advance(delay)
        assert webhooks.deliver_due(gl) == 1
    clock.advance(timedelta(days=1))
    assert webhooks.deliver_due(gl) == 0
    with gl.reading() as s:
        row = s.scalars(select(ApiWebhookDelivery).order_by(ApiWebhookDelivery.id.desc())).first()
        assert row.attempts == len(webhooks.RETRY_DELAYS) + 1 and row.next_attempt_at is None
        assert row.delivered_at is None and "Error" in row.last_error


def test_no_event_without_a_webhook_and_none_for_a_change_that_rolled_back(gl, register, monkeypatch):
    school = register()
    clue_id = school.post_clue(BASE_CLUE, "k").get_json()["id"]
    api_clients.set_webhook(gl, None, "jb-school", "https://hooks.example.org/guardloop")
    from engine.services import clues

    def fail(*args, **kwargs):
        raise RuntimeError("the first round could not start")
    with monkeypatch.context() as patch:   # the event is queued, then the unit of work fails after it
        patch.setattr(clues, "start_round", fail)
        with pytest.raises(RuntimeError):
            services.open_case(gl, user(gl, "wf_caseworker"), clue_id, {"case_type": "general"})
    with gl.reading() as s:
        assert s.scalars(select(ApiWebhookDelivery)).all() == []
    assert school.status(clue_id).get_json()["status"] == "received"
    api_clients.set_webhook(gl, None, "jb-school", None)   # removed: a change queues nothing
    services.open_case(gl, user(gl, "wf_caseworker"), clue_id, {"case_type": "general"})
    with gl.reading() as s:
        assert s.scalars(select(ApiWebhookDelivery)).all() == []


def test_only_https_or_loopback_urls(gl, register):
    register()
    for url in ("http://10.0.0.5/hook", "ftp://127.0.0.1/x", "http://example.com/hook", "not a url"):
        with pytest.raises(InvalidInput):
            api_clients.set_webhook(gl, None, "jb-school", url)
    assert api_clients.set_webhook(gl, None, "jb-school", "https://hooks.example.org/guardloop")
    assert api_clients.set_webhook(gl, None, "jb-school", "http://[::1]:8080/x")
