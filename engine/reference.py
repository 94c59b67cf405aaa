"""Reference data of the domain (DOMAIN.md): agencies, roles, districts, codes and vocabularies.

Policy that may change (thresholds, cadences) is not here: it lives in the DMN tables and settings.
"""

AGENCIES = {
    # code: (Chinese name, English name, default document prefix 机关代字)
    "womens_federation": ("妇联", "Women's federation", "妇指"),
    "procuratorate": ("人民检察院", "Procuratorate", "检未"),
    "court": ("人民法院", "Court", "法家"),
    "police": ("公安机关", "Police", "公"),
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
    "base_staff": ("实践基地工作人员", "Practice-base staff"),
}
# Who works on no case (sees no child's data, completes no task): accounts are managed by administrators,
# leaders read the cockpit's aggregate figures only.
NO_CASEWORK_ROLES = ("admin", "leader", "base_staff")
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
    ("XS", "秀山县", "Xiushan"), ("JLP", "九龙坡区", "Jiulongpo"),
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

CODES = ("watch", "blue", "yellow", "orange", "red")    # lowest to highest; 关注: watched, no current risk
CODE_NAMES = {"red": ("红码", "Red"), "orange": ("橙码", "Orange"), "yellow": ("黄码", "Yellow"),
              "blue": ("蓝码", "Blue"), "watch": ("关注", "Watched")}

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
    "divorced": ("离异", "Divorced parents"), "adopted": ("收养", "Adoptive family"),
    "parent_in_rehab": ("强制戒毒人员家庭", "Parent in compulsory drug rehabilitation"),
    "parent_disabled": ("残疾人家庭", "Parent with a disability"), "hardship": ("困境家庭", "Family in hardship"),
    "low_income": ("低收入家庭", "Low-income family"),
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
# How the factors feed the risk-code table (``workflows/risk_code.dmn`` reads these as its inputs). A factor
# about one guardian counts as "guardianship absent" only when the assessor also finds no other guardian or
# carer able to look after the child (``other_carer_able``).
FACTOR_GROUPS = {
    "danger": ("immediate_danger", "violence_abuse", "no_carer"),
    "guardian_unable": ("guardian_absent", "guardian_incarcerated", "guardian_in_rehab", "guardian_severely_ill"),
    "serious": ("serious_failure", "criminal_suspect", "criminal_victim", "guardian_uncooperative"),
    "concern": ("inadequate_guardianship", "bad_behaviour", "truancy", "mental_health_alert"),
    "special": ("special_family",),
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
    "support_network": ("社会支持与监护保障", "Support network and means"),
}
ITEM_MAX = 4

SESSION_KINDS = {
    "case_guidance": ("个案指导", "Case guidance"), "crime_prevention": ("犯罪预防", "Crime prevention"),
    "legal_education": ("普法教育", "Legal education"), "counselling": ("心理咨询", "Counselling"),
    "parent_class": ("家长课堂", "Parent class"),
}
VISIT_METHODS = {"home_visit": ("入户走访", "Home visit"), "phone": ("电话回访", "Phone"),
                 "school": ("学校回访", "School"), "video": ("视频回访", "Video call")}
VISIT_KINDS = {"planned": ("按期回访", "Scheduled visit"), "ad_hoc": ("临时回访", "Ad-hoc visit"),
               "joint": ("联合回访", "Joint visit")}
DELIVERY_METHODS = {"in_person": ("直接送达", "In person"), "announced": ("宣告送达", "Announced on site"),
                    "left_at_address": ("留置送达", "Left at the address (refused)"),
                    "entrusted": ("委托送达", "Through another authority"), "post": ("邮寄送达", "By post")}
ROUND_OUTCOMES = {"downgraded": ("已降级", "downgraded"), "closed": ("已结案", "closed"),
                  "interrupted": ("因新情况中止", "interrupted by a new incident"),
                  "escalated": ("已提请多跨协同", "escalated"), "another_round": ("再开一轮", "another round"),
                  "upgraded": ("因新情况升级", "upgraded on a new incident")}
OUTCOMES = {"downgrade": ("申请降级", "Request a downgrade"), "close": ("申请结案", "Request closure"),
            "another_round": ("再开一轮", "Start another round"), "escalate": ("提请多跨协同", "Escalate")}

# Measures the proposing agency may refer to the agency that decides them (处置措施的移送), with the default
# issuer and the agencies that may issue each (训诫: police, court or procuratorate — 家庭教育促进法 art. 49).
MEASURES = {
    "supervision_order": ("督促监护令", "Order urging guardianship", ("procuratorate",)),
    "guidance_order": ("家庭教育指导令", "Family-education guidance order", ("court",)),
    "reprimand": ("训诫", "Reprimand", ("police", "court", "procuratorate")),
    "warning_letter": ("告诫书（家庭暴力）", "Warning letter (domestic violence)", ("police",)),
    "protection_order": ("人身安全保护令申请", "Application for a personal-safety protection order", ("court",)),
}
# what a referral may ask for: an order or notice above, or temporary care by civil affairs
REFERRAL_KINDS = {**{key: names[:2] for key, names in MEASURES.items()},
                  "temporary_care": ("民政临时照护或临时监护", "Temporary care or guardianship by civil affairs")}
