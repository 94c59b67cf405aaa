"""The decision tables over their whole input domain (each input's ``inputValues``): a UNIQUE table matches
exactly one rule for every input, a FIRST table at least one; every output is one its column allows; and the
policy a practitioner signs holds (red reachable by score, one level down at a time, …).

Rules are evaluated one by one with SpiffWorkflow's DMN engine on the FEEL the tables are written in, as the
runtime translates it, so an overlap cannot hide behind first-match.
"""
import itertools
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.workflow import feel  # noqa: E402
from engine.workflow.runtime import WorkflowRuntime  # noqa: E402

WORKFLOWS = ROOT / "workflows"
DMN = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
CODES = ["watch", "blue", "yellow", "orange", "red"]
RANK = {code: i for i, code in enumerate(CODES)}


@pytest.fixture(scope="module")
def runtime():
    return WorkflowRuntime.from_directory(WORKFLOWS)


def domain(runtime, decision):
    """Every input combination the table's ``inputValues`` allow, as task data."""
    columns = runtime.index.input_domains[decision]
    for values in itertools.product(*(allowed for _, _, allowed in columns)):
        data = {}
        for (_, path, _), value in zip(columns, values):
            head, *rest = path.split(".")
            if rest:
                data.setdefault(head, {})[rest[0]] = value
            else:
                data[head] = value
        yield data


def matching_rules(runtime, decision, data):
    from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
    table = runtime.decisions[decision]
    task = SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=runtime.script_engine))
    engine = DMNEngine(table)
    found = []
    for rule in table.rules:
        ok = True
        for entry in rule.inputEntries:
            for lhs in entry.lhs:
                if lhs is not None:
                    value = entry.input.expression
                    if not engine.evaluate(value, lhs, task):
                        ok = False
        if ok:
            found.append(rule)
    return found


def output_values():
    """Decision → output name → the values its column allows (``outputValues``), where it names them."""
    allowed = {}
    for path in WORKFLOWS.glob("*.dmn"):
        root = etree.parse(str(path)).getroot()
        for decision in root.iterfind(".//dmn:decision", DMN):
            for column in decision.iterfind(".//dmn:output", DMN):
                text = column.findtext("dmn:outputValues/dmn:text", namespaces=DMN)
                if text:
                    allowed.setdefault(decision.get("id"), {})[column.get("name")] = set(feel.allowed_values(text))
    return allowed


def test_every_table_covers_its_domain_and_unique_tables_never_overlap(runtime):
    limits = output_values()
    for decision, policy in runtime.index.hit_policies.items():
        assert policy in ("UNIQUE", "FIRST"), decision
        for data in domain(runtime, decision):
            matches = matching_rules(runtime, decision, data)
            assert matches, f"{decision}: no rule for {data}"
            if policy == "UNIQUE":
                assert len(matches) == 1, f"{decision}: rules {[r.row_number for r in matches]} overlap for {data}"
            result = runtime.decide(decision, data)
            for name, value in result.items():
                assert value in limits.get(decision, {}).get(name, {value}), (decision, name, value)


def risk(runtime, total, **flags):
    data = {"danger": False, "guardian_unable": False, "other_carer_able": False, "child_safety": 0,
            "serious": False, "concern": False, "special": False, "total_score": total, **flags}
    return runtime.decide("risk_code", data)["assessed_code"]


def test_the_score_alone_reaches_every_code(runtime):
    assert [risk(runtime, t) for t in (0, 4, 5, 11, 12, 19, 20, 27, 28, 36)] == [
        "watch", "watch", "blue", "blue", "yellow", "yellow", "orange", "orange", "red", "red"]


def test_a_child_in_danger_or_without_any_able_guardian_is_red_whatever_the_score(runtime):
    assert risk(runtime, 0, danger=True) == "red"
    assert risk(runtime, 0, guardian_unable=True, other_carer_able=False) == "red"
    assert risk(runtime, 0, child_safety=4) == "red"


def test_one_guardian_unable_while_another_cares_well_is_not_red(runtime):
    assert risk(runtime, 3, guardian_unable=True, other_carer_able=True) == "blue"


def test_the_highest_applicable_code_wins(runtime):
    assert risk(runtime, 30, concern=True) == "red"
    assert risk(runtime, 3, serious=True, concern=True) == "orange"
    assert risk(runtime, 3, child_safety=3) == "orange"
    assert risk(runtime, 14, special=True) == "yellow"


