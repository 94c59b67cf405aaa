"""A model opened and saved in a standard modeler with no change means exactly what the committed one does.

bpmn-moddle and dmn-moddle (what bpmn.io, Camunda Modeler and dmn-js read and write with) open and save every
file; the runtime built from the saved copies has the same tasks, lanes, roles and properties, decides every
decision table the same over its whole input domain, and runs a round the same way.
"""
import itertools
import os
import shutil
import subprocess

import pytest

from engine.workflow.runtime import WorkflowRuntime, read_model_sources, task_properties

from .conftest import ROOT, WORKFLOWS, Round


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    node = shutil.which("node")
    if not (ROOT / "node_modules" / "bpmn-moddle").exists() or node is None:
        if os.environ.get("CI"):
            pytest.fail("node_modules is missing: run `npm ci` before the tests")
        pytest.skip("bpmn-moddle is not installed (run `npm ci`)")
    target = tmp_path_factory.mktemp("saved")
    result = subprocess.run([node, str(ROOT / "tools" / "moddle_roundtrip.mjs"), str(WORKFLOWS), str(target)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    sources = read_model_sources(target)
    assert sources.keys() == read_model_sources(WORKFLOWS).keys()
    assert sources != read_model_sources(WORKFLOWS), "the modeler writes its own formatting"
    return WorkflowRuntime(sources)


def fingerprint(runtime):
    tasks = {}
    for name, spec in runtime.task_specs().items():
        lane = runtime.lane(spec)
        tasks[name] = (type(spec).__name__, lane.agency, lane.agency_from, tuple(sorted(task_properties(spec).items())))
    return tasks, sorted(runtime.specs), runtime.index.hit_policies


def test_tasks_lanes_roles_and_properties_survive(runtime, saved):
    assert fingerprint(saved) == fingerprint(runtime)


def test_every_table_decides_the_same_over_its_whole_domain(runtime, saved):
    for decision, columns in runtime.index.input_domains.items():
        paths = [path for _, path, _ in columns]
        for values in itertools.product(*(allowed for _, _, allowed in columns)):
            data = {}
            for path, value in zip(paths, values):
                head, *rest = path.split(".")
                if rest:
                    data.setdefault(head, {})[rest[0]] = value
                else:
                    data[head] = value
            assert saved.decide(decision, data) == runtime.decide(decision, data), (decision, data)


def test_a_round_runs_the_same_on_the_saved_models(saved, clock):
    r = Round(saved, clock)
    r.reach_review(total=30)
    r.review("red", 30, "escalate", approval="approved")
    r.complete("joint_meeting", temporary_guardianship=True, revocation_support=False, rigid_referrals=[])
    r.complete("arrange_temporary_guardianship")
    assert r.end() == "round_escalated"