REFERRAL_STATUSES = {
    "pending": ("待审查", "Waiting for a decision"), "investigating": ("调查核实中", "Being investigated"),
    "accepted": ("已受理", "Accepted"), "declined": ("不予采纳", "Declined"), "pending_approval": ("待审批", "Awaiting approval"),
    "returned": ("退回补正", "Returned for correction"), "refused": ("不予批准", "Refused"), "withdrawn": ("已撤回", "Withdrawn"),
    "issued": ("已签发", "Issued"), "delivered": ("已送达", "Delivered"), "revoked": ("复议撤销", "Revoked on reconsideration"),
}
SUPERVISION_STATUSES = {"in_force": ("履行中", "In force"), "completed": ("履行完毕", "Complied with"),
                        "revoked": ("已撤销", "Revoked")}
JUDICIAL_STAGES = {
    "none": ("无", "None"), "not_arrested": ("不批准逮捕", "Arrest not approved"),
    "not_prosecuted": ("不起诉", "Not prosecuted"),
    "conditional_non_prosecution": ("附条件不起诉", "Conditional non-prosecution"),
    "prosecution": ("审查起诉", "Under review for prosecution"), "trial": ("审判", "At trial"),
    "family_dispute": ("婚姻家庭纠纷审理", "Family dispute before the court"),
}
COMPLIANCE_RESULTS = {"complied": ("已履行", "Complied"), "partial": ("部分履行", "Partly complied"),
                      "not_complied": ("未履行", "Not complied")}
CONSEQUENCES = {
    "admonish": ("劝诫", "Admonish"), "reprimand": ("训诫（制发训诫书）", "Reprimand (issue a reprimand)"),
    "guidance_order": ("决定责令接受家庭教育指导", "Decide guidance by order"),
    "escalate": ("提请多跨协同（升级处置）", "Ask for escalation"), "none": ("暂不处理，继续监督", "Keep supervising"),
}
PLACEMENTS = {"kinship": ("亲属抚养", "Kinship care"), "foster": ("家庭寄养", "Foster family"),
              "institution": ("儿童福利机构", "Child welfare institution")}
GUARDIANSHIP_KINDS = {"parent": ("父母", "Parent"), "relative": ("其他亲属", "Relative"),
                      "temporary": ("民政临时监护", "Temporary guardianship (civil affairs)"),
                      "long_term": ("民政长期监护", "Long-term guardianship (civil affairs)"),
                      "designated": ("法院指定监护人", "Guardian designated by the court"),
                      "entrusted": ("委托照护", "Entrusted carer")}
# A guardian's relation to the child; the civil affairs department may hold the guardianship itself.
RELATIONS = {"father": ("父亲", "Father"), "mother": ("母亲", "Mother"), "grandparent": ("祖父母/外祖父母", "Grandparent"),
             "relative": ("其他亲属", "Other relative"), "other": ("其他", "Other")}
GUARDIAN_RELATIONS = {**RELATIONS, "civil_affairs": ("民政部门", "Civil affairs")}
CODE_CHANGE_KINDS = {"assessment": ("评估赋码", "Assessed"), "downgrade": ("降级", "Downgraded"),
                     "upgrade": ("升级", "Upgraded")}
APPROVAL_KINDS = {"downgrade": ("降级", "Downgrade"), "closure": ("结案", "Closure"),
                  "escalation": ("提请多跨协同", "Escalation to a joint meeting")}
APPROVAL_STATUSES = {"pending": ("待审批", "Pending"), "approved": ("已批准", "Approved"),
                     "returned": ("已退回补正", "Returned for correction"), "refused": ("不予批准", "Refused"),
                     "withdrawn": ("已撤回", "Withdrawn")}
# What is late on the overdue list (逾期), in the list's order.
OVERDUE_KINDS = {"safety": ("红码安全联系", "Red-code safety"), "decision": ("审查决定", "Decisions on referrals"),
                 "visit": ("回访", "Follow-up visits"), "session": ("指导", "Guidance sessions"),
                 "delivery": ("送达", "Deliveries"), "report": ("履行检查", "Compliance checks"),
                 "approval": ("审批", "Approvals"), "chase": ("督办未答复", "Unanswered chases"),
                 "code_review": ("风险码复评", "Code reviews"), "other": ("其他任务", "Other tasks")}

