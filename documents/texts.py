"""Standard wording used when the context leaves a field empty (默认文字).

Agencies may override each one through the context; these are defaults, not law text. ``{you}`` is 你 or
你们 by the number of persons addressed, ``{self}`` how the issuer names itself (本院, 本局, 本会).
"""

SUPERVISION_CONSEQUENCES = (
    "{you}应当认真履行本令所列监护职责。如拒不履行或者怠于履行监护职责，{self}将依法予以训诫，"
    "并可以责令{you}接受家庭教育指导；情节严重，侵害未成年人合法权益的，依法追究相应法律责任。"
)

SUPERVISION_NOTE = (
    "{self}将会同有关部门对本令的执行情况进行监督，适时开展回访和评估，"
    "并将监督评估情况及时反馈{you}及有关单位。"
)

GUIDANCE_CONSEQUENCES = (
    "被决定人拒不接受家庭教育指导或者不履行本决定确定的义务的，{self}将视情节予以训诫，"
    "并可以依法采取其他措施；构成犯罪的，依法追究刑事责任。"
)

REPRIMAND_CONSEQUENCES = (
    "现对{you}予以训诫，责令{you}立即改正，切实履行监护职责，加强对未成年人的教育、保护和照料。"
    "如{you}再次出现上述行为或者拒不改正，将依法责令{you}接受家庭教育指导；"
    "情节严重的，依法追究相应法律责任。"
)

WARNING_CONSEQUENCES = (
    "{you}如再次实施家庭暴力，{self}将依法给予治安管理处罚；构成犯罪的，依法追究刑事责任。"
    "{self}将通知{you}住所地的居民委员会、村民委员会，由其与公安派出所对{you}进行查访，"
    "监督{you}不再实施家庭暴力。"
)

PROTECTION_CONSEQUENCES = (
    "被申请人违反本裁定，构成犯罪的，依法追究刑事责任；尚不构成犯罪的，本院将予以训诫，"
    "并可以根据情节轻重处以一千元以下罚款、十五日以下拘留。"
)


def fill(text: str, you: str, self_ref: str) -> str:
    return text.replace("{you}", you).replace("{self}", self_ref)
