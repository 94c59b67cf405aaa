"""The document types (文书种类): key → default title, template, layout."""
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentType:
    key: str
    title: str                 # default title (context["title"] overrides)
    layout: str = "red"        # red: 红头 (issuer, number, red rule); court: 法院文书 (court, title, 案号);
    #                            plain: reports, records and receipts (title only)
    recipient_label: str = ""  # "" → addressed as "陈某：" (主送); else a labelled line
    closing: str = "seal"      # seal: issuer, date, seal; court: judge, date, seal, clerk; signers: the
    #                            people who sign by hand; none

    @property
    def template(self) -> str:
        return f"{self.key}.html.j2"


DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.key: t
    for t in (
        DocumentType("supervision_order", "督促监护令"),
        DocumentType("guidance_order", "家庭教育指导令", layout="court", closing="court"),
        DocumentType("reprimand", "训诫书"),
        DocumentType("duty_notice", "家庭教育责任告知书"),
        DocumentType("warning_letter", "告诫书"),
        DocumentType("protection_order", "人身安全保护令", layout="court", closing="court"),
        DocumentType("objection_decision", "复议决定书", layout="court", closing="court"),
        DocumentType("revocation_support", "支持起诉意见书"),
        DocumentType("guidance_plan", "家庭教育指导方案", layout="plain", recipient_label="指导对象"),
        DocumentType("assessment_report", "评估报告", layout="plain", recipient_label="报送单位"),
        DocumentType("followup_record", "回访记录", layout="plain", recipient_label="回访对象", closing="signers"),
        DocumentType("closure_report", "结案报告", layout="plain", recipient_label="报送单位"),
        DocumentType("delivery_receipt", "送达回证", layout="plain", recipient_label="受送达人", closing="none"),
        DocumentType("course_certificate", "结业证书", layout="plain", closing="seal"),
    )
}

# Who issues a guidance order decides its title: the court's is a 家庭教育指导令 (法发〔2023〕7号); the police's
# or procuratorate's order under 家庭教育促进法 第四十九条 is a decision ordering guidance.
DECISION_FORM_TITLE = "责令接受家庭教育指导决定书"
