"""Reference data of the domain (DOMAIN.md): agencies, roles, districts, codes and vocabularies.

Policy that may change (thresholds, cadences) is not here: it lives in the DMN tables and settings.
"""

AGENCIES = {
    # code: (Chinese name, English name, default document prefix 机关代字)
    "womens_federation": ("妇联", "Women's federation", "妇指"),
    "procuratorate": ("人民检察院", "Procuratorate", "检未"),
    "court": ("人民法院", "Court", "法家"),
    "police": ("公安机关", "Police", "公训"),
    "education": ("教委/学校", "Education / schools", "教"),
    "civil_affairs": ("民政", "Civil affairs", "民"),
    "community": ("镇街/村社", "Town/street and community", "社"),
}

ROLES = {
    "caseworker": ("办案人员", "Caseworker"),
    "prosecutor": ("检察官", "Prosecutor"),
    "judge": ("法官", "Judge"),
    "counsellor": ("家庭教育指导师", "Guidance counsellor"),
    "supervisor": ("督导", "Supervisor"),
    "leader": ("领导", "Leader"),
    "admin": ("系统管理员", "Administrator"),
}
# Who works on no case (sees no child's data, completes no task): accounts are managed by administrators,
# leaders read the cockpit's aggregate figures only.
NO_CASEWORK_ROLES = ("admin", "leader")
# Who reads the cockpit (数字驾驶舱), who may read other districts' and the whole municipality's figures,
# and who may export the case ledger (台账, per-case rows).
COCKPIT_ROLES = ("supervisor", "leader")
MUNICIPAL_ROLES = ("leader",)
LEDGER_ROLES = ("supervisor",)

# Districts named in the seed documents (code, Chinese, English).
DISTRICTS = [
    ("JB", "江北区", "Jiangbei"), ("YZ", "渝中区", "Yuzhong"), ("GX", "高新区", "Gaoxin (Hi-tech Zone)"),
    ("SPB", "沙坪坝区", "Shapingba"), ("WZ", "万州区", "Wanzhou"), ("DDK", "大渡口区", "Dadukou"),
    ("YB", "渝北区", "Yubei"), ("BN", "巴南区", "Banan"), ("JJ", "江津区", "Jiangjin"),
    ("NC", "南川区", "Nanchuan"), ("DZ", "大足区", "Dazu"), ("BS", "璧山区", "Bishan"),
    ("TL", "铜梁区", "Tongliang"), ("LP", "梁平区", "Liangping"), ("WL", "武隆区", "Wulong"),
    ("CK", "城口县", "Chengkou"), ("FD", "丰都县", "Fengdu"), ("YY", "云阳县", "Yunyang"),
    ("XS", "秀山县", "Xiushan"),
]

# The 20 family-education practice bases named in seed 002 (district code, name).
PRACTICE_BASES = [
    ("WZ", "万州区沙河小学"), ("YZ", "渝中区中华路小学校"), ("DDK", "大渡口幼儿园"),
    ("JB", "江北区妇女儿童活动中心"), ("SPB", "沙坪坝区覃家岗街道凤天路社区儿童之家"),
    ("SPB", "重庆外国语学校森林小学"), ("YB", "渝北区空港新城小学校"), ("BN", "巴南区花溪街道红光社区"),
    ("JJ", "江津区妇女儿童活动中心"), ("NC", "南川区东城街道灌坝社区家长学校"), ("DZ", "大足区龙岗幼儿园"),
    ("BS", "璧山区七塘镇喜观村"), ("TL", "铜梁区巴川初级中学校"), ("LP", "梁平区西苑小学"),
    ("WL", "武隆区实验中学"), ("CK", "城口县河鱼乡河鱼社区妇女儿童之家"), ("FD", "丰都县妇女儿童活动中心"),
    ("YY", "云阳县妇女儿童中心"), ("XS", "秀山土家族苗族自治县图书馆"), ("SPB", "沙坪坝区康居西城小学校"),
]

