"""Exports: permission, masking per row, and the audit entry written with them, on SQLite and PostgreSQL."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.reads.exports import export_cockpit_table, export_ledger
from engine.models import AuditEntry, Case

from .helpers import CHILD, assess, new_case

OTHER_CHILD = {"child_name": "王小明", "child_sex": "M", "child_birth_date": "2013-03-03",
               "child_id_number": "50010520130303001X"}


def exports_logged(gl) -> list[AuditEntry]:
    with gl.reading() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)))


def ledger_rows(export) -> list[list[str]]:
    return list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))


def test_the_ledger_lists_only_the_cases_the_supervisors_agency_works_on(gl, driver):
    mine = new_case(driver, opener="prosecutor", reporter="prosecutor")           # the procuratorate opened it
    assess(driver, mine, 13, ["inadequate_guardianship"])
    other = new_case(driver, **OTHER_CHILD)                                       # women's federation only
    export = export_ledger(gl, driver.actor("pro_supervisor"), {}, fmt="csv", lang="zh")
    rows = ledger_rows(export)
    assert rows[0][:3] == ["案号", "区县", "儿童"] and export.rows == 1 == len(rows) - 1
    assert rows[1][2] == CHILD["child_name"] and rows[1][7] == "黄码"
    text = export.content.decode("utf-8-sig")
    assert OTHER_CHILD["child_id_number"] not in text and "王" not in text   # not even masked
    with gl.reading() as s:
        assert s.get(Case, other).case_no not in text
    assert CHILD["child_id_number"] not in export.content.decode("utf-8-sig")    # no ID numbers at all
    english = export_ledger(gl, driver.actor("wf_supervisor"), {}, fmt="xlsx", lang="en")
    sheet = load_workbook(io.BytesIO(english.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Case no.", "District", "Child"]
    assert {sheet.cell(row, 3).value for row in (2, 3)} == {CHILD["child_name"], OTHER_CHILD["child_name"]}


def test_every_export_is_audited_with_its_filters_and_row_count(gl, driver):
    new_case(driver)
    export_ledger(gl, driver.actor("wf_supervisor"), {"from": "2026-01-01"}, fmt="xlsx")
    export_cockpit_table(gl, driver.actor("leader"), {"district": "all"}, "open_by_code", fmt="csv", lang="en")
    ledger, table = exports_logged(gl)
    assert (ledger.entity, ledger.entity_id, ledger.user_id) == ("case_ledger", "case_ledger",
                                                                 driver.actor("wf_supervisor").id)
    assert ledger.after == {"filters": {"district": "JB", "from": "2026-01-01", "to": "2026-03-02"}, "rows": 1,
                            "format": "xlsx", "language": "zh"}
    assert (table.entity, table.entity_id) == ("cockpit_table", "open_by_code")
    assert table.after["filters"]["district"] == "all" and table.after["rows"] == 6


@pytest.mark.parametrize("who, call, error", [
    ("leader", lambda gl, a: export_ledger(gl, a, {}), PermissionDenied),
    ("wf_caseworker", lambda gl, a: export_ledger(gl, a, {}), PermissionDenied),
    ("admin", lambda gl, a: export_cockpit_table(gl, a, {}, "overdue"), PermissionDenied),
    ("wf_supervisor", lambda gl, a: export_ledger(gl, a, {"district": "YZ"}), PermissionDenied),
    ("wf_supervisor", lambda gl, a: export_ledger(gl, a, {"to": "2030-01-01"}), InvalidInput),
    ("wf_supervisor", lambda gl, a: export_ledger(gl, a, {}, fmt="pdf"), InvalidInput),
    ("leader", lambda gl, a: export_cockpit_table(gl, a, {}, "no_such_table"), NotFound),
])
def test_refused_exports_write_nothing(gl, driver, who, call, error):
    new_case(driver)
    with pytest.raises(error):
        call(gl, driver.actor(who))
    with gl.reading() as s:
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "export")) == 0


def test_the_leader_is_told_why_the_ledger_is_refused(gl, driver):
    with pytest.raises(PermissionDenied) as refused:
        export_ledger(gl, driver.actor("leader"), {})
    assert "汇总" in refused.value.message and "aggregate" in refused.value.message_en
