"""The web runs no SQL of its own: every read a page needs is a function of ``engine.reads`` (or a service),
which checks permissions in the engine. No module under web/ imports SQLAlchemy or the models, opens a unit of
work (``gl.reading()``, ``gl.transaction()``) or calls a session's ``execute``/``scalar``/``scalars``/
``query``, or ``get`` with a model."""
import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
FORBIDDEN_IMPORTS = ("sqlalchemy", "engine.models")
# module -> the forbidden imports it may make, and why (a library that demands one). None so far: the rate
# limits' counters, the one table the web used to reach itself, are kept by engine.infra.rate_limit_storage.
ALLOWED_IMPORTS: dict[str, set[str]] = {}
SESSION_CALLS = {"execute", "scalar", "scalars", "query"}
UNITS_OF_WORK = {"reading", "transaction"}


def _module(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == "engine":
            return [f"engine.{alias.name}" for alias in node.names]
        return [node.module]
    return []


def _model_like(node) -> bool:
    """A class name (``User``), not a constant (``SIGNED_IN_AT``) nor a string key."""
    return isinstance(node, ast.Name) and node.id[:1].isupper() and not node.id.isupper()


def sql_in(source: str, filename: str = "<web>") -> list[str]:
    """What in ``source`` runs SQL or reaches for it, one line each."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        for module in _module(node):
            if any(module == f or module.startswith(f + ".") for f in FORBIDDEN_IMPORTS):
                found.append(f"{node.lineno}: imports {module}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in SESSION_CALLS or name in UNITS_OF_WORK:
                found.append(f"{node.lineno}: .{name}()")
            elif name == "get" and node.args and _model_like(node.args[0]):
                found.append(f"{node.lineno}: .get({node.args[0].id}, …)")   # session.get(Model, id)
    return found


def test_no_module_under_web_runs_sql_of_its_own():
    files = sorted(WEB.rglob("*.py"))
    assert len(files) > 20 and any(p.parent.name == "api" for p in files)
    offenders = {}
    for path in files:
        name = str(path.relative_to(WEB.parent))
        allowed = ALLOWED_IMPORTS.get(name, set())
        found = [line for line in sql_in(path.read_text(), name) if not any(line.endswith(f"imports {a}")
                                                                          for a in allowed)]
        if found:
            offenders[name] = found
    assert offenders == {}


def test_the_check_sees_each_way_of_running_sql():
    sample = """
from sqlalchemy import select
import sqlalchemy.orm
from engine.models import User
from engine import models
with gl().reading() as db:
    db.execute(select(User.id))
    db.scalar(q); db.scalars(q); db.query(User)
    db.get(User, 1)
with gl().transaction() as db:
    pass
"""
    lines = sorted(line.split(": ", 1)[1] for line in sql_in(sample))
    assert lines == sorted(["imports sqlalchemy", "imports sqlalchemy.orm", "imports engine.models",
                            "imports engine.models", ".reading()", ".execute()", ".scalar()", ".scalars()",
                            ".query()", ".get(User, …)", ".transaction()"])


def test_the_check_lets_flask_session_and_form_reads_pass():
    assert sql_in('lang = session.get("lang")\nx = request.form.get("q", "")\nd = rows.get(key)\n'
                  't = session.get(SIGNED_IN_AT, 0)\n') == []
