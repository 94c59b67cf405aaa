"""Imports go one way. The engine's packages answer different questions (README, "What is here"); these
tests hold the directions between them, refuse import cycles, and refuse imports hidden inside functions
(which is how cycles hide)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("engine", "web", "documents")

# What each package may import of the engine. A prefix allows the module and everything under it.
RULES_MAY_IMPORT = ("engine.rules", "engine.errors", "engine.reference", "engine.workflow.clock")
# Below the service layer: nothing here may call a write verb (services call them, never the reverse).
BELOW_SERVICES = ("engine.rules", "engine.models", "engine.workflow", "engine.tasks", "engine.issuing",
                  "engine.reads", "engine.auditlog", "engine.reference", "engine.errors", "engine.actor")
WEB_MAY_IMPORT = ("engine.services", "engine.reads", "engine.errors")
# The few further doors the web layer has, each for a reason.
WEB_ALSO = {
    "engine.context": "the application factory builds the composition root (GuardLoop) once",
    "engine.actor": "the signed-in user as the engine knows them",
    "engine.reference": "vocabularies: agencies, roles, codes and their labels, shown on every page",
    "engine.workflow.clock": "the one clock (tests move it; pages show dates in China time)",
    "engine.workflow.catalog": "the task catalog: the forms are declared per task of the models",
    "engine.rules": "pure functions: a page masks and hides what the engine would refuse (the engine checks again)",
    "engine.infra": "the application factory, the command line, the WSGI entry point and the rate limiter's storage",
}
WEB_INFRA_MODULES = ("web", "web.cli", "web.wsgi", "web.rate_limits")
# Imports inside a function, allowed only where a library demands it.
LATE_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    found = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "versions" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = sources()


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, (ast.Name, ast.Attribute)) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports(path: Path):
    """(imported module, line, inside a function) for every runtime import of the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                continue
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    found.append((full if full in MODULES else child.module, child.lineno, in_function))
            visit(child, inside)

    visit(tree, False)
    return found


def resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {resolve(target) for target, _, _ in imports(path)}
        edges[name] = {t for t in targets if t and t != name and not name.startswith(t + ".")}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter[0]; counter[0] += 1
        stack.append(start); on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]; counter[0] += 1
                    stack.append(child); on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop(); on_stack.discard(member); component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def under(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def engine_imports(prefix: str):
    for name, path in MODULES.items():
        if under(name, (prefix,)):
            for target, line, _ in imports(path):
                if target.startswith("engine"):
                    yield name, line, target


def test_there_are_no_import_cycles():
    assert cycles(graph()) == []


def test_no_import_hides_inside_a_function():
    late = [f"{name}:{line} imports {target}" for name, path in MODULES.items()
            for target, line, in_function in imports(path)
            if in_function and (name, target) not in LATE_IMPORTS_ALLOWED]
    assert late == []


def test_rules_import_nothing_of_the_engine_but_errors_vocabularies_and_the_clock():
    wrong = [f"{n}:{line} imports {t}" for n, line, t in engine_imports("engine.rules")
             if not under(t, RULES_MAY_IMPORT)]
    assert wrong == []


@pytest.mark.parametrize("layer", BELOW_SERVICES)
def test_nothing_below_the_services_calls_them(layer):
    wrong = [f"{n}:{line} imports {t}" for n, line, t in engine_imports(layer) if under(t, ("engine.services",))]
    assert wrong == []


def test_reads_never_write():
    wrong = [f"{n}:{line} imports {t}" for n, line, t in engine_imports("engine.reads")
             if under(t, ("engine.services", "engine.tasks"))]
    assert wrong == []


def test_the_web_reaches_the_engine_through_services_reads_and_errors():
    wrong = []
    for name, line, target in engine_imports("web"):
        if under(target, WEB_MAY_IMPORT) or under(target, tuple(k for k in WEB_ALSO if k != "engine.infra")):
            continue
        if under(target, ("engine.infra",)) and name in WEB_INFRA_MODULES:
            continue
        wrong.append(f"{name}:{line} imports {target}")
    assert wrong == []


def test_documents_take_plain_data_and_import_no_engine():
    wrong = [f"{n}:{line} imports {t}" for n, line, t in engine_imports("documents")]
    assert wrong == []


def test_the_engine_imports_nothing_of_the_web():
    wrong = [f"{name}:{line} imports {target}" for name, path in MODULES.items() if name.startswith("engine")
             for target, line, _ in imports(path) if under(target, ("web",))]
    assert wrong == []


# The checks themselves see what they are meant to see.

def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_walk_sees_late_imports_and_skips_type_checking_blocks(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from engine.context import GuardLoop\n"
                      "import json\n\ndef f():\n    from engine.services import clues\n")
    assert [(t, late) for t, _, late in imports(sample)] == [("typing", False), ("json", False),
                                                            ("engine.services.clues", True)]
