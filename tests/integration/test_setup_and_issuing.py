"""``init`` makes demo accounts only when asked and never beside real ones; documents are issued only
with a verification address the public can reach (or in demo mode)."""
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from engine.infra.bootstrap import init
from engine.context import GuardLoop
from engine.infra.db import make_engine
from engine.errors import NotConfigured, PermissionDenied
from engine.models import DocumentRecord, User
from engine.services.setup import add_user
from engine.infra.settings import Settings

from .helpers import assess, new_case


def _users(gl):
    with gl.reading() as s:
        return s.scalar(select(func.count(User.id)))


def test_init_creates_no_demo_account_unless_asked_and_none_beside_real_ones(database_url, clock):
    gl = GuardLoop(Settings(database_url=database_url), engine=make_engine(database_url))
    try:
        assert init(gl) == [] and _users(gl) == 0
        with gl.transaction() as s:
            add_user(s, None, {"username": "admin", "display_name": "管理员", "password": "granite owl 2026 shore",
                               "agency": "womens_federation", "role": "admin", "district": "JB"})
        with pytest.raises(PermissionDenied):
            init(gl, with_demo_users=True)
        assert _users(gl) == 1
    finally:
        gl.engine.dispose()


def test_init_with_demo_users_marks_them_and_is_idempotent(gl):
    assert init(gl, with_demo_users=True) == []
    with gl.reading() as s:
        assert all(s.scalars(select(User.demo)))


def _documents(gl, case):
    with gl.reading() as s:
        return s.scalar(select(func.count(DocumentRecord.id)).where(DocumentRecord.case_id == case))


NOTICE = {"content": "告知", "delivery_method": "in_person", "recipient": "监护人", "signed": True}


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://localhost:8000", "http://[::1]/", "http://0.0.0.0"])
def test_issuing_refuses_a_loopback_verification_address_outside_demo_mode(gl, driver, url):
    case = new_case(driver)
    assess(driver, case, 16, ["guardian_uncooperative"])
    driver.do("wf_caseworker", case, "propose_measures", {"measure_notify": True, "reason": "橙码"})
    before = _documents(gl, case)
    gl.settings = replace(gl.settings, demo_mode=False, verify_base_url=url)
    with pytest.raises(NotConfigured) as refused:
        driver.do("wf_caseworker", case, "notify_guardian", {"notified_on": driver.today(), **NOTICE})
    assert "GUARDLOOP_VERIFY_BASE_URL" in refused.value.message_en
    assert _documents(gl, case) == before
    gl.settings = replace(gl.settings, verify_base_url="https://verify.jiangbei.example.cn")
    driver.do("wf_caseworker", case, "notify_guardian", {"notified_on": driver.today(), **NOTICE})
    assert _documents(gl, case) > before
