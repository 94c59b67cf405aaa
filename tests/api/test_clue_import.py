"""Bulk import of clues from XLSX: the template, the form's validation through the clue service, a per-row
report (page and sheet), good rows registered beside bad ones, the upload idempotent, the limits."""
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from engine import services
from engine.actor import actor_by_username
from engine.errors import InvalidInput
from engine.models import ClueImport, RiskClue
from engine.services import clue_import

from ..conftest import backends
from ..web.conftest import Browser
from .conftest import audit_rows

pytestmark = pytest.mark.parametrize("database_url", backends(), indirect=True)

GOOD = {"source": "学校", "reporter_name": "王老师", "reporter_contact": "023-6000 0000", "mandatory_report": "否",
        "received_at": "2026-03-01", "description": "孩子近一周多次身上有淤青。", "child_name": "张小明",
        "child_sex": "男", "child_birth_date": "2016-05-04", "child_id_number": "110105201605040018",
        "guardian1_name": "张三", "guardian1_relation": "父亲", "guardian1_is_guardian": "是",
        "family_types": "单亲", "risk_factors": "家庭暴力或虐待、无人照料"}


def user(gl, name):
    with gl.reading() as s:
        return actor_by_username(s, name)


def sheet(*rows, template=True) -> bytes:
    """The template filled with ``rows`` (dicts by column key; a value may be a date or a number)."""
    workbook = load_workbook(io.BytesIO(clue_import.template())) if template else Workbook()
    ws = workbook.worksheets[0]
    if not template:
        ws.append(clue_import.KEYS)
    for index, row in enumerate(rows, start=2):
        for column, key in enumerate(clue_import.KEYS, start=1):
            ws.cell(row=index, column=column, value=row.get(key))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def clue_count(gl):
    with gl.reading() as s:
        return s.scalar(select(func.count(RiskClue.id)))


def report(gl, actor, import_id):
    return clue_import.get_import(gl, actor, import_id).report


def test_good_rows_are_registered_beside_bad_ones_with_a_report_per_row(gl):
    from datetime import date
    teacher = user(gl, "teacher")
    rows = [GOOD,
            {**GOOD, "child_name": "李小红", "child_sex": "女", "child_id_number": "110105201605040019"},  # bad check digit
            {**GOOD, "child_name": "赵小刚", "child_id_number": "", "child_birth_date": date(2015, 2, 3),
             "guardian1_relation": "舅舅"},                                       # an unknown relation
            {**GOOD, "child_name": "钱小亮", "child_id_number": "", "child_birth_date": "2015-13-40"},
            {},                                                                  # an empty row is skipped
            {**GOOD, "child_name": "孙小美", "child_sex": "女", "child_id_number": "", "source": "hotline",
             "child_birth_date": date(2014, 7, 1), "mandatory_report": "是", "guardian1_relation": "母亲"}]
    upload_id = clue_import.import_clues(gl, teacher, "jb.xlsx", sheet(*rows))
    got = report(gl, teacher, upload_id)
    assert [(e["row"], e["status"]) for e in got] == [(2, "created"), (3, "error"), (4, "error"), (5, "error"),
                                                      (7, "created")]
    assert got[1]["field"] == "child_id_number" and got[1]["message"] and got[1]["message_en"]
    assert got[2]["field"] == "guardian1_relation"
    assert got[3]["field"] == "child_birth_date" and "YYYY-MM-DD" in got[3]["message_en"]
    assert all("张小明" not in str(e) for e in got)                           # nothing of the child
    assert clue_count(gl) == 2
    with gl.reading() as s:
        made = {c.id: c for c in s.scalars(select(RiskClue))}
        first, last = made[got[0]["clue_id"]], made[got[4]["clue_id"]]
        assert (first.source, first.child["sex"], first.family_types, first.risk_factors) == (
            "school", "M", ["single_parent"], ["violence_abuse", "no_carer"])
        assert first.guardians[0]["relation"] == "father" and first.guardians[0]["is_guardian"] is True
        assert first.registered_by == teacher.id and got[0]["clue_no"] == first.clue_no
        assert last.mandatory_report and last.report_to == "police"              # routed as the form routes it
        assert s.get(ClueImport, upload_id).created == 2
    entry = audit_rows(gl, "import_clues")[0]
    assert (entry.after["rows"], entry.after["created"], entry.after["error"]) == (5, 2, 3)
    assert len(audit_rows(gl, "register_clue")) == 2


