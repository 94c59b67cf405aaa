"""Deploying a new version of the models: running rounds finish on theirs, new rounds in every process start
on the latest deployed one without a restart, and deploying an older version again rolls back."""
import shutil

import pytest
from sqlalchemy import select

from engine import context as engine_context
from engine.context import GuardLoop
from engine.models import Round
from engine.infra.settings import ROOT, Settings

from ..conftest import backends
from .helpers import new_case


@pytest.fixture
def edited_models(tmp_path):
    """A copy of ``workflows/`` with one label renamed, as a process owner's save in the modeler would."""
    target = tmp_path / "workflows"
    shutil.copytree(ROOT / "workflows", target)
    assess = target / "assess.bpmn"
    text = assess.read_text(encoding="utf-8")
    assert 'name="社会调查"' in text
    assess.write_text(text.replace('name="社会调查"', 'name="社会调查（入户）"'), encoding="utf-8")
    return target


def _round_versions(gl, case_id):
    with gl.reading() as s:
        return s.scalars(select(Round.model_version).where(Round.case_id == case_id).order_by(Round.id)).all()


@pytest.mark.parametrize("database_url", backends(), indirect=True)
def test_a_deployment_reaches_every_process_and_running_rounds_keep_their_version(gl, driver, edited_models,
                                                                                    monkeypatch):
    with gl.reading() as s:
        old_version = gl.current_version(s)
    running = new_case(driver)
    deployer = GuardLoop(Settings(database_url=gl.settings.database_url, demo_mode=True, models_dir=edited_models),
                         engine=gl.engine)
    with deployer.transaction() as s:
        new_version = deployer.deploy_models(s)
    assert new_version != old_version
    with gl.reading() as s:   # within the recheck period this process still starts rounds on the old one
        assert gl.current_version(s) == old_version
    monkeypatch.setattr(engine_context, "VERSION_RECHECK_SECONDS", 0)
    with gl.reading() as s:
        assert gl.current_version(s) == new_version
    fresh = new_case(driver)
    assert _round_versions(gl, fresh) == [new_version]
    assert _round_versions(gl, running) == [old_version]
    driver.do("wf_caseworker", running, "social_investigation", {"findings": "入户调查完成", "investigated_on": driver.today()})
    assert _round_versions(gl, running) == [old_version]   # it runs on to its end on the version it began with
    with gl.transaction() as s:   # deploying the old files again makes them current again (a roll-back)
        assert gl.deploy_models(s) == old_version
    with deployer.reading() as s:
        monkeypatch.setattr(engine_context, "VERSION_RECHECK_SECONDS", 0)
        assert deployer.current_version(s) == old_version
