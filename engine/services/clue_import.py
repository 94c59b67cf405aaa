"""Bulk import of risk clues from an XLSX sheet, for districts without a system of their own (issue 18).

Each row is registered through ``clues.register_clue`` — the form's validation, numbering and
mandatory-report routing — after the form's duplicate rule (``clues.check_duplicates``: a row that may be a
known child is held back until the sheet says 确认非重复 = 是). A bad row does not stop the good ones; the
upload's report names, per row, the clue registered, the duplicate warning or the field and message of
the error (nothing of the child). The upload is idempotent: each row's form token is derived from the
district, the file's SHA-256 and the row number, so the same file sent again (by anyone in the district)
registers nothing twice and reports the clues of the first upload."""
import base64
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.models import ClueImport, RiskClue
from engine.reads.spreadsheets import Sheet, to_xlsx
from engine.reference import CLUE_SOURCES, FAMILY_TYPES, RISK_FACTORS
from engine.rules.permissions import require_casework
from engine.services import clues
from engine.workflow.clock import clock

MAX_ROWS = 500
MAX_BYTES = 1024 * 1024            # the file as uploaded
MAX_UNPACKED = 30 * 1024 * 1024    # its parts unpacked (an XLSX is a zip: no zip bomb)
GUARDIANS = 2                      # guardian columns in the template
SHEET = "线索 clues"

# key, Chinese header, English header, kind (text | date | choice | multi | yes_no | id), required
COLUMNS = [
    ("source", "线索来源", "Source", "choice", True),
    ("reporter_name", "报告人", "Reporter", "text", True),
    ("reporter_contact", "报告人联系方式", "Reporter's contact", "text", False),
    ("mandatory_report", "强制报告（是/否）", "Mandatory report (yes/no)", "yes_no", False),
    ("received_at", "接收日期", "Received on", "date", True),
    ("description", "情况描述", "What was reported", "text", True),
    ("child_name", "儿童姓名", "Child's name", "text", True),
    ("child_sex", "性别（男/女）", "Sex (M/F)", "choice", True),
    ("child_birth_date", "出生日期", "Date of birth", "date", True),
    ("child_id_number", "身份证号码", "ID number", "id", False),
    ("child_school", "学校", "School", "text", False),
    ("child_address", "住址", "Address", "text", False),
    *[column for n in range(1, GUARDIANS + 1) for column in (
        (f"guardian{n}_name", f"监护人{n}姓名", f"Guardian {n}: name", "text", False),
        (f"guardian{n}_relation", f"监护人{n}关系", f"Guardian {n}: relation", "choice", False),
        (f"guardian{n}_is_guardian", f"监护人{n}是否法定监护人（是/否）", f"Guardian {n}: legal guardian (yes/no)",
         "yes_no", False),
        (f"guardian{n}_phone", f"监护人{n}电话", f"Guardian {n}: phone", "id", False),
        (f"guardian{n}_id_number", f"监护人{n}身份证号码", f"Guardian {n}: ID number", "id", False))],
    ("family_types", "家庭类型（可多项，用、分隔）", "Family types (several, separated by 、)", "multi", False),
    ("risk_factors", "风险因素（可多项，用、分隔）", "Risk factors (several, separated by 、)", "multi", False),
    ("linked_case_no", "关联案号", "Linked case number", "text", False),
    ("confirm_duplicate", "确认非重复（是/否）", "Not a duplicate, confirmed (yes/no)", "yes_no", False),
]
KEYS = [c[0] for c in COLUMNS]
HEADERS = {c[0]: (c[1], c[2]) for c in COLUMNS}
REQUIRED = [c[0] for c in COLUMNS if c[4]]
KINDS = {c[0]: c[3] for c in COLUMNS}

SEX = {"m": "M", "f": "F", "男": "M", "女": "F", "male": "M", "female": "F"}
RELATIONS = {"father": "father", "mother": "mother", "grandparent": "grandparent", "relative": "relative",
             "other": "other", "父亲": "father", "父": "father", "母亲": "mother", "母": "mother",
             "祖父母/外祖父母": "grandparent", "祖父母": "grandparent", "外祖父母": "grandparent", "祖父": "grandparent",
             "祖母": "grandparent", "外祖父": "grandparent", "外祖母": "grandparent", "爷爷": "grandparent",
             "奶奶": "grandparent", "外公": "grandparent", "外婆": "grandparent", "其他亲属": "relative",
             "亲属": "relative", "其他": "other"}
