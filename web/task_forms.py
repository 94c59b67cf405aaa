"""Every user task's form, declared once: fields, kinds, choices and help text in both languages.

The generic task view renders and reads these; the engine's task handlers validate the values and name
the field on error, so the rules live in one place (the engine) and the layout in one place (here).
"""
from dataclasses import dataclass, field as dc_field

from engine import reference as ref
from engine.reference import COURSE_KINDS
from engine.workflow.catalog import Task, Wait


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


def _date(name, zh, en, **kw):
    return Field(name, "date", (zh, en), default=kw.pop("default", TODAY), **kw)


def _judicial_case():
    """The judicial case a measure arises from (案号, 案由, stage)."""
    return [
        Field("judicial_case_number", "text", ("案号", "Case number (案号)"), required=False, default="var:referral_case_number",
              help=("如（2026）渝0105刑初123号；无则留空。", "e.g. (2026) Yu 0105 Xing Chu 123; leave empty if none.")),
        Field("judicial_case_cause", "text", ("案由", "Cause of action"), required=False,
              default="var:referral_case_cause"),
        Field("judicial_case_stage", "choice", ("诉讼阶段", "Stage"), required=False, choices=ref.JUDICIAL_STAGES,
              default="var:referral_case_stage"),
    ]


def _on_the_spot_delivery():
    """A notice is served when it is given: how, to whom, signed or not."""
    return [
        Field("delivery_method", "choice", ("送达方式", "Method of delivery"), choices=ref.DELIVERY_METHODS,
              default="in_person"),
        Field("recipient", "text", ("受送达人", "Recipient")),
        Field("signed", "bool", ("受送达人已签收", "Signed by the recipient"), required=False, default=True,
              help=("拒绝签收的不勾选，选择留置送达。", "Leave unticked if refused, and choose delivery left at the address.")),
    ]


def _decision_fields(refusable=True):
    choices = {"approved": ("同意", "Approve"), "returned": ("退回补正", "Return for correction")}
    if refusable:
        choices["refused"] = ("不予批准", "Refuse")
    return [
        Field("decision", "choice", ("审批意见", "Decision"), choices=choices),
        Field("reason", "textarea", ("意见说明", "Reason"), required=False,
              help=("退回或不予批准时必填，申请人将看到。", "Required when returning or refusing; the requester sees it.")),
    ]


APPROVAL_HELP = ("不能审批本人提出的申请；退回或不予批准须写明理由。",
                 "You cannot approve your own request; a return or refusal needs the reason.")
ORDER_APPROVAL_HELP = ("请先预览草稿，再同意签发、退回补正或不予批准；同意后文书即编号签发。",
                       "Preview the draft first, then approve, return or refuse it; approved, it is numbered and issued.")


def _assessment_fields():
    return [
        Field("scores", "scores", ("评估指标（0 正常 … 4 严重）", "Indicators (0 fine … 4 severe)")),
        Field("risk_factors", "multi", ("风险因素", "Risk factors"), required=False, choices=ref.RISK_FACTORS,
              help=("赋码表据此与总分判定风险等级。", "The risk-code table uses these with the total score.")),
        Field("other_carer_able", "bool", ("另有监护人或照料人能够妥善照料儿童", "Another guardian or carer looks after the child well"),
              required=False, help=("一方监护人不能履职而另一方照料良好时勾选：不按监护缺失赋红码。",
                                    "Tick when one guardian cannot act but another cares well: not coded red as absent guardianship.")),
        Field("summary", "textarea", ("评估结论", "Conclusion")),
    ]


def _guardians(help_zh="", help_en=""):
    return Field("guardian_ids", "guardians", ("监护人", "Guardians"), required=False,
                 help=(help_zh, help_en) if help_zh else None)


def _placement_fields(guardianship_choice: bool):
    fields = [
        Field("placement", "choice", ("安置方式", "Placement"), choices=ref.PLACEMENTS),
        _date("started_on", "开始日期", "Start date"),
        Field("details", "textarea", ("安置情况", "Placement details")),
    ]
    if guardianship_choice:
        fields.append(Field("temporary_guardianship", "bool", ("民政部门承担临时监护职责", "Civil affairs takes temporary guardianship"),
                            required=False, help=("未成年人保护法第九十二条。", "Minors Protection Law art. 92.")))
    fields.append(_guardians("选择暂停或撤销监护职责的监护人。", "Choose the guardians whose duties are suspended or revoked."))
    return fields


