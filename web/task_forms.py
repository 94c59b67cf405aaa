"""Every user task's form, declared once: fields, kinds, choices and help text in both languages.

The generic task view renders and reads these; the engine's task handlers validate the values and name
the field on error, so the rules live in one place (the engine) and the layout in one place (here).
"""
from dataclasses import dataclass, field as dc_field

from engine import reference as ref


@dataclass(frozen=True)
class Field:
    name: str
    kind: str            # text, textarea, date, int, bool, choice, multi, provider, scores
    label: tuple
    required: bool = True
    choices: dict | None = None
    help: tuple | None = None
    default: object = None     # a value, or the name of a workflow variable prefixed with "var:"


@dataclass(frozen=True)
class TaskForm:
    title: tuple
    help: tuple
    fields: list = dc_field(default_factory=list)


TODAY = "today"
YES_NO = {"true": ("是", "Yes"), "false": ("否", "No")}


def _date(name, zh, en, **kw):
    return Field(name, "date", (zh, en), default=kw.pop("default", TODAY), **kw)


def _order_fields():
    return [
        Field("failings", "textarea", ("查明的监护问题", "Failings found"),
              help=("写明监护人未履行或怠于履行监护职责的具体事实。", "The facts of the guardian's failure to act.")),
        Field("duties", "textarea", ("应履行的具体义务", "Concrete duties"),
              help=("逐项写明监护人应当履行的义务与报告要求。", "Each duty the guardian must carry out, and how to report.")),
        Field("deadline", "date", ("履行期限", "Deadline"), help=("应晚于今天。", "Must be after today.")),
    ]


def _delivery_fields():
    return [
        Field("method", "choice", ("送达方式", "Method of delivery"), choices=ref.DELIVERY_METHODS),
        _date("delivered_on", "送达日期", "Date delivered"),
        Field("recipient", "text", ("受送达人", "Recipient")),
        Field("signed", "bool", ("受送达人已签收", "Signed by the recipient"), required=False,
              help=("拒绝签收的不勾选，并在送达回证上注明。", "Leave unticked if refused; note it on the receipt.")),
    ]


def _on_the_spot_delivery():
    """A notice or reprimand is served when it is given: how, to whom, signed or not."""
    return [
        Field("delivery_method", "choice", ("送达方式", "Method of delivery"), choices=ref.DELIVERY_METHODS,
              default="in_person"),
        Field("recipient", "text", ("受送达人", "Recipient")),
        Field("signed", "bool", ("受送达人已签收", "Signed by the recipient"), required=False, default=True,
              help=("拒绝签收的不勾选，并在送达回证上注明。", "Leave unticked if refused; note it on the receipt.")),
    ]


def _decision_fields():
    return [
        Field("decision", "choice", ("审批意见", "Decision"),
              choices={"approved": ("同意", "Approve"), "returned": ("退回补正", "Return for correction")}),
        Field("reason", "textarea", ("意见说明", "Reason"), required=False,
              help=("退回时必填：写明需补正的内容，申请人将看到。", "Required when returning: what to correct; the requester sees it.")),
    ]


APPROVAL_HELP = ("不能审批本人提出的申请；退回须写明补正要求。", "You cannot approve your own request; a return needs the reason.")
ORDER_APPROVAL_HELP = ("核阅草稿（可预览）后同意签发或退回补正；同意后文书即编号签发。",
                       "Read the draft (preview it) and approve or return it; approved, it is numbered and issued.")


def _chase_fields():
    return [
        Field("explanation", "textarea", ("逾期原因", "Why it is overdue")),
        Field("action", "textarea", ("督办措施", "What was done")),
    ]


def _assessment_fields():
    return [
        Field("scores", "scores", ("评估指标（0 正常 … 4 严重）", "Indicators (0 fine … 4 severe)")),
        Field("risk_factors", "multi", ("风险因素", "Risk factors"), required=False, choices=ref.RISK_FACTORS,
              help=("赋码表据此与总分判定风险等级。", "The risk-code table uses these with the total score.")),
        Field("summary", "textarea", ("评估结论", "Conclusion")),
    ]


