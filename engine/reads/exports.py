"""Exports (导出): the case ledger and each cockpit table, as XLSX or CSV, audited in the same transaction.

Each export checks permission, builds its rows and writes an audit entry (``action="export"``, the
export kind as entity, the filters and the row count after) in one unit of work: an export that fails
leaves no entry, and no file leaves without one.
"""
from dataclasses import dataclass

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.reads.cockpit import compute, read_scope, require_cockpit_rights
from engine.reads.cockpit.tables import BUILDERS, FIGURE_OF, Table
from engine.reads.ledger import ledger
from engine.reads.spreadsheets import to_csv, to_xlsx
from engine.rules.permissions import LEDGER_EXPORT_REFUSED, may_export_ledger, require

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
WRITERS = {"csv": to_csv, "xlsx": to_xlsx}
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Export:
    filename: str
    mimetype: str
    content: bytes
    rows: int


def _check(fmt: str, lang: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput("format", "导出格式应为 xlsx 或 csv。", "The export format is xlsx or csv.")
    if lang not in LANGS:
        raise InvalidInput("lang", "不支持该语言。", "Unsupported language.")


def _file(session, actor: Actor, kind: str, scope, table: Table, fmt: str, lang: str) -> Export:
    content = WRITERS[fmt](table.sheet(lang))
    audit.record(session, actor, "export", kind, table.key, None, None,
                 {"filters": scope.as_filters(), "rows": len(table.rows), "format": fmt, "language": lang})
    name = f"{table.key}_{scope.district_code}_{scope.date_from:%Y%m%d}-{scope.date_to:%Y%m%d}.{fmt}"
    return Export(name, FORMATS[fmt], content, len(table.rows))


def export_ledger(gl: GuardLoop, actor: Actor, filters: dict, *, fmt: str = "xlsx", lang: str = "zh") -> Export:
    """台账导出: the cases the filters select, names masked on the rows of cases the user does not work on."""
    _check(fmt, lang)
    require_cockpit_rights(actor)
    require(may_export_ledger(actor), LEDGER_EXPORT_REFUSED)
    with gl.transaction() as session:
        scope = read_scope(session, gl, actor, filters)
        return _file(session, actor, "case_ledger", scope, ledger(session, gl, actor, scope), fmt, lang)


def export_cockpit_table(gl: GuardLoop, actor: Actor, filters: dict, table_key: str, *, fmt: str = "xlsx",
                         lang: str = "zh") -> Export:
    """One cockpit table (aggregate counts only), computed afresh for the export."""
    _check(fmt, lang)
    if table_key not in BUILDERS:
        raise NotFound("没有这张统计表。", "No such table.")
    with gl.transaction() as session:
        scope = read_scope(session, gl, actor, filters)
        table = BUILDERS[table_key](compute(session, gl, scope, [FIGURE_OF[table_key]]))
        return _file(session, actor, "cockpit_table", scope, table, fmt, lang)
