"""The API's request and response bodies (marshmallow): they generate the OpenAPI document. Types, required
fields and options are checked here; every rule about their content (ID numbers, dates, the child under
18, …) is the clue service's, the same as the form's."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from engine.reference import CLUE_SOURCES, FAMILY_TYPES, RISK_FACTORS
from engine.services.clues import GUARDIAN_RELATIONS


class JsonBoolean(fields.Boolean):
    """``true`` or ``false`` only (marshmallow's own takes 1, "yes", "on" …, which the document does not say)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Strict(Schema):
    class Meta:
        ordered = True


class GuardianIn(Strict):
    name = fields.String(required=True, validate=validate.Length(max=80), metadata={"description": "姓名 Name"})
    relation = fields.String(required=True, validate=validate.OneOf(GUARDIAN_RELATIONS))
    is_guardian = JsonBoolean(load_default=False, metadata={"description": "是否法定监护人 Legal guardian"})
    phone = fields.String(validate=validate.Length(max=40))
    id_number = fields.String(validate=validate.Length(max=40),
                              metadata={"description": "18 位居民身份证号码 18-character resident ID number"})
    address = fields.String(validate=validate.Length(max=200))


class ClueIn(Strict):
    """A risk clue (风险线索) as the registration form takes it."""
    source = fields.String(required=True, validate=validate.OneOf(list(CLUE_SOURCES)),
                           metadata={"description": "线索来源 Where the clue comes from"})
    reporter_name = fields.String(required=True, validate=validate.Length(max=80))
    reporter_contact = fields.String(validate=validate.Length(max=80))
    mandatory_report = JsonBoolean(load_default=False, metadata={
        "description": "强制报告（未成年人保护法第十一条）：立即转公安 A mandatory report: routed to the police at once"})
    received_at = fields.String(required=True, validate=validate.Length(max=40), metadata={
        "description": "接收日期 YYYY-MM-DD 或时间 YYYY-MM-DDTHH:MM[:SS][±HH:MM]（无时区为北京时间） "
                       "When it came in: a date, or a date and time (China time without an offset)",
        "example": "2026-03-02"})
    description = fields.String(required=True, validate=validate.Length(max=5000))
    linked_case_no = fields.String(validate=validate.Length(max=60),
                                   metadata={"description": "关联案号 The sender's own case number (案号)"})
    child_name = fields.String(required=True, validate=validate.Length(max=80))
    child_sex = fields.String(required=True, validate=validate.OneOf(["M", "F"]))
    child_birth_date = fields.String(required=True, validate=validate.Length(max=20),
                                     metadata={"description": "YYYY-MM-DD", "example": "2016-05-04"})
    child_id_number = fields.String(validate=validate.Length(max=40),
                                    metadata={"description": "18 位居民身份证号码 18-character resident ID number"})
    child_school = fields.String(validate=validate.Length(max=120))
    child_address = fields.String(validate=validate.Length(max=200))
    guardians = fields.List(fields.Nested(GuardianIn), validate=validate.Length(max=10))
    family_types = fields.List(fields.String(validate=validate.OneOf(list(FAMILY_TYPES))))
    risk_factors = fields.List(fields.String(validate=validate.OneOf(list(RISK_FACTORS))))
    confirm_duplicate = JsonBoolean(load_default=False, metadata={
        "description": "已知可能重复仍登记 Register although a matching record may exist (after a 409 possible-duplicate)"})


CLUE_EXAMPLE = {
    "source": "school", "reporter_name": "王老师", "reporter_contact": "023-6000 0000", "mandatory_report": True,
    "received_at": "2026-03-01", "description": "学生近一周多次身上有淤青，称被父亲打。",
    "child_name": "张小明", "child_sex": "M", "child_birth_date": "2016-05-04", "child_id_number": "110105201605040018",
    "child_school": "江北区某小学", "guardians": [{"name": "张三", "relation": "father", "is_guardian": True}],
    "family_types": ["single_parent"], "risk_factors": ["violence_abuse"],
}


class IdempotencyHeader(Schema):
    key = fields.String(required=True, data_key="Idempotency-Key", validate=validate.Length(min=1, max=255),
                        metadata={"description": "每个线索一个唯一值；重试时不变 One unique value per clue, "
                                                 "the same on every retry"})


class ClueReceipt(Strict):
    id = fields.Integer(required=True)
    clue_no = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "received | opened_as_case | rejected | merged"})
    mandatory_report = fields.Boolean(required=True)
    report_to = fields.String(allow_none=True, required=True,
                              metadata={"description": "强制报告转交的机构 The agency a mandatory report went to"})
    ack_due_at = fields.DateTime(allow_none=True, required=True)


class MandatoryReport(Strict):
    routed_to = fields.String(allow_none=True, required=True)
    ack_due_at = fields.DateTime(allow_none=True, required=True)
    acknowledged_at = fields.DateTime(allow_none=True, required=True)
    respond_due_at = fields.DateTime(allow_none=True, required=True)
    responded_at = fields.DateTime(allow_none=True, required=True)
    response = fields.String(allow_none=True, required=True, metadata={"description": "公安处置反馈 The police's response"})


class CaseOutcome(Strict):
    opened_at = fields.DateTime(required=True)
    closed = fields.Boolean(required=True)


class ClueDecision(Strict):
    reason = fields.String(required=True)
    decided_at = fields.DateTime(required=True)
    merged_into = fields.String(allow_none=True, required=True, metadata={
        "description": "合并到：clue（线索）或 case（已有个案，不给出个案编号）| null. Merged into a clue or an "
                       "existing case (whose number is not given), or null when rejected"})
    merged_into_clue = fields.String(allow_none=True, required=True,
                                     metadata={"description": "并入的线索编号 The clue number it was merged into"})


