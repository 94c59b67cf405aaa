"""Realistic sample contexts for every document type (used by tests, previews and the benchmark).

All names and numbers are invented. ``sample(doc_type)`` returns a fresh deep copy.
"""
import copy

PROCURATORATE = {"name": "重庆市江北区人民检察院", "short": "江北检"}
COURT = {"name": "重庆市江北区人民法院", "short": "江北法"}
POLICE = {"name": "重庆市公安局江北区分局", "short": "江北公"}
GUIDANCE_CENTRE = {"name": "重庆市江北区家庭教育指导中心", "short": "江北家指"}
WOMENS_FEDERATION = {"name": "重庆市江北区妇女联合会", "short": "江北妇"}

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

LAW_MINORS_118 = "《中华人民共和国未成年人保护法》第一百一十八条"
LAW_FAMILY_49 = "《中华人民共和国家庭教育促进法》第四十九条"

BASE = {
    "issuer": PROCURATORATE,
    "number": "江北检未〔2026〕3号",
    "issued_on": "2026年6月27日",
    "legal_basis": [LAW_MINORS_118, LAW_FAMILY_49],
    "case_no": "江北区2026-0412号",
    "child": CHILD,
    "guardians": GUARDIANS,
    "recipient": "陈某、李某",
    "verification": {"code": "7KQ2-M9XD", "url": "https://verify.example/verify/7KQ2-M9XD"},
    "seal_text": PROCURATORATE["name"],
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

FIELDS = {
    "supervision_order": {
        "failings": FAILINGS,
        "duties": DUTIES,
        "deadline": "2026年7月27日",
        "consequences": "",
        "supervision_note": "",
        "rigid": True,
    },
    "guidance_order": {
        "decision_form": False,
        "failings": FAILINGS,
        "duties": "认真学习家庭教育知识，改进家庭教育方式方法；\n"
                  "每周至少安排三次与陈小明的共同活动，并如实记录；\n"
                  "配合指导机构开展家庭访谈和效果评估。",
        "provider": "重庆市江北区家庭教育指导中心",
        "sessions": "每月不少于一次，每次不少于四十分钟",
        "period": "六个月",
        "report_duty": "",
        "deadline": "2026年7月10日",
        "rigid": False,
    },
    "reprimand": {
        "failings": "2026年5月12日至14日，陈某在陈小明离家出走后未及时报警和寻找，"
                    "经学校告知后仍未采取任何措施，致使陈小明在网吧滞留两日。\n"
                    "陈某多次对陈小明实施殴打、罚跪等体罚，造成陈小明身体多处软组织挫伤。",
        "reprimanded_on": "2026年6月20日",
    },
    "duty_notice": {"content": "", "notified_on": "2026年6月15日"},
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
            {"title": "评估报告", "number": "江北妇评〔2026〕12号"},
            {"title": "督促监护令", "number": "江北检未〔2026〕3号"},
            {"title": "送达回证", "number": "江北检未送〔2026〕3号"},
            {"title": "家庭教育指导方案", "number": "江北家指〔2026〕7号"},
        ],
        "approval": {"by": "刘某（督导）", "on": "2027年1月8日", "reason": "四步工作法各环节证据齐全，同意结案。"},
        "summary": "经两轮干预，监护人家庭教育方式明显改善，陈小明学习生活恢复正常，家庭稳定，风险已降为蓝码。",
    },
    "delivery_receipt": {
        "served_title": "督促监护令",
        "served_number": "江北检未〔2026〕3号",
        "recipient": "陈某",
        "method": "宣告送达",
        "delivered_on": "2026年6月28日",
        "signed": True,
        "deliverer": "王某、赵某",
        "place": "重庆市江北区人民检察院未成年人检察工作室",
    },
}

OVERRIDES = {
    "guidance_order": {"issuer": COURT, "number": "（2026）渝0105民初1234号之一", "seal_text": COURT["name"],
                       "legal_basis": [LAW_FAMILY_49, "《关于在办理涉未成年人案件中全面开展家庭教育指导工作的意见》（法发〔2023〕7号）"]},
    "reprimand": {"issuer": POLICE, "number": "江北公训字〔2026〕15号", "seal_text": POLICE["name"],
                  "recipient": "陈某",
                  "legal_basis": ["《中华人民共和国未成年人保护法》第一百一十八条第二款", LAW_FAMILY_49]},
    "duty_notice": {"issuer": COURT, "number": "江北法家告〔2026〕21号", "seal_text": COURT["name"],
                    "legal_basis": ["《中华人民共和国家庭教育促进法》第十四条至第二十三条",
                                    "《关于在办理涉未成年人案件中全面开展家庭教育指导工作的意见》（法发〔2023〕7号）"]},
    "guidance_plan": {"issuer": GUIDANCE_CENTRE, "number": "江北家指〔2026〕7号", "seal_text": GUIDANCE_CENTRE["name"],
                      "legal_basis": ["《江北区家庭教育指导工作方案》第二十一项", LAW_FAMILY_49]},
    "assessment_report": {"issuer": WOMENS_FEDERATION, "number": "江北妇评〔2026〕12号",
                          "seal_text": WOMENS_FEDERATION["name"], "recipient": "重庆市江北区人民检察院",
                          "legal_basis": ["最高人民检察院高检发〔2021〕7号文件", LAW_MINORS_118]},
    "followup_record": {"issuer": WOMENS_FEDERATION, "number": "江北妇访〔2026〕33号",
                        "seal_text": WOMENS_FEDERATION["name"], "issued_on": "2026年8月7日",
                        "legal_basis": ["《江北区家庭教育指导工作方案》第二十一项", LAW_MINORS_118]},
    "closure_report": {"issuer": WOMENS_FEDERATION, "number": "江北妇结〔2027〕2号", "issued_on": "2027年1月8日",
                       "seal_text": WOMENS_FEDERATION["name"], "recipient": "重庆市江北区人民检察院",
                       "legal_basis": [LAW_MINORS_118, LAW_FAMILY_49]},
    "delivery_receipt": {"number": "江北检未送〔2026〕3号", "recipient": "陈某", "issued_on": "2026年6月28日",
                         "legal_basis": [LAW_MINORS_118, LAW_FAMILY_49]},
}

TITLES = {"supervision_order": "督促监护令"}


def sample(doc_type: str) -> dict:
    """A complete context for doc_type (a fresh copy: callers may mutate it)."""
    context = copy.deepcopy(BASE)
    context.update(copy.deepcopy(OVERRIDES.get(doc_type, {})))
    context["fields"] = copy.deepcopy(FIELDS[doc_type])
    context["title"] = TITLES.get(doc_type)
    return context


def samples() -> dict[str, dict]:
    return {key: sample(key) for key in FIELDS}