STEPS = {"assess": ("评估", "Assess"), "handle": ("处置", "Handle"), "guide": ("指导", "Guide"),
         "follow_up": ("回访", "Follow up"), "review": ("复评与结果", "Review")}

CODES = ("blue", "yellow", "orange", "red")            # lowest to highest
CODE_NAMES = {"red": ("红码", "Red"), "orange": ("橙码", "Orange"), "yellow": ("黄码", "Yellow"),
              "blue": ("蓝码", "Blue")}

CASE_TYPES = {
    "minor_suspect": ("涉罪未成年人案件", "Minor as suspect"),
    "minor_victim": ("未成年被害人案件", "Minor as victim"),
    "family_case": ("婚姻家庭、监护纠纷案件", "Family or guardianship case"),
    "general": ("一般监护风险", "General guardianship risk"),
}

CLUE_SOURCES = {
    "police": ("公安", "Police"), "school": ("学校", "School"), "community": ("社区", "Community"),
    "hospital": ("医院", "Hospital"), "hotline": ("热线", "Hotline"),
    "womens_federation": ("妇联", "Women's federation"), "procuratorate": ("检察院", "Procuratorate"),
    "court": ("法院", "Court"),
}

FAMILY_TYPES = {
    "grandparent": ("隔代", "Grandparent-raised"), "single_parent": ("单亲", "Single parent"),
    "blended": ("重组", "Blended"), "left_behind": ("留守", "Left-behind"), "migrant": ("流动", "Migrant"),
    "special_needs": ("特殊儿童", "Disability or special needs"),
    "parent_incarcerated": ("服刑人员家庭", "Parent incarcerated"),
    "unsupported": ("事实无人抚养", "De facto unsupported"),
}

RISK_FACTORS = {
    "immediate_danger": ("儿童处于现实危险", "Child in immediate danger"),
    "violence_abuse": ("家庭暴力或虐待", "Violence or abuse"),
    "no_carer": ("无人照料", "No carer"),
    "guardian_absent": ("监护人下落不明", "Guardian absent"),
    "guardian_incarcerated": ("监护人服刑或被羁押", "Guardian incarcerated"),
    "guardian_in_rehab": ("监护人强制隔离戒毒", "Guardian in drug rehabilitation"),
    "guardian_severely_ill": ("监护人重病重残", "Guardian severely ill"),
    "serious_failure": ("严重监护失职", "Serious guardianship failure"),
    "criminal_suspect": ("未成年人涉嫌犯罪", "Minor is a criminal suspect"),
    "criminal_victim": ("未成年人系被害人", "Minor is a crime victim"),
    "guardian_uncooperative": ("监护人不配合", "Guardian does not cooperate"),
    "inadequate_guardianship": ("监护不足或失当", "Guardianship inadequate"),
    "bad_behaviour": ("不良行为", "Bad behaviour"),
    "truancy": ("逃学辍学", "Truancy"),
    "mental_health_alert": ("心理健康预警", "Mental-health alert"),
    "special_family": ("特殊家庭类型需关注", "Special family type under watch"),
}

# Scored assessment items (Beijing's guardianship-capacity assessment), each 0 (fine) … 4 (severe).
ASSESSMENT_ITEMS = {
    "child_daily_life": ("儿童日常生活照料", "Child's daily life"),
    "child_health": ("儿童健康", "Child's health"),
    "child_education": ("儿童教育", "Child's education"),
    "child_safety": ("儿童安全", "Child's safety"),
    "guardian_willingness": ("监护意愿", "Guardian's willingness"),
    "guardian_livelihood": ("监护人生计", "Guardian's livelihood"),
    "guardian_education_ability": ("家庭教育能力", "Family-education ability"),
    "family_relations": ("家庭关系", "Family relations"),
    "safety_protection": ("安全保护", "Safety protection"),
}
ITEM_MAX = 4