FORMS: dict[str, TaskForm] = {
    "social_investigation": TaskForm(("社会调查", "Social investigation"), (
        "走访家庭、学校、社区，了解监护状况。", "Visit the family, school and community to learn how the child is cared for."), [
        _date("investigated_on", "调查日期", "Date of investigation"),
        Field("findings", "textarea", ("调查发现", "Findings")),
        Field("sources", "text", ("信息来源", "Sources"), required=False),
    ]),
    "scored_assessment": TaskForm(("评估打分", "Scored assessment"), (
        "逐项评分，系统按赋码决策表得出风险等级。", "Score each indicator; the risk-code table derives the code."),
        _assessment_fields()),
    "reassess": TaskForm(("复评", "Re-assessment"), (
        "本轮结束前重新评估；指导与回访是否达标由系统按记录计算。",
        "Assess again before the round ends; whether guidance and visits met the plan is computed from the records."),
        _assessment_fields()),
    "decide_handling": TaskForm(("处置决定", "Handling decision"), (
        "按风险等级和案件类型，系统已预选建议措施，可调整。",
        "The measures suggested for this code and case type are pre-selected; adjust as needed."), [
        Field("measure_notify", "bool", ("告知（家庭教育责任告知书）", "Notify (notice of duty)"), required=False,
              default="var:suggest_notify"),
        Field("measure_admonish", "bool", ("劝诫", "Admonish"), required=False, default="var:suggest_admonish"),
        Field("measure_reprimand", "bool", ("训诫（公安）", "Reprimand (police)"), required=False,
              default="var:suggest_reprimand"),
        Field("measure_procuratorate_order", "bool", ("督促监护令（检察院）", "Order urging guardianship (procuratorate)"),
              required=False, default="var:suggest_procuratorate_order"),
        Field("measure_court_order", "bool", ("家庭教育指导令（法院）", "Guidance order (court)"), required=False,
              default="var:suggest_court_order"),
        Field("measure_civil_affairs", "bool", ("转介民政", "Refer to civil affairs"), required=False,
              default="var:suggest_civil_affairs"),
        Field("reason", "textarea", ("决定理由", "Reasons")),
    ]),
    "notify_guardian": TaskForm(("告知监护人", "Notify the guardian"), (
        "送达家庭教育责任告知书。", "Serve the notice of family-education duty."), [
        _date("notified_on", "告知日期", "Date notified"), Field("content", "textarea", ("告知内容", "What was said")),
        *_on_the_spot_delivery(),
    ]),
    "admonish_guardian": TaskForm(("劝诫监护人", "Admonish the guardian"), ("", ""), [
        _date("admonished_on", "劝诫日期", "Date"), Field("content", "textarea", ("劝诫内容", "What was said")),
    ]),
    "reprimand_guardian": TaskForm(("训诫监护人", "Reprimand the guardian"), (
        "未成年人保护法第一百一十八条。", "Minors Protection Law art. 118."), [
        _date("reprimanded_on", "训诫日期", "Date"), Field("failings", "textarea", ("训诫事由", "Grounds")),
        *_on_the_spot_delivery(),
    ]),
    "issue_procuratorate_order": TaskForm(("拟制督促监护令", "Draft the order urging guardianship"), (
        "未成年人保护法第一百一十八条；家庭教育促进法第四十九条。草稿经部门负责人审批后编号签发。",
        "Minors Protection Law art. 118; Family Education Promotion Law art. 49. The head of department approves "
        "the draft before it is numbered and issued."), _order_fields()),
    "issue_rigid_procuratorate_order": TaskForm(("拟制刚性督促监护令", "Draft a rigid order urging guardianship"), (
        "联席会商决定的刚性措施；草稿经审批后签发。", "A rigid measure decided by the joint meeting; issued once approved."),
        _order_fields()),
    "approve_procuratorate_order": TaskForm(("审批督促监护令", "Approve the order urging guardianship"),
                                            ORDER_APPROVAL_HELP, _decision_fields()),
    "approve_rigid_procuratorate_order": TaskForm(("审批刚性督促监护令", "Approve the rigid order urging guardianship"),
                                                  ORDER_APPROVAL_HELP, _decision_fields()),
    "approve_court_order": TaskForm(("审批家庭教育指导令", "Approve the guidance order"), ORDER_APPROVAL_HELP,
                                    _decision_fields()),
    "approve_rigid_court_order": TaskForm(("审批刚性家庭教育指导令", "Approve the rigid guidance order"),
                                          ORDER_APPROVAL_HELP, _decision_fields()),
    "deliver_procuratorate_order": TaskForm(("送达督促监护令", "Deliver the order urging guardianship"), (
        "宣告送达并制作送达回证。", "Announce and serve the order; the delivery receipt records it."), _delivery_fields()),
    "issue_court_order": TaskForm(("拟制家庭教育指导令", "Draft the family-education guidance order"), (
        "家庭教育促进法第四十九条；法发〔2023〕7号。草稿经审批后编号签发。",
        "Family Education Promotion Law art. 49; Fa Fa [2023] No. 7. Issued once the draft is approved."),
        _order_fields() + [Field("provider_id", "provider", ("指导机构", "Guidance provider")),
                           Field("sessions", "int", ("指导次数", "Sessions"), default=6)]),
    "issue_rigid_court_order": TaskForm(("拟制刚性家庭教育指导令", "Draft a rigid guidance order"), (
        "联席会商决定的刚性措施；草稿经审批后签发。", "A rigid measure decided by the joint meeting; issued once approved."),
        _order_fields() + [Field("provider_id", "provider", ("指导机构", "Guidance provider")),
                           Field("sessions", "int", ("指导次数", "Sessions"), default=6)]),
    "deliver_court_order": TaskForm(("送达家庭教育指导令", "Deliver the guidance order"), ("", ""), _delivery_fields()),
    "deliver_rigid_procuratorate_order": TaskForm(("送达刚性督促监护令", "Deliver the rigid order urging guardianship"),
                                                  ("", ""), _delivery_fields()),
    "deliver_rigid_court_order": TaskForm(("送达刚性家庭教育指导令", "Deliver the rigid guidance order"), ("", ""),
                                          _delivery_fields()),
    "refer_civil_affairs": TaskForm(("转介民政", "Referral to civil affairs"), (
        "民政部门接收转介并安排儿童主任探访或救助。", "Civil affairs accepts the referral and arranges visits or assistance."), [
        _date("accepted_on", "接收日期", "Date accepted"), Field("measures", "textarea", ("安排的措施", "Measures arranged")),
    ]),
    "draft_guidance_plan": TaskForm(("制定家庭教育指导方案", "Draft the guidance plan"), (
        "默认每月一次、每次不少于 40 分钟、为期 6 个月。", "Default: monthly sessions of at least 40 minutes for 6 months."), [
        Field("provider_id", "provider", ("指导机构", "Guidance provider")),
        Field("sessions_required", "int", ("指导次数", "Sessions required"), default="setting:guidance_sessions"),
        Field("min_minutes", "int", ("每次最少分钟数", "Minimum minutes per session"),
              default="setting:guidance_min_minutes"),
        Field("period_days", "int", ("指导期限（天）", "Period (days)"), default="setting:guidance_period_days"),
        Field("goals", "textarea", ("指导目标", "Goals")),
    ]),
    "record_guidance_session": TaskForm(("记录指导情况", "Record a guidance session"), (
        "监护人到场且时长达标的指导计入方案完成次数。",
        "Sessions the guardian attended for at least the plan's minutes count towards the plan."), [
        Field("kind", "choice", ("指导形式", "Kind"), choices=ref.SESSION_KINDS),
        _date("held_on", "指导日期", "Date held"),
        Field("minutes", "int", ("时长（分钟）", "Minutes"), default=60),
        Field("guardian_attended", "bool", ("监护人到场", "Guardian attended"), required=False, default=True),
        Field("notes", "textarea", ("指导内容", "Notes"), required=False),
    ]),
    "record_followup_visit": TaskForm(("记录回访", "Record a follow-up visit"), (
        "按风险等级的频次回访；逾期将提交检察院督办。",
        "Visits follow the code's cadence; an overdue visit is raised with the procuratorate."), [
        Field("method", "choice", ("回访方式", "Method"), choices=ref.VISIT_METHODS),
        _date("visited_on", "回访日期", "Date of visit"),
        Field("findings", "textarea", ("回访情况", "Findings")),
        Field("orders_complied", "bool", ("监护人履行令状/方案", "Orders are being carried out"), required=False),
        Field("new_incident", "bool", ("发现新的风险事件", "New incident found"), required=False,
              help=("如有新事件，请同时在个案页申请升级。", "If so, also upgrade the code on the case page.")),
    ]),
    "chase_overdue_visit": TaskForm(("督促逾期回访（法律监督）", "Chase an overdue visit (legal supervision)"), ("", ""),
                                    _chase_fields()),
    "chase_overdue_session": TaskForm(("督办逾期指导", "Chase an overdue guidance session"), (
        "指导长期未按方案开展：查明原因并督促指导机构。", "Guidance is long overdue: find out why and chase the provider."),
        _chase_fields()),
    "chase_deliver_procuratorate_order": TaskForm(("督办逾期送达（督促监护令）", "Chase an overdue delivery (order)"),
                                                  ("", ""), _chase_fields()),
    "chase_deliver_rigid_procuratorate_order": TaskForm(
        ("督办逾期送达（刚性督促监护令）", "Chase an overdue delivery (rigid order)"), ("", ""), _chase_fields()),
    "chase_deliver_court_order": TaskForm(("督办逾期送达（指导令）", "Chase an overdue delivery (guidance order)"),
                                          ("", ""), _chase_fields()),
    "chase_deliver_rigid_court_order": TaskForm(
        ("督办逾期送达（刚性指导令）", "Chase an overdue delivery (rigid guidance order)"), ("", ""), _chase_fields()),
    "decide_outcome": TaskForm(("决定本轮结果", "Decide the round's outcome"), (
        "降级与结案须经督导审批；系统按复评与证据给出建议。",
        "Downgrade and closure need a supervisor's approval; the recommendation comes from the re-assessment."), [
        Field("outcome", "choice", ("结果", "Outcome"), choices=ref.OUTCOMES, default="var:recommendation"),
        Field("reason", "textarea", ("理由", "Reasons")),
    ]),
    "approve_downgrade": TaskForm(("审批降级", "Approve the downgrade"), APPROVAL_HELP, _decision_fields()),
    "approve_closure": TaskForm(("审批结案", "Approve the closure"), APPROVAL_HELP, _decision_fields()),
    "approve_escalation": TaskForm(("审批提请联席会商", "Approve the escalation to a joint meeting"), APPROVAL_HELP,
                                   _decision_fields()),
    "joint_meeting": TaskForm(("联席会商", "Joint meeting"), (
        "公安、检察院、法院共同会商刚性措施。", "Police, procuratorate and court decide rigid measures together."), [
        _date("held_on", "会商日期", "Date held"),
        Field("attendees", "multi", ("参会机构", "Agencies present"), choices=ref.AGENCIES),
        Field("minutes", "textarea", ("会商纪要", "Minutes")),
        Field("rigid_court_order", "bool", ("发出刚性家庭教育指导令", "Rigid guidance order"), required=False),
        Field("rigid_procuratorate_order", "bool", ("发出刚性督促监护令", "Rigid order urging guardianship"),
              required=False),
        Field("temporary_guardianship", "bool", ("民政临时监护", "Temporary guardianship by civil affairs"),
              required=False, help=("未成年人保护法第九十二条。", "Minors Protection Law art. 92.")),
    ]),
    "arrange_temporary_guardianship": TaskForm(("安排临时监护", "Arrange temporary guardianship"), (
        "未成年人保护法第九十二条。", "Minors Protection Law art. 92."), [
        _date("started_on", "开始日期", "Start date"), Field("placement", "textarea", ("安置情况", "Placement")),
    ]),
}


def read_submission(form_def: TaskForm, form) -> dict:
    """The submitted values, shaped as the engine's task handlers read them."""
    data = {}
    for f in form_def.fields:
        if f.kind == "scores":
            data.update({item: form.get(item, "") for item in ref.ASSESSMENT_ITEMS})
        elif f.kind == "bool":
            data[f.name] = form.get(f.name) == "on"
        elif f.kind == "multi":
            data[f.name] = form.getlist(f.name)
        else:
            data[f.name] = form.get(f.name, "")
    return data


def initial_values(form_def: TaskForm, variables: dict, settings, today) -> dict:
    values = {}
    for f in form_def.fields:
        default = f.default
        if isinstance(default, str) and default.startswith("var:"):
            default = variables.get(default[4:])
        elif isinstance(default, str) and default.startswith("setting:"):
            default = getattr(settings, default[8:])
        elif default == TODAY:
            default = today.isoformat()
        if default is not None:
            values[f.name] = default
    return values