def test_a_code_goes_down_only_by_approval_the_floor_keeps_it(runtime):
    for current in CODES:
        for assessed in CODES:
            out = runtime.decide("code_floor", {"current_code": current, "assessed_code": assessed})
            held = RANK[assessed] < RANK[current]
            assert out == {"risk_code": current if held else assessed, "code_held": held}


def test_downgrades_go_one_level_at_a_time(runtime):
    for round_code in ("red", "orange", "yellow"):
        for assessed in CODES[:RANK[round_code]]:
            out = runtime.decide("downgrade_eligibility", {"escalation_requested": False, "orders_breached": False,
                                                           "evidence_complete": True, "round_code": round_code,
                                                           "assessed_code": assessed})
            assert out["may_downgrade"] and out["downgrade_to"] == CODES[RANK[round_code] - 1], (round_code, assessed)


def test_no_downgrade_or_closure_without_complete_evidence(runtime):
    for round_code, assessed in itertools.product(CODES, CODES):
        out = runtime.decide("downgrade_eligibility", {"escalation_requested": False, "orders_breached": False,
                                                       "evidence_complete": False, "round_code": round_code,
                                                       "assessed_code": assessed})
        assert not out["may_downgrade"] and not out["may_close"]


def test_only_a_blue_or_watched_stable_case_may_close(runtime):
    for round_code, assessed in itertools.product(CODES, CODES):
        out = runtime.decide("downgrade_eligibility", {"escalation_requested": False, "orders_breached": False,
                                                       "evidence_complete": True, "round_code": round_code,
                                                       "assessed_code": assessed})
        assert out["may_close"] == (round_code in ("blue", "watch") and RANK[assessed] <= RANK[round_code]), \
            (round_code, assessed)


def test_breached_orders_or_an_issuers_request_recommend_escalation(runtime):
    for flags in ({"escalation_requested": True, "orders_breached": False},
                  {"escalation_requested": False, "orders_breached": True}):
        out = runtime.decide("downgrade_eligibility", {**flags, "evidence_complete": True, "round_code": "orange",
                                                       "assessed_code": "yellow"})
        assert out["recommendation"] == "escalate" and not out["may_downgrade"]


def test_follow_up_fits_inside_the_review_period(runtime):
    from engine.workflow.runtime import days_of
    for code in CODES:
        out = runtime.decide("followup_schedule", {"risk_code": code})
        assert days_of(out["visit_interval"]) * out["visits_required"] <= out["review_days"] == days_of(
            out["review_period"]), code
    assert runtime.decide("followup_schedule", {"risk_code": "red"})["safety_contact_within"] == "PT48H"


def test_guidance_fits_inside_the_review_period(runtime):
    from engine.workflow.runtime import days_of
    for code in CODES[1:]:
        guidance = runtime.decide("guidance_cadence", {"risk_code": code})
        review = runtime.decide("followup_schedule", {"risk_code": code})["review_days"]
        assert days_of(guidance["guidance_period"]) <= review, code
        assert days_of(guidance["session_interval"]) * guidance["sessions_required"] <= days_of(
            guidance["guidance_period"]), code


def test_every_family_type_has_guidance_content(runtime):
    from engine.reference import FAMILY_TYPES
    for family_type in FAMILY_TYPES:
        assert runtime.decide("guidance_content", {"family_type": family_type})["topic"], family_type


def test_every_measure_has_its_deadlines(runtime):
    from engine.reference import MEASURES
    for measure in MEASURES:
        rules = runtime.decide("order_rules", {"referral": {"measure": measure}})
        assert rules["decide_within"].startswith("P") and rules["approve_within"].startswith("P"), measure
    assert runtime.decide("order_rules", {"referral": {"measure": "guidance_order"}})["objection_period"] == "P5D"


def test_chases_stay_with_the_late_partys_agency_unless_policy_says_otherwise(runtime):
    assert runtime.decide("chase_routing", {"late_agency": "police", "kind": "delivery", "times": 5})["to_agency"] == ""
    assert runtime.decide("chase_routing", {"late_agency": "womens_federation", "kind": "visit", "times": 2}) \
        ["to_agency"] == ""
    assert runtime.decide("chase_routing", {"late_agency": "womens_federation", "kind": "visit", "times": 3}) \
        ["to_agency"] == "procuratorate"


def test_a_cell_written_in_a_modelers_simple_mode_matches(runtime):
    """dmn-js writes ``"orange","red"`` for a string list: it must mean what it says, never silently nothing."""
    assert feel.unary_tests('"orange","red"') == "((? == 'orange') or (? == 'red'))"
    out = runtime.decide("handling_measures", {"risk_code": "red", "case_type": "minor_victim"})
    assert out["suggest_supervision_order"] is True
