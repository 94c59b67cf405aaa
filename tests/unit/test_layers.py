"""The engine knows nothing of HTTP: no module under engine/ imports flask or werkzeug."""
import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = {"flask", "werkzeug", "flask_login", "flask_wtf", "flask_babel"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_imports_no_web_framework():
    files = list(ENGINE.rglob("*.py"))
    assert len(files) > 20
    offenders = {str(p.relative_to(ENGINE)): sorted(imported_roots(p) & FORBIDDEN) for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_a_flask_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from flask import abort\nimport werkzeug.exceptions\n")
    assert imported_roots(sample) & FORBIDDEN == {"flask", "werkzeug"}
