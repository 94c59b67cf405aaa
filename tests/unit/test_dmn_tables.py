"""The DMN tables over their whole input domain: exactly one rule matches every input (hit policy UNIQUE,
which SpiffWorkflow does not enforce), and the documented defaults hold.

Each rule is evaluated on its own with SpiffWorkflow's DMN engine and the engine's restricted script
environment, so an overlap cannot hide behind first-match.
"""
import itertools
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.runtime import WorkflowRuntime  # noqa: E402

WORKFLOWS = ROOT / "workflows"
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
          "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/"}

# the factor codes the engine exposes (engine.assessment.RISK_FACTORS)
RISK_FACTORS = {
    "immediate_danger", "violence_abuse", "no_carer", "guardian_absent", "guardian_incarcerated",
    "guardian_in_rehab", "guardian_severely_ill", "serious_failure", "criminal_suspect", "criminal_victim",
    "guardian_uncooperative", "inadequate_guardianship", "bad_behaviour", "truancy", "mental_health_alert",
    "special_family",
}
DANGER = ["immediate_danger", "violence_abuse", "no_carer", "guardian_absent", "guardian_incarcerated",
          "guardian_in_rehab", "guardian_severely_ill"]
SERIOUS = ["serious_failure", "criminal_suspect", "criminal_victim", "guardian_uncooperative"]
CONCERN = ["inadequate_guardianship", "bad_behaviour", "truancy", "mental_health_alert"]
OTHER = ["special_family"]
CODES = ["red", "orange", "yellow", "blue"]
CASE_TYPES = ["minor_suspect", "minor_victim", "family_case", "general"]
RANK = {code: i for i, code in enumerate(reversed(CODES))}  # blue 0 … red 3


@pytest.fixture(scope="module")
def runtime():
    return WorkflowRuntime.from_directory(WORKFLOWS)


class Table:
    def __init__(self, runtime, decision_id):
        self.table = runtime.decisions[decision_id]
        self.engine = DMNEngine(self.table)
        self.script_engine = runtime.script_engine

    def _task(self, data):
        return SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=self.script_engine))

    def rule_matches(self, rule, task):
        for entry in rule.inputEntries:
            for lhs in entry.lhs:
                if lhs is not None and not self.engine.evaluate(entry.input.expression, lhs, task):
                    return False
        return True

    def matching(self, data):
        task = self._task(data)
        return [rule for rule in self.table.rules if self.rule_matches(rule, task)]

    def unique(self, data):
        rules = self.matching(data)
        assert len(rules) == 1, f"{len(rules)} rules match {data}: rows {[r.row_number for r in rules]}"
        return rules[0].output_as_dict(self._task(data))


def factor_sets():
    """Every combination of at most one factor from each group (so also none at all)."""
    for picks in itertools.product(*[[None] + group for group in (DANGER, SERIOUS, CONCERN, OTHER)]):
        yield [f for f in picks if f is not None]
    # and every group complete, plus everything at once
    for group in (DANGER, SERIOUS, CONCERN, OTHER):
        yield list(group)
    yield sorted(RISK_FACTORS)


def expected_code(factors, score):
    factors = set(factors)
    if factors & set(DANGER):
        return "red"
    if factors & set(SERIOUS) or score >= 24:
        return "orange"
    if score >= 12 or factors & set(CONCERN):
        return "yellow"
    return "blue"


def test_risk_code_whole_domain(runtime):
    table = Table(runtime, "risk_code_decision")
    count = 0
    for factors in factor_sets():
        for score in range(0, 37):
            result = table.unique({"risk_factors": factors, "total_score": score})
            assert result == {"assessed_code": expected_code(factors, score)}, (factors, score)
            count += 1
    assert count == (8 * 5 * 5 * 2 + 5) * 37


