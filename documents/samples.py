"""Realistic sample contexts for every document type (used by tests, previews and the benchmark).

All names and numbers are invented; the legal bases are the real ones engine/issuing/legal_basis.py cites.
``sample(doc_type)`` returns a fresh deep copy.
"""
import copy

# As engine/issuing/legal_basis.py gives them (this package imports nothing of the engine).
STATUTORY_DUTIES = [
    "树立家庭是第一个课堂、家长是第一任老师的责任意识，承担对未成年人实施家庭教育的主体责任"
    "（《中华人民共和国家庭教育促进法》第十四条）",
    "合理安排未成年人学习、休息、娱乐和体育锻炼的时间，预防未成年人沉迷网络"
    "（《中华人民共和国家庭教育促进法》第二十二条）",
    "不得实施家庭暴力，不得胁迫、引诱、教唆、纵容、利用未成年人从事违反法律法规和社会公德的活动"
    "（《中华人民共和国家庭教育促进法》第二十三条）",
]
DUTY_CONSEQUENCE = ("拒绝、怠于履行家庭教育责任的，公安机关、人民检察院、人民法院可以予以训诫，并可以责令接受家庭教育指导"
                    "（《中华人民共和国家庭教育促进法》第四十九条）。")
METHODS = ["直接送达", "宣告送达", "留置送达", "邮寄送达", "委托送达"]

PROCURATORATE = {"name": "重庆市江北区人民检察院", "short": "江北检未", "agency": "procuratorate", "self": "本院"}
COURT = {"name": "重庆市江北区人民法院", "short": "渝0105", "agency": "court", "self": "本院"}
POLICE = {"name": "重庆市公安局江北区分局", "short": "江北公", "agency": "police", "self": "本局"}
GUIDANCE_CENTRE = {"name": "重庆市江北区家庭教育指导中心", "short": "江北家指", "agency": "womens_federation",
                   "self": "本中心"}
WOMENS_FEDERATION = {"name": "重庆市江北区妇女联合会", "short": "江北妇", "agency": "womens_federation", "self": "本会"}

CHILD = {
    "name": "陈小明",
    "sex": "男",
    "birth_date": "2014年4月12日",
    "id_number": "500105201404120031",
    "school": "重庆市江北区观音桥小学六年级",
    "address": "重庆市江北区观音桥街道建新北路88号2单元5-3",
}

GUARDIANS = [
    {"name": "陈某", "relation": "父亲", "id_number": "500105198503150057",
     "address": "重庆市江北区观音桥街道建新北路88号2单元5-3", "is_guardian": True},
    {"name": "李某", "relation": "母亲", "id_number": "500221198707220028",
     "address": "广东省东莞市长安镇乌沙社区", "is_guardian": True},
    {"name": "陈某某", "relation": "祖母", "id_number": "500105195809010046",
     "address": "重庆市江北区观音桥街道建新北路88号2单元5-3", "is_guardian": False},
]

LAW_MINORS_118_2 = "《中华人民共和国未成年人保护法》第一百一十八条第二款"
LAW_FAMILY_49 = "《中华人民共和国家庭教育促进法》第四十九条"
LAW_FAMILY = "《中华人民共和国家庭教育促进法》"
COURT_OPINION = "最高人民法院、全国妇联《关于开展家庭教育指导工作的意见》（法发〔2023〕7号）"
PROCURATORATE_OPINION = ("最高人民检察院、全国妇联、中国关心下一代工作委员会"
                         "《关于在办理涉未成年人案件中全面开展家庭教育指导工作的意见》")
JIANGBEI_PLAN = "《关于指导推进重庆市江北区家庭教育五年规划（2021-2025年）》第二部分第21项"