def _order_common(deadline=True, duties=True):
    fields = [_guardians("受送达的监护人（不选则为全部现任监护人）。", "Guardians served (none chosen: every current guardian)."),
              Field("failings", "textarea", ("查明的事实", "Facts found"),
                    help=("写明监护人未履行或怠于履行监护职责的具体事实。", "The facts of the guardian's failure to act."))]
    if duties:
        fields.append(Field("duties", "textarea", ("应履行的具体义务", "Concrete duties"),
                            help=("每行一项义务，并写明报告要求。", "One duty per line, with the reporting duty.")))
    if deadline:
        fields.append(Field("deadline", "date", ("履行期限", "Deadline"), default=None, help=("应晚于今天。", "Must be after today.")))
    return fields + _judicial_case()


_SUBMIT = Field("action", "choice", ("处理", "Action"), choices={"submit": ("报请审批", "Submit for approval"),
                                                                "withdraw": ("撤回，不制发", "Withdraw, do not issue")},
                default="submit")
_WITHDRAW_REASON = Field("reason", "textarea", ("撤回理由", "Reason for withdrawing"), required=False,
                         help=("撤回时必填，提出机关将看到。", "Required when withdrawing; the proposer sees it."))

DRAFT_FORMS = {  # draft_order, by the referral's measure
    "supervision_order": TaskForm(("拟制督促监护令", "Draft the order urging guardianship"), (
        "未成年人保护法第一百一十八条；家庭教育促进法第四十九条。草稿经部门负责人审批后编号签发。",
        "Minors Protection Law art. 118; Family Education Promotion Law art. 49. Issued once the head of department "
        "approves the draft."), [_SUBMIT, *_order_common(), _WITHDRAW_REASON]),
    "guidance_order": TaskForm(("拟制家庭教育指导令（决定书）", "Draft the guidance order (decision)"), (
        "家庭教育促进法第四十九条；法发〔2023〕7号。监护人可自收到之日起五日内申请复议一次。",
        "Family Education Promotion Law art. 49; Fa Fa [2023] No. 7. The guardian may apply once for reconsideration "
        "within five days."), [_SUBMIT, *_order_common(), Field("provider_id", "provider", ("指导机构", "Guidance provider")),
                               Field("content", "textarea", ("指导内容", "Guidance content")),
                               Field("sessions", "int", ("指导次数", "Sessions"), default=6),
                               Field("session_interval_days", "int", ("间隔（天）", "Days between sessions"), default=30),
                               Field("period_days", "int", ("指导期限（天）", "Period (days)"), default=180),
                               Field("clerk", "text", ("书记员", "Clerk"), required=False), _WITHDRAW_REASON]),
    "reprimand": TaskForm(("拟制训诫书", "Draft the reprimand"), (
        "家庭教育促进法第四十九条：公安机关、人民检察院、人民法院可以予以训诫。",
        "Family Education Promotion Law art. 49: police, procuratorates and courts may reprimand."),
        [_SUBMIT, _date("reprimanded_on", "训诫日期", "Date of the reprimand"), *_order_common(deadline=False, duties=False),
         Field("recorder", "text", ("记录人", "Recorded by"), required=False), _WITHDRAW_REASON]),
    "warning_letter": TaskForm(("拟制告诫书", "Draft the warning letter"), (
        "反家庭暴力法第十六条：家庭暴力情节较轻的，由公安机关对加害人给予批评教育或者出具告诫书。",
        "Anti-Domestic Violence Law art. 16."), [_SUBMIT, *_order_common(), _WITHDRAW_REASON]),
    "protection_order": TaskForm(("拟制人身安全保护令（裁定）", "Draft the protection order (ruling)"), (
        "反家庭暴力法第四章：七十二小时内作出，情况紧急的二十四小时内作出。",
        "Anti-Domestic Violence Law ch. 4: within 72 hours, 24 in an emergency."),
        [_SUBMIT, Field("respondent", "text", ("被申请人", "Respondent")),
         *_order_common(deadline=False, duties=False),
         Field("prohibitions", "multi", ("裁定内容", "What the ruling orders"), choices={
             "no_violence": ("禁止实施家庭暴力", "No domestic violence"),
             "no_harassment": ("禁止骚扰、跟踪、接触", "No harassment, stalking or contact"),
             "move_out": ("责令迁出住所", "Move out of the home"), "other": ("其他措施", "Other measures")}),
         Field("months", "int", ("有效期（月，至多六个月）", "Valid for (months, at most six)"), default=6), _WITHDRAW_REASON]),
}

