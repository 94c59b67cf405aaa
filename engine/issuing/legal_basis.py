"""The legal bases documents cite (法律依据): one table of real sources with their full titles and articles.

Every citation printed in a document comes from here. Each article was checked against the statute's
text; where an article could not be checked, the source is cited without one rather than with a guess.
The number of the 2021 opinion of the Supreme People's Procuratorate, the All-China Women's Federation
and the China Care for the Next Generation Working Committee could not be confirmed, so it is cited by
its issuers and title alone.
"""
from dataclasses import dataclass

# Full titles (全称), by key.
SOURCES = {
    "minors": "《中华人民共和国未成年人保护法》",
    "family_education": "《中华人民共和国家庭教育促进法》",
    "domestic_violence": "《中华人民共和国反家庭暴力法》",
    "crime_prevention": "《中华人民共和国预防未成年人犯罪法》",
    "civil_code": "《中华人民共和国民法典》",
    # 最高人民法院、全国妇联, 2023年5月29日
    "court_guidance_opinion": "最高人民法院、全国妇联《关于开展家庭教育指导工作的意见》（法发〔2023〕7号）",
    # 最高人民检察院、全国妇联、中国关工委, 2021年5月
    "procuratorate_guidance_opinion": ("最高人民检察院、全国妇联、中国关心下一代工作委员会"
                                       "《关于在办理涉未成年人案件中全面开展家庭教育指导工作的意见》"),
    # seed 000: 江北区妇联等十一个部门; item 21 = 建立健全涉未成年人案件特别指导机制 (四步工作法)
    "jiangbei_plan": "《关于指导推进重庆市江北区家庭教育五年规划（2021-2025年）》",
    # seed 001: 渝高新妇发〔2025〕3号, 重庆高新区妇联等七部门
    "gaoxin_plan": "《西部科学城重庆高新区深化家庭教育三年行动方案（2025—2027年）》",
}


@dataclass(frozen=True)
class Basis:
    source: str          # key of SOURCES
    part: str = ""       # 第一百一十八条第二款, 第二部分第21项; "" cites the source as a whole

    @property
    def text(self) -> str:
        return SOURCES[self.source] + self.part


def cite(source: str, part: str = "") -> Basis:
    if source not in SOURCES:
        raise KeyError(source)
    return Basis(source, part)


MINORS_16 = cite("minors", "第十六条")               # the guardian's duties (监护职责)
MINORS_106 = cite("minors", "第一百零六条")          # the procuratorate supports a suit (支持起诉)
MINORS_108 = cite("minors", "第一百零八条")          # revoking guardianship, protection orders
MINORS_118 = cite("minors", "第一百一十八条")        # 训诫, 责令接受家庭教育指导
MINORS_118_2 = cite("minors", "第一百一十八条第二款")
FAMILY_49 = cite("family_education", "第四十九条")   # 公检法 在办理案件过程中 训诫 / 责令接受家庭教育指导
FAMILY_DUTIES = cite("family_education", "第十四条至第二十三条")   # 第二章 家庭责任
FAMILY = cite("family_education")
CRIME_PREVENTION_61 = cite("crime_prevention", "第六十一条")   # 严重不良行为: 训诫, 责令接受指导
DV_16 = cite("domestic_violence", "第十六条")        # 告诫书
DV_17 = cite("domestic_violence", "第十七条")        # serving the 告诫书, 查访
DV_PROTECTION = cite("domestic_violence", "第二十三条、第二十六条至第二十九条")   # 人身安全保护令
CIVIL_36 = cite("civil_code", "第三十六条")          # 撤销监护人资格
COURT_OPINION = cite("court_guidance_opinion")
PROCURATORATE_OPINION = cite("procuratorate_guidance_opinion")
LOCAL_PLANS = {
    "JB": cite("jiangbei_plan", "第二部分第21项"),
    "GX": cite("gaoxin_plan"),
}

# Cases that arise from criminal proceedings: the 2021 procuratorate opinion makes the assessment
# mandatory there (不起诉/附条件不起诉, 追究刑事责任或未达刑事责任年龄, 遭受监护人侵害, 其他).
CRIMINAL_CASE_TYPES = ("minor_suspect", "minor_victim")
CRIMINAL_STAGES = ("not_arrested", "not_prosecuted", "conditional_non_prosecution", "prosecution", "trial")

BY_TYPE = {
    "supervision_order": (MINORS_16, MINORS_118, FAMILY_49, PROCURATORATE_OPINION),
    "guidance_order": (FAMILY_49, MINORS_118_2, COURT_OPINION),
    "reprimand": (MINORS_118_2, FAMILY_49),
    "duty_notice": (FAMILY_DUTIES, COURT_OPINION),
    "guidance_plan": (FAMILY,),
    "assessment_report": (),
    "followup_record": (),
    "closure_report": (),
    "delivery_receipt": (),
    "warning_letter": (DV_16, DV_17),
    "protection_order": (DV_PROTECTION, MINORS_108),
    "objection_decision": (FAMILY_49, COURT_OPINION),
    "revocation_support": (MINORS_106, MINORS_108, CIVIL_36),
}