SESSION_KINDS = {
    "case_guidance": ("个案指导", "Case guidance"), "crime_prevention": ("犯罪预防", "Crime prevention"),
    "legal_education": ("普法教育", "Legal education"), "counselling": ("心理咨询", "Counselling"),
    "parent_class": ("家长课堂", "Parent class"),
}
VISIT_METHODS = {"home_visit": ("入户走访", "Home visit"), "phone": ("电话回访", "Phone"),
                 "school": ("学校回访", "School")}
DELIVERY_METHODS = {"in_person": ("直接送达", "In person"), "announced": ("宣告送达", "Announced on site"),
                    "post": ("邮寄送达", "By post")}
ROUND_OUTCOMES = {"downgraded": ("已降级", "downgraded"), "closed": ("已结案", "closed"),
                  "escalated": ("已提请多跨协同", "escalated"), "another_round": ("再开一轮", "another round"),
                  "upgraded": ("因新情况升级", "upgraded on a new incident")}
OUTCOMES = {"downgrade": ("申请降级", "Request a downgrade"), "close": ("申请结案", "Request closure"),
            "another_round": ("再开一轮", "Start another round"), "escalate": ("提请联席会商", "Escalate")}

# Full names of each agency in a district (the issuer of its documents), by agency code.
OFFICE_NAMES = {
    "womens_federation": "重庆市{district}妇女联合会", "procuratorate": "重庆市{district}人民检察院",
    "court": "重庆市{district}人民法院", "police": "重庆市公安局{district}分局",
    "education": "重庆市{district}教育委员会", "civil_affairs": "重庆市{district}民政局",
    "community": "重庆市{district}街道（乡镇）",
}

# Documents that carry a number (机关代字〔年份〕序号号) and are served on the family with a 送达回证.
NUMBERED_DOCUMENTS = ("supervision_order", "guidance_order", "reprimand", "duty_notice")

LEGAL_BASIS = {
    "supervision_order": ["《中华人民共和国未成年人保护法》第一百一十八条",
                          "《中华人民共和国家庭教育促进法》第四十九条"],
    "guidance_order": ["《中华人民共和国家庭教育促进法》第四十九条",
                       "《最高人民法院 全国妇联关于开展家庭教育指导工作的意见》（法发〔2023〕7号）"],
    "reprimand": ["《中华人民共和国未成年人保护法》第一百一十八条第二款",
                  "《中华人民共和国家庭教育促进法》第四十九条"],
    "duty_notice": ["《中华人民共和国家庭教育促进法》第十四条、第十六条",
                    "《最高人民法院 全国妇联关于开展家庭教育指导工作的意见》（法发〔2023〕7号）"],
    "guidance_plan": ["《中华人民共和国家庭教育促进法》第二十八条",
                      "《关于指导推进重庆市江北区家庭教育五年规划（2021-2025年）》第二十一项"],
    "assessment_report": ["《关于在办理涉未成年人案件中全面开展家庭教育指导工作的意见》（高检发〔2021〕7号）"],
    "followup_record": ["《中华人民共和国家庭教育促进法》第四十九条"],
    "closure_report": ["《中华人民共和国未成年人保护法》第一百一十八条"],
    "delivery_receipt": [],
}

DOCUMENT_TYPES = {
    "supervision_order": ("督促监护令", "Order urging guardianship"),
    "guidance_order": ("家庭教育指导令", "Family-education guidance order"),
    "reprimand": ("训诫书", "Reprimand"),
    "duty_notice": ("家庭教育责任告知书", "Notice of family-education duty"),
    "guidance_plan": ("家庭教育指导方案", "Guidance plan"),
    "assessment_report": ("评估报告", "Assessment report"),
    "followup_record": ("回访记录", "Follow-up record"),
    "closure_report": ("结案报告", "Closure report"),
    "delivery_receipt": ("送达回证", "Delivery receipt"),
}


def code_rank(code: str | None) -> int:
    return CODES.index(code) if code in CODES else -1


def one_level_down(code: str) -> str:
    rank = code_rank(code)
    if rank <= 0:
        raise ValueError(f"{code} has no lower code")
    return CODES[rank - 1]