RELATION_NAMES = {"father": "父亲", "mother": "母亲", "grandparent": "祖父母/外祖父母", "relative": "其他亲属", "other": "其他"}
YES_NO = ("是", "否")
_SPLIT = re.compile(r"[,，、;；\n]+")


def _labels(options: dict) -> dict:
    """code, Chinese and English name (any case) -> code."""
    mapping = {}
    for code, names in options.items():
        for name in (code, *names[:2]):
            mapping[str(name).strip().lower()] = code
    return mapping


SOURCES, FAMILY, RISKS = _labels(CLUE_SOURCES), _labels(FAMILY_TYPES), _labels(RISK_FACTORS)


def header_text(key: str) -> str:
    zh, en = HEADERS[key]
    return f"{zh}\n{en}\n{key}"


# --- the template ---------------------------------------------------------------------------------------

def template() -> bytes:
    """The XLSX to fill in: the header row (Chinese, English, key), lists to choose from where a column has
    options, text cells for ID numbers and phones (Excel would round 18 digits), and a sheet of help."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET
    last = MAX_ROWS + 1
    for index, key in enumerate(KEYS, start=1):
        cell = ws.cell(row=1, column=index, value=header_text(key))
        cell.font = Font(bold=True, color="B00020" if key in REQUIRED else None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = 24 if KINDS[key] != "text" or key != "description" else 48
        kind = KINDS[key]
        if kind in ("id", "text", "multi"):
            for row in range(2, last + 1):
                ws.cell(row=row, column=index).number_format = "@"
        elif kind == "date":
            for row in range(2, last + 1):
                ws.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        options = {"source": [names[0] for names in CLUE_SOURCES.values()], "child_sex": ["男", "女"]}.get(key)
        if key.endswith("_relation"):
            options = list(RELATION_NAMES.values())
        if kind == "yes_no":
            options = list(YES_NO)
        if options:
            rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            rule.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(rule)
    ws.row_dimensions[1].height = 60
    ws.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("说明 help")
    lines = [
        ("风险线索批量导入模板", "Risk clues: bulk import template"),
        (f"每行一条线索，最多 {MAX_ROWS} 行；红色表头为必填项。", f"One clue a row, at most {MAX_ROWS} rows; red headers are required."),
        ("日期格式为 YYYY-MM-DD；身份证号码请按文本填写（18 位）。", "Dates as YYYY-MM-DD; ID numbers as text (18 characters)."),
        ("与已有个案可能重复的行不会导入；确认不是同一儿童后，将“确认非重复”填为“是”再上传。",
         "A row that may match a known child is held back: if it is not the same child, set the last column to 是 and upload again."),
        ("同一文件再次上传不会重复登记。", "Uploading the same file again registers nothing twice."),
        ("", ""),
        ("线索来源 Sources", "、".join(f"{n[0]}" for n in CLUE_SOURCES.values())),
        ("家庭类型 Family types", "、".join(n[0] for n in FAMILY_TYPES.values())),
        ("风险因素 Risk factors", "、".join(n[0] for n in RISK_FACTORS.values())),
        ("监护人关系 Relations", "、".join(RELATION_NAMES.values())),
    ]
    for zh, en in lines:
        help_sheet.append([zh, en])
    help_sheet.column_dimensions["A"].width = 60
    help_sheet.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading a sheet --------------------------------------------------------------------------------------

def _file_error(zh: str, en: str) -> InvalidInput:
    return InvalidInput("file", zh, en)


def _at_most(amount: int, limit: int, zh: str, en: str) -> None:
    """Refuse the whole file when ``amount`` passes ``limit`` (bytes uploaded, bytes unpacked, rows)."""
    if amount > limit:
        raise _file_error(zh, en)


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """(row number, {key: cell as text}) for each row of the sheet with something in it."""
    if not content:
        raise _file_error("请选择要上传的 XLSX 文件。", "Choose an XLSX file to upload.")
    _at_most(len(content), MAX_BYTES,
             f"文件过大（最大 {MAX_BYTES // 1024} KB）。", f"The file is too large (at most {MAX_BYTES // 1024} KB).")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _at_most(sum(info.file_size for info in archive.infolist()), MAX_UNPACKED,
                     "文件内容过大。", "The file unpacks to too much.")
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 — not a zip, not a workbook, a broken one: the same answer
        raise _file_error("无法读取该文件，请使用导入模板（.xlsx）。", "The file cannot be read: use the import template (.xlsx).") from None
    try:
        ws = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns = {}
        for index, value in enumerate(header):
            key = _header_key(value)
            if key is not None and key not in columns.values():
                columns[index] = key
        missing = [key for key in REQUIRED if key not in columns.values()]
        if missing:
            raise _file_error("表头与导入模板不符，缺少：" + "、".join(HEADERS[k][0] for k in missing) + "。",
                              "The header row does not match the template; missing: "
                              + ", ".join(HEADERS[k][1] for k in missing) + ".")
        result = []
        for number, values in enumerate(rows, start=2):
            cells = {key: _cell(values[index] if index < len(values) else None, KINDS[key])
                     for index, key in columns.items()}
            if not any(cells.values()):
                continue
            _at_most(len(result) + 1, MAX_ROWS,   # this row would be one too many
                     f"行数过多（最多 {MAX_ROWS} 行），请分批导入。", f"Too many rows (at most {MAX_ROWS}): import in parts.")
            result.append((number, cells))
    finally:
        workbook.close()
    if not result:
        raise _file_error("表中没有线索。", "The sheet has no clues.")
    return result


def _header_key(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    parts = text.split()
    if parts and parts[-1] in HEADERS:
        return parts[-1]
    for key, (zh, en) in HEADERS.items():
        if text in (zh, en):
            return key
    return None


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clue_data(cells: dict) -> tuple[dict, bool]:
    """A row as ``register_clue`` takes it (labels turned into codes; an unknown label is passed on for
    the service to refuse with the field named), and whether a duplicate was confirmed."""
    data = {key: cells.get(key, "") for key in KEYS if not key.startswith("guardian") and key != "confirm_duplicate"}
    data["source"] = SOURCES.get(data["source"].lower(), data["source"])
    data["child_sex"] = SEX.get(data["child_sex"].lower(), data["child_sex"])
    data["family_types"] = [FAMILY.get(p.strip().lower(), p.strip()) for p in _SPLIT.split(data["family_types"]) if p.strip()]
    data["risk_factors"] = [RISKS.get(p.strip().lower(), p.strip()) for p in _SPLIT.split(data["risk_factors"]) if p.strip()]
    guardians = []
    for n in range(1, GUARDIANS + 1):
        row = {field: cells.get(f"guardian{n}_{field}", "") for field in ("name", "relation", "is_guardian", "phone", "id_number")}
        row["relation"] = RELATIONS.get(row["relation"].lower(), row["relation"])
        guardians.append(row)
    while guardians and not any(str(v).strip() for v in guardians[-1].values()):
        guardians.pop()
    data["guardians"] = guardians
    confirm = cells.get("confirm_duplicate", "").strip().lower() in ("是", "yes", "y", "true", "1")
    return data, confirm


def column_of(field: str) -> str:
    """The service's field name -> the template's column key (``guardians-0-name`` -> ``guardian1_name``)."""
    match = re.fullmatch(r"guardians-(\d+)-(\w+)", field or "")
    if match:
        return f"guardian{int(match.group(1)) + 1}_{match.group(2)}"
    return field


# --- importing --------------------------------------------------------------------------------------------

def row_token(district_id: int, file_hash: str, row: int) -> str:
    """A row's form token (``clues.FORM_TOKEN``): the same row of the same file in the same district."""
    digest = hashlib.sha256(f"import:{district_id}:{file_hash}:{row}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _already(gl: GuardLoop, district_id: int, token: str):
    with gl.reading() as session:
        return session.execute(select(RiskClue.id, RiskClue.clue_no).where(
            RiskClue.district_id == district_id, RiskClue.form_token == token)).first()


def _clue_no(gl: GuardLoop, clue_id: int) -> str:
    with gl.reading() as session:
        return session.get(RiskClue, clue_id).clue_no


def import_clues(gl: GuardLoop, actor: Actor, filename: str, content: bytes) -> int:
    """Register the clues of an uploaded sheet row by row; returns the upload's id (its report)."""
    require_casework(actor)
    rows = read_rows(content)
    file_hash = hashlib.sha256(content).hexdigest()
    report = []
    for number, cells in rows:
        entry = {"row": number}
        token = row_token(actor.district_id, file_hash, number)
        known = _already(gl, actor.district_id, token)
        if known is not None:
            report.append({**entry, "status": "already_imported", "clue_id": known.id, "clue_no": known.clue_no})
            continue
        try:
            data, confirmed = clue_data(cells)
            if not confirmed:
                check = clues.check_duplicates(gl, actor, id_number=data.get("child_id_number") or None,
                                               name=data.get("child_name") or None,
                                               birth_date=data.get("child_birth_date") or None)
                if check.matched:
                    report.append({**entry, "status": "duplicate", "cases": check.own_cases,
                                   "field": "confirm_duplicate",
                                   "message": "可能已有该儿童的记录，本行未导入。确认不是同一儿童后，将“确认非重复”填为“是”再上传。",
                                   "message_en": "A matching record may exist; the row was not imported. If it is not "
                                                 "the same child, set “not a duplicate” to 是 and upload again."})
                    continue
            clue_id = clues.register_clue(gl, actor, data, form_token=token)
        except InvalidInput as exc:
            report.append({**entry, "status": "error", "field": column_of(exc.field), "message": exc.message,
                           "message_en": exc.message_en})
            continue
        report.append({**entry, "status": "created", "clue_id": clue_id, "clue_no": _clue_no(gl, clue_id)})
    created = sum(1 for e in report if e["status"] == "created")
    with gl.transaction() as session:
        upload = ClueImport(district_id=actor.district_id, uploaded_by=actor.id, uploaded_at=clock.now(),
                            filename=(filename or "upload.xlsx")[:200], file_hash=file_hash, rows=len(report),
                            created=created, report=report)
        session.add(upload)
        session.flush()
        audit.record(session, actor, "import_clues", "clue_import", upload.id, None, None, {
            "file_hash": file_hash, "filename": upload.filename, "rows": len(report), "created": created,
            **{status: sum(1 for e in report if e["status"] == status)
               for status in ("already_imported", "duplicate", "error")}})
        return upload.id


@dataclass(frozen=True)
class Upload:
    id: int
    filename: str
    uploaded_at: datetime
    rows: int
    created: int
    report: list

    def count(self, status: str) -> int:
        return sum(1 for e in self.report if e["status"] == status)


def get_import(gl: GuardLoop, actor: Actor, import_id: int) -> Upload:
    """An upload's report, for the person (or system) that uploaded it."""
    with gl.reading() as session:
        upload = session.get(ClueImport, import_id)
        if upload is None or upload.uploaded_by != actor.id:
            raise NotFound("导入记录不存在。", "No such upload.")
        return Upload(upload.id, upload.filename, upload.uploaded_at, upload.rows, upload.created, list(upload.report))


STATUS_NAMES = {"created": ("已登记", "Registered"), "already_imported": ("此前已导入", "Imported before"),
                "duplicate": ("疑似重复，未导入", "Possible duplicate, not imported"), "error": ("有误，未导入", "Error, not imported")}


def report_xlsx(upload: Upload) -> bytes:
    """The per-row report as a sheet: row, status, clue number, column and message in both languages."""
    rows = []
    for e in upload.report:
        column = HEADERS.get(e.get("field") or "", ("", ""))
        rows.append([e["row"], STATUS_NAMES[e["status"]][0] + " " + STATUS_NAMES[e["status"]][1],
                     e.get("clue_no") or "", "、".join(e.get("cases") or []),
                     f"{column[0]} {e['field']}".strip() if e.get("field") else "",
                     e.get("message") or "", e.get("message_en") or ""])
    sheet = Sheet("导入结果 report", ["行号 Row", "结果 Result", "线索编号 Clue no.", "可能重复的个案 Matching cases",
                                    "字段 Column", "说明 Message", "Message"], ["int"] + ["text"] * 6, rows)
    return to_xlsx(sheet)
