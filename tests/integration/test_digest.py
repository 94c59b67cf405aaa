"""The daily e-mail digest, sent to a real SMTP server on this machine (aiosmtpd): only to those who asked,
once a day by the tick, with case numbers and task names and none of the child's personal data."""
import socket
from dataclasses import replace
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine import services
from engine.errors import InvalidInput, NotConfigured
from engine.models import AuditEntry, AuditStaged, Case
from engine.services import digest

from .helpers import CHILD, new_case


class Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(gl):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    gl.settings = replace(gl.settings, smtp_host="127.0.0.1", smtp_port=controller.port,
                          smtp_from="guardloop@example.org")
    yield inbox
    controller.stop()


def test_the_digest_goes_to_those_who_asked_without_personal_data(gl, driver, smtp):
    case = new_case(driver)
    digest.update_settings(gl, driver.actor("wf_caseworker"), {"email": "lijuan@example.org", "digest_opt_in": "1"})
    digest.update_settings(gl, driver.actor("wf_caseworker2"), {"email": "zhoumin@example.org", "digest_opt_in": ""})
    assert digest.send_digests(gl) == 1
    [(to, mail)] = smtp.mails
    assert to == ["lijuan@example.org"] and mail["From"] == "guardloop@example.org"
    body = mail.get_content()
    with gl.reading() as s:
        c = s.get(Case, case)
        assert c.case_no in body and "社会调查" in body
        for personal in (c.child_name, CHILD["child_id_number"], "监护人甲", c.child_school or "班主任", "旷课"):
            assert personal not in body and personal not in mail["Subject"]
    assert "lijuan" not in body   # nor the address in the text


def test_the_tick_sends_once_a_day_from_the_digest_hour(gl, driver, smtp, clock):
    from datetime import datetime, timezone
    new_case(driver)
    digest.update_settings(gl, driver.actor("wf_caseworker"), {"email": "lijuan@example.org", "digest_opt_in": "on"})
    clock.set(datetime(2026, 3, 3, 22, 0, tzinfo=timezone.utc))        # 06:00 in China: before the hour
    services.tick(gl)
    assert smtp.mails == []
    clock.set(datetime(2026, 3, 3, 23, 30, tzinfo=timezone.utc))       # 07:30
    services.tick(gl)
    services.tick(gl)
    assert len(smtp.mails) == 1
    clock.set(datetime(2026, 3, 4, 23, 30, tzinfo=timezone.utc))       # the next day
    services.tick(gl)
    assert len(smtp.mails) == 2
    with gl.reading() as s:
        sent = [e for m in (AuditEntry, AuditStaged) for e in s.scalars(select(m).where(m.action == "send_digest"))]
    assert len(sent) == 2


def test_nothing_unread_nothing_sent_and_bad_addresses_refused(gl, driver, smtp):
    with pytest.raises(InvalidInput):
        digest.update_settings(gl, driver.actor("wf_caseworker"), {"email": "not an address", "digest_opt_in": "1"})
    with pytest.raises(InvalidInput):
        digest.update_settings(gl, driver.actor("wf_caseworker"), {"email": "", "digest_opt_in": "1"})
    digest.update_settings(gl, driver.actor("wf_caseworker"), {"email": "lijuan@example.org", "digest_opt_in": "1"})
    assert digest.send_digests(gl) == 0 and smtp.mails == []


def test_without_an_smtp_server_the_command_says_so(gl):
    gl.settings = replace(gl.settings, smtp_host="")
    with pytest.raises(NotConfigured):
        digest.send_digests(gl)
    assert digest.send_due_digests(gl) == 0