BASE = {
    "issuer": PROCURATORATE,
    "number": "江北检未督〔2026〕3号",
    "issued_on": "2026年6月27日",
    "legal_basis": ["《中华人民共和国未成年人保护法》第十六条、第一百一十八条", LAW_FAMILY_49, PROCURATORATE_OPINION],
    "case_no": "JB-2026-00412",
    "child": CHILD,
    "guardians": GUARDIANS,
    "recipient": "陈某、李某",
    "recipients": ["陈某", "李某"],
    "you": "你们",
    "judicial_case": {"number": "", "cause": "陈小明盗窃", "stage": "附条件不起诉"},
    "verification": {"code": "7KQ2-M9XD", "url": "https://verify.example/verify/7KQ2-M9XD"},
}

FAILINGS = (
    "一、长期疏于照护和管教。2025年9月以来，陈某以工作繁忙为由，经常深夜回家，李某在外地务工，"
    "二人均未与未成年人陈小明进行有效沟通，对其日常生活、学习情况不闻不问，"
    "陈小明多次夜不归宿、旷课，监护人均未及时发现和制止。\n"
    "二、放任未成年人沉迷网络。陈小明每日使用手机玩网络游戏至凌晨，并多次偷拿家中钱款用于游戏充值，"
    "监护人发现后仅予以打骂，未采取合理的引导和管控措施。\n"
    "三、教育方式不当。陈某在陈小明犯错后多次采取殴打、罚跪等方式进行惩戒，"
    "导致陈小明产生逆反、恐惧心理，亲子关系紧张，陈小明于2026年5月离家出走两日。"
)

DUTIES = (
    "1. 自收到本令之日起，每日保证不少于一小时的亲子陪伴时间，了解陈小明的学习、生活和交友情况；\n"
    "2. 督促陈小明按时到校上学，不得放任其夜不归宿、旷课、逃学；\n"
    "3. 采取有效措施预防和干预陈小明沉迷网络，妥善保管家中财物，限制网络游戏时长和消费；\n"
    "4. 改进教育方式，不得对陈小明实施殴打、罚跪等家庭暴力行为；\n"
    "5. 李某应当每周至少两次通过电话或视频与陈小明、被委托人陈某某联系；\n"
    "6. 按照要求参加家庭教育指导机构组织的家庭教育指导，并配合开展跟踪回访。"
)

SIGNERS = {"approved_by": "刘洋", "drafted_by": "张磊"}

