"""engine/rules holds pure rules: no SQL library, nothing of the engine but errors, reference data, the clock
and the rules themselves — so each is read, and unit-tested, without a database."""
import ast
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "engine" / "rules"
ALLOWED_ENGINE = {"engine.errors", "engine.reference", "engine.workflow.clock", "engine.rules"}
FORBIDDEN_ROOTS = {"sqlalchemy", "flask", "werkzeug", "SpiffWorkflow"}


def imported(path: Path) -> set[str]:
    """Every module a file imports (``from engine import x`` as ``engine.x``), at any depth of the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "engine")
    return names


def offending(name: str) -> bool:
    if name.split(".")[0] in FORBIDDEN_ROOTS:
        return True
    if name == "engine" or not name.startswith("engine."):
        return False
    return not any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED_ENGINE)


def test_no_rule_imports_sqlalchemy_or_the_engines_models_services_reads_workflow_or_tasks():
    files = sorted(RULES.rglob("*.py"))
    assert {"permissions.py", "codes.py", "closed_loop.py", "validate.py"} <= {p.name for p in files}
    offenders = {p.name: sorted(n for n in imported(p) if offending(n)) for p in files}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_a_database_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from sqlalchemy import select\nfrom engine.models import Case\nfrom engine import reads\n"
                      "def f():\n    from engine.workflow.steps import RANK\n"
                      "from engine.workflow.clock import clock\nfrom engine.errors import NotFound\n")
    assert sorted(n for n in imported(sample) if offending(n)) == [
        "engine.models", "engine.reads", "engine.workflow.steps", "sqlalchemy"]