_REFERRALS = [Field("refer_supervision_order", "bool", ("提请检察院：督促监护令", "Ask the procuratorate: order urging guardianship"),
                    required=False, default="var:suggest_supervision_order"),
              Field("refer_guidance_order", "bool", ("提请法院：家庭教育指导令", "Ask the court: family-education guidance order"),
                    required=False, default="var:suggest_guidance_order"),
              Field("refer_reprimand", "bool", ("提请训诫", "Ask for a reprimand"), required=False,
                    default="var:suggest_reprimand"),
              Field("reprimand_issuer", "choice", ("训诫由", "Reprimand by"), required=False,
                    choices={a: ref.AGENCIES[a][:2] for a in ref.MEASURES["reprimand"][2]}, default="police"),
              Field("refer_warning_letter", "bool", ("提请公安：告诫书（家庭暴力）", "Ask the police: warning letter (domestic violence)"),
                    required=False, default="var:suggest_warning_letter"),
              Field("refer_protection_order", "bool", ("代为申请人身安全保护令（法院）", "Apply for a protection order (court)"),
                    required=False, default="var:suggest_protection_order"),
              Field("measure_care", "bool", ("转介民政：临时照护或临时监护", "Refer to civil affairs: temporary care or guardianship"),
                    required=False, default="var:suggest_care")]