FIELDS = {
    "supervision_order": {
        "failings": FAILINGS,
        "duties": DUTIES,
        "deadline": "2026年7月27日",
        "rigid": True,
        "report_interval_days": 30,
        **SIGNERS,
    },
    "guidance_order": {
        "failings": FAILINGS,
        "duties": "认真学习家庭教育知识，改进家庭教育方式方法；\n"
                  "每周至少安排三次与陈小明的共同活动，并如实记录；\n"
                  "配合指导机构开展家庭访谈和效果评估。",
        "provider": "重庆市江北区家庭教育指导中心",
        "content": "亲子沟通与青春期教育、网络使用管理、非暴力管教方法、监护职责与法治教育。",
        "period_days": 60,
        "sessions": 4,
        "session_interval_days": 15,
        "report_interval_days": 30,
        "deadline": "2026年7月10日",
        "rigid": False,
        "judge": "赵敏",
        "clerk": "孙丽",
        "objection_days": 5,
        **SIGNERS,
    },
    "reprimand": {
        "failings": "2026年5月12日至14日，陈某在陈小明离家出走后未及时报警和寻找，"
                    "经学校告知后仍未采取任何措施，致使陈小明在网吧滞留两日。\n"
                    "陈某多次对陈小明实施殴打、罚跪等体罚，造成陈小明身体多处软组织挫伤。",
        "reprimanded_on": "2026年6月20日",
        "reprimand_by": "吴强",
        "recorder": "郑华",
        **SIGNERS,
    },
    "duty_notice": {"content": "", "notified_on": "2026年6月15日",
                    "statutory_duties": STATUTORY_DUTIES, "consequence": DUTY_CONSEQUENCE},
    "warning_letter": {
        "failings": "2026年5月13日晚，陈某因陈小明沉迷网络游戏，在家中用皮带抽打陈小明背部、腿部，"
                    "致其多处软组织挫伤，经邻居报警后民警到场制止。",
        "duties": "不得以殴打、罚跪、冻饿等方式体罚陈小明；\n不得威胁、恐吓、辱骂陈小明。",
        **SIGNERS,
    },
    "protection_order": {
        "applicant": "重庆市江北区妇女联合会（代未成年人陈小明申请）",
        "failings": "被申请人陈某自2025年9月以来多次以殴打、罚跪等方式体罚未成年人陈小明，"
                    "2026年5月13日用皮带抽打陈小明致多处软组织挫伤，公安机关已出具告诫书，"
                    "陈小明仍面临家庭暴力的现实危险。",
        "duties": "禁止被申请人陈某骚扰、跟踪、接触陈小明及其祖母陈某某；\n"
                  "责令被申请人陈某迁出陈小明现住所（重庆市江北区观音桥街道建新北路88号2单元5-3）。",
        "period_days": 180,
        "judge": "赵敏",
        "clerk": "孙丽",
        "objection_days": 5,
        **SIGNERS,
    },
    "objection_decision": {
        "served_number": "（2026）渝0105家教指3号",
        "served_on": "2026年6月27日",
        "objected_on": "2026年6月30日",
        "reasons": "复议申请人认为其工作繁忙，无法按时参加家庭教育指导，请求撤销家庭教育指导令。",
        "findings": "复议申请人作为监护人，长期疏于照护、教育方式不当，致使未成年人陈小明旷课、离家出走，"
                    "原决定认定事实清楚，适用法律正确。工作繁忙不能成为不履行家庭教育责任的理由，"
                    "指导机构可以根据其时间安排调整指导时间。",
        "upheld": True,
        "judge": "赵敏",
        "clerk": "孙丽",
        **SIGNERS,
    },
    "revocation_support": {
        "court": "重庆市江北区人民法院",
        "plaintiff": "重庆市江北区民政局",
        "failings": "被告陈某长期对陈小明实施殴打、罚跪等家庭暴力，经公安机关告诫、人民法院作出人身安全保护令后"
                    "仍多次违反，致陈小明身心健康受到严重损害；经督促监护和家庭教育指导，被告拒不改正。",
        "claims": "撤销被告陈某对陈小明的监护人资格；\n指定陈小明的祖母陈某某为监护人；\n"
                  "被告陈某依法继续负担陈小明的抚养费用。",
        **SIGNERS,
    },
    "guidance_plan": {
        "provider": "重庆市江北区家庭教育指导中心",
        "sessions_required": 6,
        "min_minutes": 40,
        "period_days": 180,
        "goals": "监护人树立正确的家庭教育理念，掌握与青春期子女沟通的方法；\n"
                 "建立规律的家庭作息和网络使用规则，陈小明每日游戏时长不超过一小时；\n"
                 "停止体罚，亲子关系明显改善，陈小明无离家出走、旷课行为。",
        "session_kinds": ["个案指导", "家长课堂", "心理咨询", "普法教育"],
    },
    "assessment_report": {
        "items": [
            {"label": "儿童成长：日常生活照料", "score": 2},
            {"label": "儿童成长：身心健康", "score": 1},
            {"label": "儿童成长：学业与在校表现", "score": 1},
            {"label": "监护能力：监护意愿", "score": 2},
            {"label": "监护能力：家庭教育能力", "score": 1},
            {"label": "监护能力：家庭关系", "score": 1},
            {"label": "监护保障：经济来源", "score": 3},
            {"label": "监护保障：安全防护", "score": 1},
        ],
        "total_score": 12,
        "risk_factors": ["体罚及家庭暴力", "父母一方长期在外务工（留守）", "沉迷网络、旷课", "离家出走"],
        "code": "橙码",
        "summary": "监护人监护意愿尚可但方法严重失当，未成年人存在旷课、离家出走等不良行为，"
                   "监护状况评定为监护失当，建议制发督促监护令并开展家庭教育指导，每两周回访一次。",
        "assessed_on": "2026年6月10日",
        "assessor": "张某（江北区妇联）、王某（江北区人民检察院）",
    },
    "followup_record": {
        "visits": [
            {"date": "2026年7月10日", "method": "入户走访", "findings": "陈某已调整工作时间，每晚陪伴陈小明完成作业。",
             "orders_complied": "是"},
            {"date": "2026年7月24日", "method": "电话回访", "findings": "李某每周与陈小明视频两次，学校反映出勤正常。",
             "orders_complied": "是"},
            {"date": "2026年8月7日", "method": "学校走访", "findings": "暑期托管班出勤正常，未再发现沉迷网络情况。",
             "orders_complied": "是"},
        ],
        "code": "黄码",
    },
    "closure_report": {
        "rounds": [
            {"number": 1, "code": "橙码", "outcome": "制发督促监护令，开展家庭教育指导6次，降为黄码"},
            {"number": 2, "code": "黄码", "outcome": "持续指导与回访，家庭稳定，降为蓝码"},
        ],
        "code_history": [
            {"date": "2026年6月10日", "code": "橙码", "kind": "首次赋码", "reason": "体罚、离家出走，监护失当"},
            {"date": "2026年9月15日", "code": "黄码", "kind": "降级", "reason": "令状履行良好，指导达标"},
            {"date": "2026年12月20日", "code": "蓝码", "kind": "降级", "reason": "连续三个月无新情况"},
        ],
        "sessions": 9,
        "minutes": 430,
        "visits": 11,
        "documents": [
            {"title": "督促监护令", "number": "江北检未督〔2026〕3号"},
            {"title": "家庭教育责任告知书", "number": "（2026）渝0105家告21号"},
            {"title": "家庭教育指导令", "number": "（2026）渝0105家教指3号"},
        ],
        "approval": {"by": "刘某（督导）", "on": "2027年1月8日", "reason": "四步工作法各环节证据齐全，同意结案。"},
        "summary": "经两轮干预，监护人家庭教育方式明显改善，陈小明学习生活恢复正常，家庭稳定，风险已降为蓝码。",
    },
    "delivery_receipt": {
        "filled": True, "recipient": "陈某", "served_title": "督促监护令", "served_number": "江北检未督〔2026〕3号",
        "copies": 1, "judicial_case_number": "", "address": "重庆市江北区观音桥街道建新北路88号2单元5-3",
        "method": "直接送达", "methods": METHODS, "delivered_on": "2026年6月28日", "signed": True,
        "proxy": None, "refusal": None, "server": "王某、赵某", "filled_by": "张磊", "note": "",
    },
    "course_certificate": {"name": "陈某"},
}