class ClueStatusOut(Strict):
    id = fields.Integer(required=True)
    clue_no = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "received | opened_as_case | rejected | merged"})
    child = fields.String(required=True, metadata={"description": "儿童姓名（遮蔽） The child's name, masked"})
    received_at = fields.DateTime(required=True)
    registered_at = fields.DateTime(required=True)
    mandatory_report = fields.Boolean(required=True)
    report = fields.Nested(MandatoryReport, allow_none=True, required=True)
    case = fields.Nested(CaseOutcome, allow_none=True, required=True)
    decision = fields.Nested(ClueDecision, allow_none=True, metadata={
        "description": "不予建档或合并的理由 Why the clue was rejected or merged (null otherwise)"})


class FieldError(Schema):
    field = fields.String(required=True)
    pointer = fields.String(required=True, metadata={"description": "JSON Pointer into the request body"})
    detail = fields.String(required=True, metadata={"description": "中文说明"})
    detail_en = fields.String(required=True, metadata={"description": "English"})


class Problem(Schema):
    """RFC 9457 problem details, with the Chinese message in ``detail`` and the English one in
    ``detail_en``; a rejected field is named in ``errors``."""
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    detail_en = fields.String(required=True)
    title_zh = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(FieldError))
    cases = fields.List(fields.String(), metadata={"description": "possible-duplicate: matching cases your agency works on"})
    clue_id = fields.Integer()


class OrdersQuery(Schema):
    case_no = fields.String(validate=validate.Length(max=40), metadata={"description": "个案编号 Case number"})
    linked_case_no = fields.String(validate=validate.Length(max=60), metadata={"description": "关联案号 The linked 案号"})
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1),
                           metadata={"description": "继续读取：上一页的 next_after Continue after this id"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))


class Delivery(Strict):
    method = fields.String(allow_none=True, required=True)
    delivered_on = fields.Date(required=True)
    signed = fields.Boolean(allow_none=True, required=True)


class Supervision(Strict):
    status = fields.String(required=True, metadata={"description": "in_force | completed | revoked"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    breaches = fields.Integer(required=True)
    last_checked_on = fields.Date(allow_none=True, required=True)


class Check(Strict):
    checked_on = fields.Date(required=True)
    result = fields.String(required=True, metadata={"description": "complied | partial | not_complied"})
    report_received = fields.Boolean(required=True)


class Order(Strict):
    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"description": "文号 The document's number"})
    doc_type = fields.String(required=True)
    title = fields.String(required=True)
    issuing_agency = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    status = fields.String(required=True, metadata={"description": "issued | superseded"})
    case_no = fields.String(required=True)
    linked_case_no = fields.String(allow_none=True, required=True)
    external_refs = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True, metadata={
        "description": "各单位在本系统的案号 The case numbers each agency gives the case (agency -> 案号 list)"})
    delivery = fields.Nested(Delivery, allow_none=True, required=True)
    supervision = fields.Nested(Supervision, allow_none=True, required=True)
    last_check = fields.Nested(Check, allow_none=True, required=True)


class OrdersOut(Strict):
    orders = fields.List(fields.Nested(Order), required=True)
    next_after = fields.Integer(allow_none=True, required=True)


# --- the 案号 of the judicial agencies' own systems --------------------------------------------------------

REFS_DESCRIPTION = ("本机构的案号（全部替换；空列表为删除）The client agency's case numbers, replacing those it "
                    "recorded before (an empty list removes them): 4–60 characters, Chinese, letters, digits, "
                    "〔〕()[]【】-_./·, with a digit")


class ExternalRefsIn(Strict):
    refs = fields.List(fields.String(validate=validate.Length(max=200)), required=True,
                       validate=validate.Length(max=20), metadata={"description": REFS_DESCRIPTION,
                                                                   "examples": [["渝北检未立〔2026〕12号"]]})


class ExternalRefsOut(Strict):
    case_no = fields.String(required=True, metadata={"description": "个案编号 Case number"})
    status = fields.String(required=True, metadata={"description": "open | closed"})
    external_refs = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                                metadata={"description": "agency -> 案号 list"})


class CasesQuery(Schema):
    external_ref = fields.String(required=True, validate=validate.Length(min=1, max=60),
                                 metadata={"description": "案号 The case number in an agency's own system"})


class CasesOut(Strict):
    cases = fields.List(fields.Nested(ExternalRefsOut), required=True)


# --- bulk import of clues from XLSX ------------------------------------------------------------------------

class ImportIn(Schema):
    file = Upload(required=True, metadata={"description": "填好的导入模板（XLSX，最多 500 行，1 MB）The filled-in "
                                                           "import template (XLSX, at most 500 rows, 1 MB)"})


class ImportRow(Strict):
    row = fields.Integer(required=True, metadata={"description": "表格行号 The sheet's row number"})
    status = fields.String(required=True, metadata={"description": "created | already_imported | duplicate | error"})
    clue_id = fields.Integer(metadata={"description": "created, already_imported: the clue (GET /clues/{id})"})
    clue_no = fields.String()
    cases = fields.List(fields.String(), metadata={"description": "duplicate: matching cases your agency works on"})
    field = fields.String(metadata={"description": "error, duplicate: the template's column key"})
    message = fields.String()
    message_en = fields.String()


class ImportOut(Strict):
    id = fields.Integer(required=True)
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    report = fields.List(fields.Nested(ImportRow), required=True)