@pytest.mark.parametrize("factors,score,code", [
    ([], 0, "blue"), ([], 11, "blue"), ([], 12, "yellow"), ([], 23, "yellow"), ([], 24, "orange"), ([], 36, "orange"),
    (["special_family"], 5, "blue"), (["truancy"], 0, "yellow"), (["mental_health_alert"], 30, "orange"),
    (["criminal_suspect"], 0, "orange"), (["guardian_uncooperative", "truancy"], 13, "orange"),
    (["guardian_in_rehab"], 0, "red"), (["immediate_danger", "serious_failure"], 36, "red"),
])
def test_risk_code_spot_checks(runtime, factors, score, code):
    assert Table(runtime, "risk_code_decision").unique({"risk_factors": factors, "total_score": score}) == \
        {"assessed_code": code}


def test_risk_code_first_match_agrees(runtime):
    """The runtime's first-match evaluation gives the same answer as the unique rule."""
    for factors, score in [([], 12), (["no_carer"], 0), (["truancy"], 30)]:
        data = {"risk_factors": factors, "total_score": score}
        assert runtime.decide("risk_code_decision", data) == Table(runtime, "risk_code_decision").unique(data)


MEASURE_OUTPUTS = ["suggest_notify", "suggest_admonish", "suggest_reprimand", "suggest_procuratorate_order",
                   "suggest_court_order", "suggest_civil_affairs"]
CRIMINAL = {"minor_suspect", "minor_victim"}


def expected_measures(code, case_type):
    on = {"notify"}
    if code == "red":
        on |= {"reprimand", "civil_affairs"}
        on |= {"procuratorate_order"} if case_type in CRIMINAL else {"court_order"}
    elif code == "orange":
        if case_type in CRIMINAL:
            on.add("procuratorate_order")
        elif case_type == "family_case":
            on.add("court_order")
        else:
            on.add("reprimand")
    elif code == "yellow":
        on.add("admonish")
    return {out: out.removeprefix("suggest_") in on for out in MEASURE_OUTPUTS}


def test_handling_measures_whole_domain(runtime):
    table = Table(runtime, "handling_measures")
    for code, case_type in itertools.product(CODES, CASE_TYPES):
        result = table.unique({"risk_code": code, "case_type": case_type})
        assert set(result) == set(MEASURE_OUTPUTS)
        assert all(isinstance(v, bool) for v in result.values())
        assert result == expected_measures(code, case_type), (code, case_type)
        assert result["suggest_notify"] is True


@pytest.mark.parametrize("code,case_type,on", [
    ("red", "minor_victim", {"notify", "reprimand", "procuratorate_order", "civil_affairs"}),
    ("red", "family_case", {"notify", "reprimand", "court_order", "civil_affairs"}),
    ("red", "general", {"notify", "reprimand", "court_order", "civil_affairs"}),
    ("orange", "minor_suspect", {"notify", "procuratorate_order"}),
    ("orange", "family_case", {"notify", "court_order"}),
    ("orange", "general", {"notify", "reprimand"}),
    ("yellow", "minor_suspect", {"notify", "admonish"}),
    ("blue", "family_case", {"notify"}),
])
def test_handling_measures_defaults(runtime, code, case_type, on):
    result = Table(runtime, "handling_measures").unique({"risk_code": code, "case_type": case_type})
    assert {k.removeprefix("suggest_") for k, v in result.items() if v} == on


def test_followup_schedule_whole_domain(runtime):
    table = Table(runtime, "followup_schedule")
    expected = {
        "red": ("P7D", "P3D", 4, 30, "P37D", "P5D"), "orange": ("P14D", "P5D", 4, 60, "P40D", "P7D"),
        "yellow": ("P30D", "P7D", 3, 90, "P44D", "P10D"), "blue": ("P90D", "P14D", 2, 180, "P44D", "P10D"),
    }
    for code in CODES:
        result = table.unique({"risk_code": code})
        assert (result["visit_interval"], result["visit_grace"], result["visits_required"], result["review_days"],
                result["session_chase_after"], result["delivery_chase_after"]) == expected[code]
        assert isinstance(result["visits_required"], int) and isinstance(result["review_days"], int)


def test_chases_come_after_the_task_is_due(runtime):
    """A guidance session is due 30 days after the last (the model's ``due_in``), a delivery 3 days after
    issuance: the chase of the supervising agency comes only after a grace on top of that."""
    table = Table(runtime, "followup_schedule")
    for code in CODES:
        result = table.unique({"risk_code": code})
        assert int(result["session_chase_after"][1:-1]) > 30
        assert int(result["delivery_chase_after"][1:-1]) > 3