FORMS: dict[str, TaskForm] = {
    Task.SOCIAL_INVESTIGATION: TaskForm(("社会调查", "Social investigation"), (
        "走访家庭、学校、社区，了解监护状况。", "Visit the family, school and community to learn how the child is cared for."), [
        _date("investigated_on", "调查日期", "Date of investigation"),
        Field("findings", "textarea", ("调查发现", "Findings")),
        Field("sources", "text", ("信息来源", "Sources"), required=False),
    ]),
    Task.SCORED_ASSESSMENT: TaskForm(("监护能力评估打分", "Scored assessment"), (
        "逐项评分，系统按赋码决策表得出风险等级。", "Score each indicator; the risk-code table derives the code."),
        _assessment_fields()),
    Task.REASSESS: TaskForm(("再评估", "Re-assessment"), (
        "本轮结束前重新评估；指导、回访、督办答复和文书送达是否齐全由系统按记录计算。",
        "Assess again before the round ends; whether guidance, visits, chases and deliveries are complete is computed."),
        _assessment_fields()),
    Task.PROPOSE_MEASURES: TaskForm(("提出处置意见并移送", "Propose measures and refer them"), (
        "本机关可直接告知、劝诫；督促监护令、家庭教育指导令、训诫、告诫书、人身安全保护令由相应机关依职权审查决定，"
        "民政部门决定临时照护。已按风险等级和案件类型预选建议。",
        "Your agency may notify and admonish; the other measures are decided by the agency whose measure it is. "
        "Suggestions for this code and case type are pre-selected."), [
        Field("measure_notify", "bool", ("告知（家庭教育责任告知书）", "Notify (notice of duty)"), required=False,
              default="var:suggest_notify"),
        Field("measure_admonish", "bool", ("劝诫", "Admonish"), required=False, default="var:suggest_admonish"),
        *_REFERRALS, *_judicial_case(),
        Field("reason", "textarea", ("意见与理由", "Proposal and reasons")),
    ]),
    Task.NOTIFY_GUARDIAN: TaskForm(("告知监护人", "Notify the guardian"), (
        "送达家庭教育责任告知书。", "Serve the notice of family-education duty."), [
        _date("notified_on", "告知日期", "Date notified"), Field("content", "textarea", ("告知内容", "What was said")),
        *_on_the_spot_delivery(),
    ]),
    Task.ADMONISH_GUARDIAN: TaskForm(("劝诫监护人", "Admonish the guardian"), ("", ""), [
        _date("admonished_on", "劝诫日期", "Date"), Field("content", "textarea", ("劝诫内容", "What was said")),
    ]),
    Task.DECIDE_CARE: TaskForm(("审查临时照护申请", "Decide on temporary care"), (
        "接收或说明不予接收的理由（提出机关将看到）。", "Accept, or decline with a reason the proposer will see."), [
        Field("decision", "choice", ("决定", "Decision"), choices={"accept": ("接收", "Accept"), "decline": ("不予接收", "Decline")}),
        Field("reason", "textarea", ("理由", "Reason"), required=False),
    ]),
    Task.ARRANGE_TEMPORARY_CARE: TaskForm(("安排临时照护或临时监护", "Arrange temporary care or guardianship"), (
        "未成年人保护法第九十二条、第九十三条。", "Minors Protection Law arts. 92–93."), _placement_fields(True)),
    Task.ACKNOWLEDGE_CARE_DECLINE: TaskForm(("知悉民政不予接收意见", "Note civil affairs' decline"), ("", ""), [
        Field("note", "textarea", ("后续安排", "What happens instead"), required=False)]),
    Task.ACKNOWLEDGE_DECLINE: TaskForm(("知悉不予采纳的理由", "Note why the measure was not taken"), ("", ""), [
        Field("note", "textarea", ("后续安排", "What happens instead"), required=False)]),
    Task.DECIDE_REFERRAL: TaskForm(("审查决定", "Decide on the referral"), (
        "依职权决定：受理、先调查核实，或不予采纳并说明理由（提出机关将看到）。",
        "Decide in your own right: accept, investigate first, or decline with a reason the proposer will see."), [
        Field("decision", "choice", ("决定", "Decision"), choices={
            "accept": ("受理", "Accept"), "investigate": ("先调查核实", "Investigate first"),
            "decline": ("不予采纳", "Decline")}),
        Field("reason", "textarea", ("理由", "Reason"), required=False),
    ]),
    Task.INVESTIGATE_REFERRAL: TaskForm(("调查核实", "Investigate"), ("", ""), [
        _date("investigated_on", "调查日期", "Date"), Field("findings", "textarea", ("调查情况", "Findings"))]),
    Task.APPROVE_ORDER: TaskForm(("审批签发", "Approve and sign"), ORDER_APPROVAL_HELP, _decision_fields()),
    Task.DELIVER_ORDER: TaskForm(("送达", "Deliver"), (
        "据实记录送达方式；拒绝签收的选择留置送达并写明理由和见证人。",
        "Record how it was served; if refused, choose left at the address with the reason and a witness."), [
        Field("method", "choice", ("送达方式", "Method of delivery"), choices=ref.DELIVERY_METHODS),
        _date("delivered_on", "送达日期", "Date delivered"),
        Field("recipient", "text", ("受送达人", "Recipient")),
        Field("place", "text", ("送达地点", "Place")),
        Field("signed", "bool", ("受送达人已签收", "Signed by the recipient"), required=False, default=True),
        Field("proxy_name", "text", ("代收人", "Received on behalf by"), required=False),
        Field("proxy_reason", "text", ("代收理由", "Why received on behalf"), required=False),
        Field("refusal_reason", "text", ("拒收理由（留置送达）", "Why refused (left at the address)"), required=False),
        Field("witness", "text", ("见证人（留置送达）", "Witness (left at the address)"), required=False),
    ]),
    Task.HANDLE_OBJECTION: TaskForm(("复议申请与决定", "Reconsideration"), (
        "监护人自收到之日起五日内可申请复议一次；复议期间不停止执行。",
        "The guardian may apply once within five days of receipt; the order is carried out meanwhile."), [
        Field("applied", "bool", ("监护人申请了复议", "The guardian applied for reconsideration"), required=False),
        Field("applied_on", "date", ("申请日期", "Date applied"), required=False, default=None),
        Field("decision", "choice", ("复议决定", "Decision"), required=False,
              choices={"upheld": ("维持", "Uphold"), "changed": ("变更", "Change"), "revoked": ("撤销", "Revoke")}),
        Field("reason", "textarea", ("理由", "Reasons"), required=False),
        *[Field(f.name, f.kind, f.label, required=False, choices=f.choices, default=f.default,
                help=("复议决定书当场送达申请人时填写。", "When the decision is served on the applicant there and then."))
          for f in _on_the_spot_delivery()],
    ]),
    Task.COMPLIANCE_CHECK: TaskForm(("履行情况检查", "Compliance check"), (
        "核对监护人的报告与履行情况；期满且已履行即履行完毕。",
        "Check the guardian's report and what was done; complied at the end of the period, the order is fulfilled."), [
        _date("checked_on", "检查日期", "Date checked"),
        Field("report_received", "bool", ("收到监护人的履行报告", "The guardian's report was received"), required=False),
        Field("result", "choice", ("履行情况", "Result"), choices=ref.COMPLIANCE_RESULTS),
        Field("notes", "textarea", ("情况说明", "Notes"), required=False, help=("未完全履行时必填。", "Required unless complied.")),
    ]),
    Task.DECIDE_CONSEQUENCE: TaskForm(("不履行的处理", "Response to non-compliance"), (
        "家庭教育促进法第四十九条：可以予以训诫，并可以责令其接受家庭教育指导；必要时提请升级处置。",
        "Family Education Promotion Law art. 49: reprimand, order guidance, or ask for escalation."), [
        Field("consequence", "choice", ("处理方式", "Response"), choices=ref.CONSEQUENCES),
        Field("reason", "textarea", ("理由", "Reasons")),
    ]),
    Task.DRAFT_GUIDANCE_PLAN: TaskForm(("制定家庭教育指导方案", "Draft the guidance plan"), (
        "次数、时长与期限按风险等级预设，指导重点按家庭类型（决策表），可调整。",
        "Sessions, length and period are preset by the code and the focus by family type (decision tables); adjust as needed."), [
        Field("provider_id", "provider", ("指导机构", "Guidance provider")),
        Field("sessions_required", "int", ("指导次数", "Sessions required"), default="var:sessions_required"),
        Field("interval_days", "int", ("间隔（天）", "Days between sessions"), default="var:session_interval_days"),
        Field("min_minutes", "int", ("每次最少分钟数", "Minimum minutes per session"), default="var:min_minutes"),
        Field("period_days", "int", ("指导期限（天）", "Period (days)"), default="var:guidance_period_days"),
        Field("goals", "textarea", ("指导目标", "Goals")),
        Field("course_hours", "int", ("家长学校学时（要求）", "Parent-school hours required"), required=False,
              help=("方案要求监护人参加家长学校课程的学时；不要求则留空。", "Hours of parent-school courses the plan "
                    "requires of the guardian(s); leave empty for none.")),
        Field("course_kinds", "multi", ("计入的课程类型", "Course kinds that count"), required=False,
              choices=COURSE_KINDS, help=("不选则各类课程均计入。", "None chosen: every kind counts.")),
        Field("course_guardian_ids", "guardians", ("须参加课程的监护人", "Guardians who must attend"), required=False,
              help=("须有手机号码或身份证号码，以便与家长学校签到记录对应。",
                    "They need a mobile or ID number on record to be matched to their sign-ins.")),
    ]),
    Task.REVIEW_INCIDENT: TaskForm(("新情况研判", "Weigh the new incident"), (
        "升级则本轮中止并以新的风险等级重新评估。", "An upgrade stops this round and starts a new one at the higher code."), [
        Field("decision", "choice", ("研判结果", "Decision"), choices={"upgrade": ("升级", "Upgrade"), "keep": ("维持", "Keep")}),
        Field("code", "choice", ("升级为", "New code"), required=False, choices=ref.CODE_NAMES),
        Field("reason", "textarea", ("理由", "Reasons")),
    ]),
    Task.SAFETY_CONTACT: TaskForm(("限时安全联系", "Timed safety contact"), (
        "红码个案须在时限内见到儿童、确认其安全；不安全时由公安紧急处置。",
        "A red case: see the child within the limit and confirm they are safe; if not, the police act at once."), [
        _date("contacted_on", "联系日期", "Date"),
        Field("method", "choice", ("方式", "How"), choices={"home_visit": ("入户见到儿童", "Saw the child at home"),
                                                              "school": ("在校见到儿童", "Saw the child at school"),
                                                              "with_police": ("会同公安入户", "Home visit with the police"),
                                                              "video": ("视频见到儿童", "Saw the child by video")}),
        Field("child_seen", "bool", ("见到儿童本人", "Saw the child"), required=False, default=True),
        Field("child_safe", "bool", ("儿童目前安全", "The child is safe now"), required=False),
        Field("findings", "textarea", ("情况", "Findings")),
        Field("immediate_actions", "textarea", ("已采取的措施", "Immediate actions"), required=False),
    ]),
    Task.EMERGENCY_PROTECTION: TaskForm(("紧急保护处置", "Emergency protection"), (
        "反家庭暴力法第十五条：公安机关接到报案应当及时出警，制止家庭暴力；未成年人处于危险状态的，通知民政临时庇护。",
        "Anti-Domestic Violence Law art. 15."), [
        _date("acted_on", "处置日期", "Date"),
        Field("actions", "multi", ("处置措施", "Actions"), choices={
            "attended": ("出警", "Attended"), "removed": ("带离危险环境", "Removed the child from danger"),
            "warned": ("当场告诫", "Warned on the spot"), "shelter": ("通知民政临时庇护", "Shelter by civil affairs"),
            "medical": ("送医", "Taken to hospital"), "case_filed": ("立案侦查", "Criminal case opened")}),
        Field("notes", "textarea", ("处置情况", "Notes")),
    ]),
    Task.DECIDE_OUTCOME: TaskForm(("决定本轮结果", "Decide the round's outcome"), (
        "降级（一次一级）与结案须符合复评建议并经督导审批；不符的申请将被拒绝并说明理由。",
        "A downgrade (one level) or closure must fit the re-assessment and needs approval; otherwise it is refused with the reason."), [
        Field("outcome", "choice", ("结果", "Outcome"), choices=ref.OUTCOMES, default="var:recommendation"),
        Field("reason", "textarea", ("理由", "Reasons")),
    ]),
    Task.APPROVE_DOWNGRADE: TaskForm(("审批降级", "Approve the downgrade"), APPROVAL_HELP, _decision_fields()),
    Task.APPROVE_CLOSURE: TaskForm(("审批结案", "Approve the closure"), APPROVAL_HELP, _decision_fields()),
    Task.APPROVE_ESCALATION: TaskForm(("审批提请多跨协同", "Approve the escalation"), APPROVAL_HELP, _decision_fields()),
    Task.JOINT_MEETING: TaskForm(("多部门联席会商", "Joint meeting"), (
        "公安、检察院、法院共同研究刚性措施；各项令仍由各机关依程序制发。",
        "Police, procuratorate and court decide rigid measures together; each agency then issues its own."), [
        _date("held_on", "会商日期", "Date held"),
        Field("attendees", "multi", ("参会机构", "Agencies present"), choices=ref.AGENCIES),
        Field("minutes", "textarea", ("会商纪要", "Minutes")),
        Field("rigid_supervision_order", "bool", ("检察院：刚性督促监护令", "Procuratorate: rigid order urging guardianship"), required=False),
        Field("rigid_guidance_order", "bool", ("法院：责令接受家庭教育指导", "Court: order to accept guidance"), required=False),
        Field("rigid_reprimand", "bool", ("训诫", "Reprimand"), required=False),
        Field("reprimand_issuer", "choice", ("训诫由", "Reprimand by"), required=False,
              choices={a: ref.AGENCIES[a][:2] for a in ref.MEASURES["reprimand"][2]}, default="police"),
        Field("rigid_protection_order", "bool", ("法院：人身安全保护令", "Court: protection order"), required=False),
        Field("temporary_guardianship", "bool", ("民政临时监护", "Temporary guardianship by civil affairs"), required=False,
              help=("未成年人保护法第九十二条。", "Minors Protection Law art. 92.")),
        Field("revocation_support", "bool", ("检察院支持起诉撤销监护资格", "Procuratorate supports a suit to revoke guardianship"),
              required=False, help=("未成年人保护法第一百零八条。", "Minors Protection Law art. 108.")),
    ]),
    Task.ARRANGE_TEMPORARY_GUARDIANSHIP: TaskForm(("民政临时监护", "Temporary guardianship by civil affairs"), (
        "未成年人保护法第九十二条。", "Minors Protection Law art. 92."), _placement_fields(False)),
    Task.SUPPORT_REVOCATION: TaskForm(("支持起诉", "Support the suit"), (
        "未成年人保护法第一百零八条；民法典第三十六条。", "Minors Protection Law art. 108; Civil Code art. 36."), [
        _date("filed_on", "起诉日期", "Date filed"), Field("court", "text", ("受诉法院", "Court")),
        Field("plaintiff", "text", ("原告", "Plaintiff"), help=("如民政部门或其他近亲属。", "e.g. civil affairs or a relative.")),
        _guardians("被申请撤销监护资格的监护人。", "The guardians whose qualification the suit asks to revoke."),
        Field("opinion", "textarea", ("支持起诉意见", "Opinion")),
        Field("delivery_method", "choice", ("递交方式", "How it was lodged"), choices=ref.DELIVERY_METHODS,
              default="in_person", help=("支持起诉意见书随起诉递交受诉法院。", "The opinion is lodged with the court with the suit.")),
    ]),
    Task.RECORD_REVOCATION_JUDGMENT: TaskForm(("撤销监护资格案件判决", "Judgment on revoking guardianship"), ("", ""), [
        Field("judgment", "choice", ("判决结果", "Judgment"), choices={"revoked": ("撤销监护资格", "Revoked"),
                                                                         "rejected": ("驳回", "Rejected")}),
        Field("case_number", "text", ("案号", "Case number")), _date("judged_on", "判决日期", "Date"),
        _guardians("被撤销监护资格的监护人。", "The guardians whose qualification was revoked."),
        Field("new_guardian", "choice", ("新的监护人", "New guardian"), required=False, choices={
            "long_term": ("民政部门长期监护", "Long-term guardianship by civil affairs"),
            "designated": ("法院指定的其他监护人", "Another guardian designated by the court")}),
        Field("designated_name", "text", ("指定监护人姓名", "Designated guardian"), required=False),
        Field("designated_relation", "text", ("与儿童关系", "Relation to the child"), required=False),
    ]),
    Task.ARRANGE_LONG_TERM_GUARDIANSHIP: TaskForm(("民政长期监护或委托照护", "Long-term guardianship or entrusted care"), (
        "未成年人保护法第九十四条。", "Minors Protection Law art. 94."), _placement_fields(False)),
}

# Every form by a key of its own (an order's draft: ``draft_order:<measure>``), e.g. for telling them apart by title.
ALL_FORMS = {**FORMS, **{f"{Task.DRAFT_ORDER}:{measure}": form for measure, form in DRAFT_FORMS.items()}}

# What a waiting step asks for: the record made when the thing happens (the case-level forms).
AWAITED = {Wait.VISIT: "records.visit", Wait.SESSION: "records.session"}


def form_for(spec: str, variables: dict) -> TaskForm | None:
    """The form of a task (an order's draft by the referral's measure)."""
    if spec == Task.DRAFT_ORDER:
        return DRAFT_FORMS.get((variables.get("referral") or {}).get("measure"))
    return FORMS.get(spec)


def read_submission(form_def: TaskForm, form) -> dict:
    """The submitted values, shaped as the engine's task handlers read them."""
    data = {}
    for f in form_def.fields:
        if f.kind == "scores":
            data.update({item: form.get(item, "") for item in ref.ASSESSMENT_ITEMS})
        elif f.kind == "bool":
            data[f.name] = form.get(f.name) == "on"
        elif f.kind in ("multi", "guardians"):
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
