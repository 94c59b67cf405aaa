"""The part of FEEL (DMN's expression language) our decision tables are written in, turned into the Python
SpiffWorkflow evaluates.

The tables in ``workflows/`` declare FEEL, the DMN default, so dmn-js and Camunda Modeler show and edit
their cells as the standard says (a modeler's "simple mode" writes ``"orange","red"``). SpiffWorkflow
evaluates cells as Python, where that same cell would silently never match. So the runtime translates
every cell before SpiffWorkflow sees it, and refuses (``FeelError``, at deployment and in the tests) any
cell outside the subset below rather than letting it mean something else:

- input expressions: a name or a dotted path (``referral.measure``);
- input entries (unary tests): ``-`` (any), comma-separated lists of string, number and boolean literals,
  comparisons (``< 10``, ``>= 28``), intervals (``[12..19]``, ``(0..5]``, ``]0..5[``), ``null``, and
  ``not(…)`` around any of those;
- output entries: a string, number or boolean literal, ``null``, or a name or dotted path.
"""
import json
import re

FEEL_URIS = (
    "https://www.omg.org/spec/DMN/20191111/FEEL/",
    "http://www.omg.org/spec/DMN/20180521/FEEL/",
    "http://www.omg.org/spec/FEEL/20140401",
)
DEFAULT_FEEL = FEEL_URIS[0]


class FeelError(ValueError):
    """A cell outside the FEEL subset GuardLoop evaluates."""


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = re.compile(rf"^{_NAME}(\.{_NAME})*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_KEYWORDS = {"true": True, "false": False, "null": None}
_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"$')
_COMPARISON = re.compile(r"^(<=|>=|<|>|=)\s*(.+)$")
_INTERVAL = re.compile(r"^([\[\(\]])\s*(.+?)\s*\.\.\s*(.+?)\s*([\]\)\[])$")


def path(text: str) -> str:
    """An input expression: ``a.b.c`` → ``a["b"]["c"]``."""
    text = (text or "").strip()
    if not _PATH.match(text):
        raise FeelError(f"input expression must be a name or a dotted path, not {text!r}")
    head, *rest = text.split(".")
    return head + "".join(f'["{part}"]' for part in rest)


def value(text: str):
    """A FEEL literal's value."""
    text = text.strip()
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    if _STRING.match(text):
        return json.loads(text)  # FEEL string escapes are JSON's
    raise FeelError(f"not a FEEL literal: {text!r}")


def literal(text: str) -> str:
    """A FEEL literal as Python source."""
    return repr(value(text))


def output_entry(text: str) -> str:
    """An output entry: a literal, or the name of an input (``assessed_code``)."""
    text = (text or "null").strip()
    if text not in _KEYWORDS and _PATH.match(text):
        return path(text)
    return literal(text)


def _split(text: str) -> list[str]:
    """Split a list of unary tests at top-level commas (not inside strings, brackets or parentheses)."""
    parts, depth, quoted, current = [], 0, False, []
    for index, char in enumerate(text):
        if char == '"' and (index == 0 or text[index - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]" and not (char == "]" and depth == 0):
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _test(text: str) -> str:
    """One unary test as a Python condition on ``?`` (SpiffWorkflow's placeholder for the input value)."""
    if text.startswith("not(") and text.endswith(")"):
        return f"not ({unary_tests(text[4:-1])})"
    interval = _INTERVAL.match(text)
    if interval:
        opening, low, high, closing = interval.groups()
        low_op = "<=" if opening == "[" else "<"
        high_op = "<=" if closing == "]" else "<"
        return f"({literal(low)} {low_op} ? {high_op} {literal(high)})"
    comparison = _COMPARISON.match(text)
    if comparison:
        operator, value = comparison.groups()
        operator = {"=": "==", }.get(operator, operator)
        return f"(? {operator} {literal(value)})"
    value = literal(text)
    return "(? is None)" if value == "None" else f"(? == {value})"


def unary_tests(text: str) -> str | None:
    """An input entry as a Python condition on ``?``; ``None`` for "any value" (``-`` or empty)."""
    text = (text or "").strip()
    if text in ("", "-"):
        return None
    tests = [_test(part) for part in _split(text)]
    if any(not part for part in _split(text)):
        raise FeelError(f"empty test in {text!r}")
    return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"


def allowed_values(text: str) -> list:
    """The values an ``inputValues`` list names (``"a","b"``, ``true,false`` or ``[0..36]``), for checking a
    table over its whole input domain."""
    values = []
    for part in _split((text or "").strip()):
        interval = _INTERVAL.match(part)
        if interval:
            opening, low, high, closing = interval.groups()
            start = int(low) + (0 if opening == "[" else 1)
            stop = int(high) - (0 if closing == "]" else 1)
            values.extend(range(start, stop + 1))
        else:
            values.append(value(part))
    return values


__all__ = ["FeelError", "FEEL_URIS", "DEFAULT_FEEL", "path", "value", "literal", "output_entry", "unary_tests",
           "allowed_values"]
