"""The task catalog names exactly the tasks of the models, and no task id is written anywhere else in the code."""
import re
from pathlib import Path

from lxml import etree

from engine.workflow import catalog
from engine.reads.round_facts import CHASE_ITEMS
from engine.services.chases import CHASE_KINDS
from engine.workflow.catalog import APPROVAL_TASKS, CHASED_TASKS, OVERDUE_TASKS, RETURNS_TO, REWORK_STEPS, Task, Wait

ROOT = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SCANNED = ("engine", "web", "documents")
ALLOWED = (ROOT / "engine" / "workflow" / "catalog.py", ROOT / "engine" / "infra" / "migrations")


def element_ids(tag: str) -> set[str]:
    return {node.get("id") for path in (ROOT / "workflows").glob("*.bpmn")
            for node in etree.parse(str(path)).getroot().iter(f"{BPMN}{tag}")}


def literal_pattern(ids) -> re.Pattern:
    return re.compile(r"""(["'])(%s)\1""" % "|".join(sorted(ids, key=len, reverse=True)))


def task_id_literals(path: Path, pattern: re.Pattern, root: Path = ROOT) -> list[str]:
    """``file:line`` of every quoted task id in the file (a table named like its task is not one)."""
    return [f"{path.relative_to(root)}:{number}" for number, line in enumerate(path.read_text().splitlines(), 1)
            if pattern.search(line) and "__tablename__" not in line]


def test_the_catalog_names_exactly_the_user_tasks_of_the_models():
    assert {str(t) for t in Task} == element_ids("userTask")


def test_the_catalog_names_exactly_the_waits_of_the_models():
    assert {str(w) for w in Wait} == element_ids("receiveTask")


def test_every_task_has_its_facts_from_the_models():
    for name in [*Task, *Wait]:
        facts = catalog.fact(name)
        assert facts.roles and facts.step and facts.due_in, name
        assert facts.agency or facts.agency_from, f"{name} sits in no lane that names its agency"


def test_a_returned_request_goes_back_to_a_task_of_its_kind():
    returned = {kind for kinds in RETURNS_TO.values() for kind in kinds}
    assert returned == set(APPROVAL_TASKS.values())


def test_every_approval_is_late_as_an_approval_and_rework_reopens_each_later_step():
    assert set(OVERDUE_TASKS["approval"]) == set(APPROVAL_TASKS)
    assert list(REWORK_STEPS) == ["guide", "follow_up", "review"]


def test_no_task_id_is_a_literal_outside_the_catalog_and_the_models():
    pattern = literal_pattern([*Task, *Wait])
    files = [p for folder in SCANNED for suffix in ("*.py", "*.html") for p in (ROOT / folder).rglob(suffix)
             if not any(p == allowed or allowed in p.parents for allowed in ALLOWED)]
    assert len(files) > 100
    assert [hit for path in files for hit in task_id_literals(path, pattern)] == []


def test_the_scan_sees_a_task_id_in_either_quotes_and_names_its_line(tmp_path):
    sample = tmp_path / "x.html"
    sample.write_text("{% if item.task_spec == 'decide_outcome' %}\nspec = \"await_visit\"\nn = 'decide_outcome_x'\n"
                      "    __tablename__ = \"compliance_check\"\n")
    assert task_id_literals(sample, literal_pattern([*Task, *Wait]), tmp_path) == ["x.html:1", "x.html:2"]


def test_every_chase_the_models_raise_has_a_name_and_a_closed_loop_item():
    assert set(CHASED_TASKS) == set(CHASE_KINDS) == set(CHASE_ITEMS)