COURT_CASE = {"number": "（2026）渝0105民初1234号", "cause": "陈某与李某离婚纠纷", "stage": "审判"}

OVERRIDES = {
    "guidance_order": {"issuer": COURT, "number": "（2026）渝0105家教指3号", "judicial_case": COURT_CASE,
                       "legal_basis": [LAW_FAMILY_49, LAW_MINORS_118_2, COURT_OPINION]},
    "reprimand": {"issuer": POLICE, "number": "江北公训〔2026〕15号", "recipient": "陈某", "recipients": ["陈某"],
                  "you": "你", "judicial_case": None, "legal_basis": [LAW_MINORS_118_2, LAW_FAMILY_49]},
    "duty_notice": {"issuer": COURT, "number": "（2026）渝0105家告21号", "judicial_case": COURT_CASE,
                    "legal_basis": ["《中华人民共和国家庭教育促进法》第十四条至第二十三条", COURT_OPINION]},
    "warning_letter": {"issuer": POLICE, "number": "江北公家暴告〔2026〕2号", "recipient": "陈某",
                       "recipients": ["陈某"], "you": "你", "judicial_case": None,
                       "legal_basis": ["《中华人民共和国反家庭暴力法》第十六条、第十七条"]},
    "protection_order": {"issuer": COURT, "number": "（2026）渝0105民保令2号", "recipient": "陈某",
                         "recipients": ["陈某"], "you": "你", "judicial_case": None,
                         "legal_basis": ["《中华人民共和国反家庭暴力法》第二十三条、第二十六条至第二十九条",
                                         "《中华人民共和国未成年人保护法》第一百零八条"]},
    "objection_decision": {"issuer": COURT, "number": "（2026）渝0105家教指复1号", "judicial_case": COURT_CASE,
                           "legal_basis": [LAW_FAMILY_49, COURT_OPINION]},
    "revocation_support": {"number": "江北检未支诉〔2026〕1号", "recipient": "陈某", "recipients": ["陈某"], "you": "你",
                           "legal_basis": ["《中华人民共和国未成年人保护法》第一百零六条、第一百零八条",
                                           "《中华人民共和国民法典》第三十六条"]},
    "guidance_plan": {"issuer": GUIDANCE_CENTRE, "number": None, "legal_basis": [LAW_FAMILY, JIANGBEI_PLAN]},
    "assessment_report": {"issuer": WOMENS_FEDERATION, "number": None,
                          "recipient": "重庆市江北区人民检察院、重庆市江北区人民法院",
                          "legal_basis": [PROCURATORATE_OPINION, JIANGBEI_PLAN]},
    "followup_record": {"issuer": WOMENS_FEDERATION, "number": None, "issued_on": "2026年8月7日",
                        "legal_basis": [JIANGBEI_PLAN]},
    "closure_report": {"issuer": WOMENS_FEDERATION, "number": None, "issued_on": "2027年1月8日",
                       "recipient": "重庆市江北区人民检察院", "legal_basis": [JIANGBEI_PLAN]},
    "delivery_receipt": {"number": None, "recipient": "陈某", "recipients": ["陈某"], "you": "你",
                         "issued_on": "2026年6月28日", "legal_basis": []},
    "course_certificate": {"issuer": WOMENS_FEDERATION, "number": "JB家校结字〔2025〕00001号", "name": "陈某",
                           "recipient": "陈某", "recipients": ["陈某"], "year_label": "2025—2026学年", "hours": "4.5",
                           "required_hours": "4", "kinds": [{"kind": "基础课", "hours": "4"}, {"kind": "通识课", "hours": "0.5"}],
                           "issued_on": "2026年5月21日", "legal_basis": []},
}

TITLES = {"supervision_order": "督促监护令"}


def sample(doc_type: str) -> dict:
    """A complete context for doc_type (a fresh copy: callers may mutate it)."""
    context = copy.deepcopy(BASE)
    context.update(copy.deepcopy(OVERRIDES.get(doc_type, {})))
    context["fields"] = copy.deepcopy(FIELDS[doc_type])
    context["title"] = TITLES.get(doc_type)
    return context


def blank_receipt() -> dict:
    """The receipt as printed before delivery, for hand filling."""
    context = sample("delivery_receipt")
    context["fields"].update(filled=False, method="", delivered_on="", signed=False, server="", filled_by="")
    return context


def refused_receipt() -> dict:
    """The record of a delivery the recipient refused to sign: left at the address before a witness."""
    context = sample("delivery_receipt")
    context["fields"].update(method="留置送达", signed=False, note="受送达人在场，拒绝签收。",
                             refusal={"reason": "认为督促监护令内容不实", "witness": "何平（社区网格员）"})
    return context


def samples() -> dict[str, dict]:
    return {key: sample(key) for key in FIELDS}