def bases_for(doc_type: str, *, district: str = "", case_type: str = "", stage: str = "",
              agency: str = "") -> list[str]:
    """The citations of one document, as printed ("《…》第…条"), in order, without duplicates."""
    bases = list(BY_TYPE.get(doc_type, ()))
    criminal = case_type in CRIMINAL_CASE_TYPES or stage in CRIMINAL_STAGES
    if doc_type == "reprimand" and case_type == "minor_suspect":
        bases.append(CRIME_PREVENTION_61)
    if doc_type == "assessment_report":
        bases.append(PROCURATORATE_OPINION if criminal else FAMILY)
    if doc_type in ("guidance_plan", "assessment_report", "followup_record", "closure_report"):
        local = LOCAL_PLANS.get(district)
        if local is not None:
            bases.append(local)
    if doc_type == "duty_notice" and agency != "court":
        bases.remove(COURT_OPINION)      # the 2023 opinion binds courts; others cite the statute alone
    return merged(bases)


def merged(bases) -> list[str]:
    """One citation per source, its articles joined: 《…保护法》第十六条、第一百一十八条."""
    parts: dict[str, list[str]] = {}
    for basis in bases:
        listed = parts.setdefault(basis.source, [])
        if basis.part not in listed:
            listed.append(basis.part)
    return [SOURCES[source] + "、".join(p for p in listed if p) for source, listed in parts.items()]


# The guardian's duties of family education (家庭教育促进法 第二章 家庭责任), for the duty notice
# (家庭教育责任告知书): (article, what it requires of the parents or other guardians).
FAMILY_EDUCATION_DUTIES = (
    ("第十四条", "树立家庭是第一个课堂、家长是第一任老师的责任意识，承担对未成年人实施家庭教育的主体责任，"
                "用正确思想、方法和行为教育未成年人养成良好思想、品行和习惯。"),
    ("第十五条", "注重家庭建设，培育积极健康的家庭文化，树立和传承优良家风，共同构建文明、和睦的家庭关系，"
                "为未成年人健康成长营造良好的家庭环境。"),
    ("第十六条", "针对不同年龄段未成年人的身心发展特点，教育其爱党、爱国、崇德向善、遵纪守法，"
                "帮助其树立正确的成才观和劳动观念，保证其营养均衡、科学运动、睡眠充足、身心愉悦，"
                "关注其心理健康并对其进行安全知识教育。"),
    ("第十七条", "关注未成年人的生理、心理、智力发展状况，尊重其参与相关家庭事务和发表意见的权利，"
                "合理运用亲自养育、共同参与、相机而教、潜移默化、严慈相济、尊重差异、平等交流、相互促进等方式方法。"),
    ("第十八条", "树立正确的家庭教育理念，自觉学习家庭教育知识，掌握科学的家庭教育方法，提高家庭教育的能力。"),
    ("第二十条", "父母分居或者离异的，应当相互配合履行家庭教育责任，任何一方不得拒绝或者怠于履行。"),
    ("第二十一条", "依法委托他人代为照护未成年人的，应当与被委托人、未成年人保持联系，定期了解未成年人学习、"
                  "生活情况和心理状况，与被委托人共同履行家庭教育责任。"),
    ("第二十二条", "合理安排未成年人学习、休息、娱乐和体育锻炼的时间，避免加重未成年人学习负担，"
                  "预防未成年人沉迷网络。"),
    ("第二十三条", "不得因性别、身体状况、智力等歧视未成年人，不得实施家庭暴力，不得胁迫、引诱、教唆、纵容、"
                  "利用未成年人从事违反法律法规和社会公德的活动。"),
)
# What follows a refusal (家庭教育促进法 第四十八条、第四十九条), printed after the duties.
FAMILY_EDUCATION_CONSEQUENCE = (
    "拒绝、怠于履行家庭教育责任，或者不正确实施家庭教育侵害未成年人合法权益的，有关单位可以予以批评教育、"
    "劝诫制止；公安机关、人民检察院、人民法院在办理案件过程中，可以根据情况予以训诫，并可以责令接受家庭教育指导"
    "（《中华人民共和国家庭教育促进法》第四十八条、第四十九条）。"
)


def family_education_duties() -> list[str]:
    """The duty notice's numbered duties, each with the article it comes from."""
    law = SOURCES["family_education"]
    return [f"{text}（{law}{article}）" for article, text in FAMILY_EDUCATION_DUTIES]