def test_the_same_file_again_registers_nothing_twice(gl):
    content = sheet(GOOD, {**GOOD, "child_name": "李小红", "child_sex": "女", "child_id_number": ""})
    first = report(gl, user(gl, "teacher"), clue_import.import_clues(gl, user(gl, "teacher"), "a.xlsx", content))
    again = clue_import.import_clues(gl, user(gl, "teacher"), "a-again.xlsx", content)
    assert clue_count(gl) == 2
    second = report(gl, user(gl, "teacher"), again)
    assert [e["status"] for e in second] == ["already_imported"] * 2
    assert [e["clue_no"] for e in second] == [e["clue_no"] for e in first]
    # anyone else in the district sending it too: still nothing twice
    other = report(gl, user(gl, "community"), clue_import.import_clues(gl, user(gl, "community"), "a.xlsx", content))
    assert [e["status"] for e in other] == ["already_imported"] * 2 and clue_count(gl) == 2
    # another district's same file is its own
    yz = report(gl, user(gl, "yz_caseworker"), clue_import.import_clues(gl, user(gl, "yz_caseworker"), "a.xlsx", content))
    assert [e["status"] for e in yz] == ["created"] * 2 and clue_count(gl) == 4


def test_a_possible_duplicate_is_held_back_until_confirmed(gl):
    caseworker = user(gl, "wf_caseworker")
    clue_id = services.register_clue(gl, caseworker, {**{k: v for k, v in GOOD.items() if not k.startswith("guardian")},
                                                      "source": "school", "child_sex": "M", "mandatory_report": False,
                                                      "family_types": [], "risk_factors": []})
    case_id = services.open_case(gl, caseworker, clue_id, {"case_type": "general"})
    got = report(gl, caseworker, clue_import.import_clues(gl, caseworker, "d.xlsx", sheet(GOOD)))
    assert got[0]["status"] == "duplicate" and got[0]["field"] == "confirm_duplicate" and got[0]["cases"]
    assert clue_count(gl) == 1
    confirmed = report(gl, caseworker, clue_import.import_clues(gl, caseworker, "d2.xlsx",
                                                                sheet({**GOOD, "confirm_duplicate": "是"})))
    assert confirmed[0]["status"] == "created" and clue_count(gl) == 2
    assert case_id


@pytest.mark.parametrize("content, message", [
    (b"", "Choose an XLSX"), (b"not a spreadsheet at all", "cannot be read"),
    (b"PK" + b"\0" * (clue_import.MAX_BYTES), "too large"),
], ids=["empty", "not-a-sheet", "too-large"])
def test_files_that_are_not_a_sheet_are_refused_whole(gl, content, message):
    with pytest.raises(InvalidInput) as caught:
        clue_import.import_clues(gl, user(gl, "teacher"), "x.xlsx", content)
    assert caught.value.field == "file" and message in caught.value.message_en
    assert clue_count(gl) == 0 and audit_rows(gl, "import_clues") == []


