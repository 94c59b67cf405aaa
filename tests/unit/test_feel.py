"""The FEEL the decision tables are written in becomes the Python SpiffWorkflow evaluates; anything else is
refused, never left to mean something else."""
import pytest

from engine.workflow import feel
from engine.workflow.scripting import RestrictedEnvironment


def holds(cell, value):
    condition = feel.unary_tests(cell)
    if condition is None:
        return True
    return RestrictedEnvironment().evaluate(condition.replace("?", "x"), {"x": value})


@pytest.mark.parametrize("cell,yes,no", [
    ('"red"', ["red"], ["orange", None]),
    ('"orange","red"', ["orange", "red"], ["blue"]),
    ('not("blue")', ["red"], ["blue"]),
    ('not("blue","watch")', ["red"], ["blue", "watch"]),
    ("[12..19]", [12, 15, 19], [11, 20]),
    ("(12..19]", [13, 19], [12]),
    ("]12..19[", [13, 18], [12, 19]),
    (">= 28", [28, 36], [27]),
    ("< 5", [4], [5]),
    ("true", [True], [False]),
    ("false", [False], [True]),
    ("3,4", [3, 4], [2]),
    ('""', [""], ["x"]),
    ("null", [None], [""]),
])
def test_unary_tests(cell, yes, no):
    for value in yes:
        assert holds(cell, value), (cell, value)
    for value in no:
        assert not holds(cell, value), (cell, value)


def test_a_dash_or_nothing_matches_anything():
    assert feel.unary_tests("-") is None and feel.unary_tests("") is None


def test_outputs_and_paths():
    assert feel.output_entry('"P30D"') == "'P30D'"
    assert feel.output_entry("true") == "True"
    assert feel.output_entry("assessed_code") == "assessed_code"
    assert feel.path("referral.measure") == 'referral["measure"]'


@pytest.mark.parametrize("cell", ['date("2026-01-01")', "x + 1", 'matches("a", "b")', "[1..", '"unclosed'])
def test_anything_outside_the_subset_is_refused(cell):
    with pytest.raises(feel.FeelError):
        feel.unary_tests(cell)


@pytest.mark.parametrize("expression", ["count(factors)", "a + b", "a[1]"])
def test_input_expressions_are_names_or_paths(expression):
    with pytest.raises(feel.FeelError):
        feel.path(expression)


def test_allowed_values():
    assert feel.allowed_values('"a","b"') == ["a", "b"]
    assert feel.allowed_values("[0..3]") == [0, 1, 2, 3]
    assert feel.allowed_values("true,false") == [True, False]