def test_code_floor_whole_domain(runtime):
    """A round's code is the assessment's, but never below the case's current code: going down takes an
    approved downgrade, not a new assessment."""
    table = Table(runtime, "code_floor")
    for current, assessed in itertools.product(["", *CODES], CODES):
        result = table.unique({"current_code": current, "assessed_code": assessed})
        floor = RANK.get(current, -1)
        expected = assessed if RANK[assessed] >= floor else current
        assert result == {"risk_code": expected, "code_held": expected != assessed}, (current, assessed)


def expected_recommendation(evidence, round_code, risk_code):
    if not evidence:
        return "escalate" if risk_code in ("red", "orange") else "another_round"
    if RANK[risk_code] < RANK[round_code]:
        return "downgrade"
    if round_code == risk_code == "blue":
        return "close"
    if round_code == risk_code == "red":
        return "escalate"
    return "another_round"


def test_downgrade_eligibility_whole_domain(runtime):
    table = Table(runtime, "downgrade_eligibility")
    seen = set()
    for plan_met, on_schedule, round_code, risk_code in itertools.product(
            [True, False], [True, False], CODES, CODES):
        data = {"plan_met": plan_met, "visits_on_schedule": on_schedule, "round_code": round_code,
                "assessed_code": risk_code}
        result = table.unique(data)
        expected = expected_recommendation(plan_met and on_schedule, round_code, risk_code)
        assert result == {"recommendation": expected}, data
        seen.add(expected)
    assert seen == {"downgrade", "close", "escalate", "another_round"}


@pytest.mark.parametrize("evidence,round_code,risk_code,recommendation", [
    (False, "yellow", "red", "escalate"), (False, "red", "orange", "escalate"),
    (False, "orange", "yellow", "another_round"), (False, "blue", "blue", "another_round"),
    (True, "red", "orange", "downgrade"), (True, "red", "blue", "downgrade"), (True, "yellow", "blue", "downgrade"),
    (True, "blue", "blue", "close"), (True, "red", "red", "escalate"),
    (True, "orange", "orange", "another_round"), (True, "orange", "red", "another_round"),
    (True, "blue", "yellow", "another_round"),
])
def test_downgrade_eligibility_spot_checks(runtime, evidence, round_code, risk_code, recommendation):
    data = {"plan_met": evidence, "visits_on_schedule": True, "round_code": round_code, "assessed_code": risk_code}
    assert Table(runtime, "downgrade_eligibility").unique(data) == {"recommendation": recommendation}


def test_factor_codes_named_in_the_risk_table_are_known():
    tree = etree.parse(str(WORKFLOWS / "risk_code.dmn"))
    texts = [t.text or "" for t in tree.iterfind(".//dmn:inputExpression/dmn:text", DMN_NS)]
    named = set(re.findall(r"""["']([a-z_]+)["']""", " ".join(texts)))
    assert named, "no factor codes found in the input expressions"
    assert named <= RISK_FACTORS, named - RISK_FACTORS
    # every factor but special_family (which only marks a family under watch) moves the code
    assert named == RISK_FACTORS - {"special_family"}


@pytest.mark.parametrize("name,decision_id", [
    ("risk_code.dmn", "risk_code_decision"), ("handling_measures.dmn", "handling_measures"),
    ("followup_schedule.dmn", "followup_schedule"), ("downgrade_eligibility.dmn", "downgrade_eligibility"),
    ("code_floor.dmn", "code_floor"),
])
def test_tables_are_unique_dmn13_with_diagram(name, decision_id):
    tree = etree.parse(str(WORKFLOWS / name))
    assert tree.getroot().tag == "{%s}definitions" % DMN_NS["dmn"]
    (decision,) = tree.findall("dmn:decision", DMN_NS)
    assert decision.get("id") == decision_id
    (table,) = decision.findall("dmn:decisionTable", DMN_NS)
    assert table.get("hitPolicy") == "UNIQUE"
    shapes = tree.findall(".//dmndi:DMNShape", DMN_NS)
    assert [s.get("dmnElementRef") for s in shapes] == [decision_id]