# Full names of each agency in a district (the issuer of its documents), by agency code.
OFFICE_NAMES = {
    "womens_federation": "重庆市{district}妇女联合会", "procuratorate": "重庆市{district}人民检察院",
    "court": "重庆市{district}人民法院", "police": "重庆市公安局{district}分局",
    "education": "重庆市{district}教育委员会", "civil_affairs": "重庆市{district}民政局",
    "community": "重庆市{district}街道（乡镇）",
}

# Documents that carry a number (机关代字〔年份〕序号号) and are served with a 送达回证 (one per person served).
NUMBERED_DOCUMENTS = ("supervision_order", "guidance_order", "reprimand", "duty_notice", "warning_letter",
                      "protection_order", "objection_decision", "revocation_support")

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
    "warning_letter": ("告诫书", "Warning letter"),
    "protection_order": ("人身安全保护令", "Personal-safety protection order"),
    "objection_decision": ("复议决定书", "Decision on reconsideration"),
    "revocation_support": ("支持起诉意见书", "Opinion supporting a suit"),
}

# Type codes in document numbers (文书类型代字): 江北检未督〔2026〕3号, （2026）渝0105家教指3号. Each office may
# change them (the offices page); by default an agency's own, else the type's. Two types of one office never
# read alike, so their numbers never collide.
DEFAULT_TYPE_CODES = {"supervision_order": "督", "guidance_order": "指", "reprimand": "训", "duty_notice": "告",
                      "warning_letter": "告诫", "protection_order": "保", "objection_decision": "复",
                      "revocation_support": "支诉"}
TYPE_CODES = {
    "procuratorate": {"supervision_order": "督", "reprimand": "训", "duty_notice": "告", "revocation_support": "支诉"},
    "court": {"guidance_order": "家教指", "reprimand": "训", "duty_notice": "家告", "protection_order": "民保令",
              "objection_decision": "家教指复"},
    "police": {"reprimand": "训", "warning_letter": "家暴告", "duty_notice": "告"},
    "womens_federation": {"duty_notice": "告", "guidance_plan": "指", "assessment_report": "评",
                          "followup_record": "访", "closure_report": "结"},
}
# How numbers read: 机关代字〔年份〕序号号, courts （年份）代字类型代字序号号 as in 案号.
NUMBER_FORMATS = {"default": "{prefix}{code}〔{year}〕{seq}号", "court": "（{year}）{prefix}{code}{seq}号"}
# A court's 机关代字 is its 案号 code: province 渝 and the administrative-division code of its district.
COURT_CODES = {"YZ": "渝0103", "DDK": "渝0104", "JB": "渝0105", "SPB": "渝0106", "WZ": "渝0101", "YB": "渝0112",
               "BN": "渝0113", "JJ": "渝0116", "NC": "渝0119", "DZ": "渝0111", "BS": "渝0120", "TL": "渝0151",
               "LP": "渝0155", "WL": "渝0156", "CK": "渝0229", "FD": "渝0230", "YY": "渝0235", "XS": "渝0241",
               "JLP": "渝0107"}

# Offices the seeds name with their real names, and where one district's cases go to another district's
# office (seed 001: 高新区 has no court or procuratorate of its own; 沙坪坝区人民法院 and 九龙坡区人民检察院
# serve it). (district, agency) → (name, district whose office acts, or None).
OFFICES_FROM_SEEDS = {
    ("GX", "womens_federation"): ("重庆高新区妇女联合会", None),
    ("GX", "police"): ("重庆高新区公安分局", None),
    ("GX", "education"): ("重庆高新区公共服务局", None),
    ("GX", "court"): ("重庆市沙坪坝区人民法院", "SPB"),
    ("GX", "procuratorate"): ("重庆市九龙坡区人民检察院", "JLP"),
}

def code_rank(code: str | None) -> int:
    return CODES.index(code) if code in CODES else -1


MEASURE_DOCUMENTS = {"supervision_order": "supervision_order", "guidance_order": "guidance_order",
                     "reprimand": "reprimand", "warning_letter": "warning_letter",
                     "protection_order": "protection_order"}


COURSE_KINDS = {  # seed 003: four kinds of course
    "general": ("通识课", "General course"),
    "basic": ("基础课", "Basic (compulsory) course"),
    "custom": ("定制课", "Tailored course"),
    "online": ("网络自修课", "Online self-study"),
}


# What became of a clue: received (waiting for a decision), opened (a case was opened from it), rejected
# (no case: the reason is told to the reporter), merged (the same child and facts as another clue or an
# existing case, named to the reporter).
CLUE_STATUSES = {"received": ("待处理", "Received"), "opened": ("已建档", "Case opened"),
                 "rejected": ("不予建档", "Rejected"), "merged": ("已合并", "Merged")}


ORG_KINDS = {
    "school": ("中小学", "School"),
    "kindergarten": ("幼儿园", "Kindergarten"),
    "community": ("社区", "Community"),
}