def test_a_sheet_without_the_template_header_or_with_too_many_rows_is_refused(gl, monkeypatch):
    workbook = Workbook()
    workbook.active.append(["姓名", "出生日期"])
    workbook.active.append(["张小明", "2016-05-04"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(InvalidInput) as caught:
        clue_import.import_clues(gl, user(gl, "teacher"), "x.xlsx", out.getvalue())
    assert "header" in caught.value.message_en and "线索来源" in caught.value.message
    monkeypatch.setattr(clue_import, "MAX_ROWS", 2)
    with pytest.raises(InvalidInput) as caught:
        clue_import.import_clues(gl, user(gl, "teacher"), "x.xlsx", sheet(GOOD, GOOD, GOOD, template=False))
    assert "at most 2" in caught.value.message_en and clue_count(gl) == 0
    # a sheet headed by the bare keys (no template) is read as well
    assert clue_import.import_clues(gl, user(gl, "teacher"), "x.xlsx", sheet(GOOD, template=False))
    assert clue_count(gl) == 1


def test_only_the_uploader_reads_the_report_and_admins_cannot_import(gl):
    from engine.errors import NotFound, PermissionDenied
    upload_id = clue_import.import_clues(gl, user(gl, "teacher"), "a.xlsx", sheet(GOOD))
    with pytest.raises(NotFound):
        clue_import.get_import(gl, user(gl, "wf_caseworker"), upload_id)
    with pytest.raises(PermissionDenied):
        clue_import.import_clues(gl, user(gl, "admin"), "a.xlsx", sheet(GOOD))


def test_the_pages_template_upload_report_and_report_sheet(app, gl):
    teacher = Browser(app.test_client())
    teacher.login("teacher")
    page = teacher.get("/clues/import/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    template = teacher.get("/clues/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    header = [c.value for c in load_workbook(io.BytesIO(template.data)).worksheets[0][1]]
    assert header[0].endswith("source") and "线索来源" in header[0] and len(header) == len(clue_import.KEYS)
    content = sheet(GOOD, {**GOOD, "child_name": "", "child_id_number": ""})
    sent = teacher.post("/clues/import/", {"file": (io.BytesIO(content), "jb.xlsx")},
                        token_from="/clues/import/", content_type="multipart/form-data")
    assert sent.status_code == 302
    shown = teacher.get(sent.headers["Location"])
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "JB-XS-" in text and "儿童姓名" in text and "import-error" in text
    sheet_response = teacher.get(sent.headers["Location"] + "/report.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet_response.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == 2 and rows[1][2].startswith("JB-XS-") and rows[2][0] == 3 and "child_name" in rows[2][4]
    bad = teacher.post("/clues/import/", {"file": (io.BytesIO(b"nonsense"), "x.xlsx")},
                       token_from="/clues/import/", content_type="multipart/form-data")
    assert bad.status_code == 422 and 'id="file-error"' in bad.get_data(as_text=True)
    other = Browser(app.test_client())
    other.login("community")
    assert other.get(sent.headers["Location"]).status_code == 404
    admin = Browser(app.test_client())
    admin.login("admin")
    assert admin.get("/clues/import/").status_code == 403


def test_the_api_imports_a_sheet(app, gl):
    from engine.services import api_clients
    from .conftest import Client
    hotline = Client(app, "jb-hotline", api_clients.create_client(gl, None, name="jb-hotline", agency="womens_federation",
                                                                  district="JB", scopes=["clues:write", "clues:read"])[1])
    content = sheet(GOOD, {**GOOD, "child_name": "李小红", "child_sex": "女", "child_id_number": "123"})
    sent = hotline.http.post("/api/v1/clues:import", data={"file": (io.BytesIO(content), "jb.xlsx")},
                             headers=hotline.headers(), content_type="multipart/form-data")
    assert sent.status_code == 200, sent.get_json()
    body = sent.get_json()
    assert [(r["row"], r["status"]) for r in body["report"]] == [(2, "created"), (3, "error")]
    assert body["created"] == 1 and body["report"][1]["field"] == "child_id_number"
    assert hotline.status(body["report"][0]["clue_id"]).status_code == 200     # followed like a posted clue
    again = hotline.http.post("/api/v1/clues:import", data={"file": (io.BytesIO(content), "jb.xlsx")},
                              headers=hotline.headers(), content_type="multipart/form-data").get_json()
    assert [r["status"] for r in again["report"]] == ["already_imported", "error"] and clue_count(gl) == 1
    bad = hotline.http.post("/api/v1/clues:import", data={"file": (io.BytesIO(b"x"), "x.xlsx")},
                            headers=hotline.headers(), content_type="multipart/form-data")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "file"
    missing = hotline.http.post("/api/v1/clues:import", json={}, headers=hotline.headers())
    assert missing.status_code == 422 and missing.mimetype == "application/problem+json"
    reader = Client(app, "jb-reader", api_clients.create_client(gl, None, name="jb-reader", agency="court",
                                                                district="JB", scopes=["orders:read"])[1])
    refused = reader.http.post("/api/v1/clues:import", data={"file": (io.BytesIO(content), "jb.xlsx")},
                               headers=reader.headers(), content_type="multipart/form-data")
    assert refused.status_code == 403 and clue_count(gl) == 1
