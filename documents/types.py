"""The document types (文书种类): key → default title, template, layout."""
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentType:
    key: str
    title: str                 # default title (context["title"] overrides)
    red_header: bool           # 红头 (issuer, number, red rule) — orders and notices
    recipient_label: str = ""  # "" → addressed as "陈某：" (主送); else a labelled line
    seal: bool = True          # issuer signature, date and seal placeholder at the end

    @property
    def template(self) -> str:
        return f"{self.key}.html.j2"


DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.key: t
    for t in (
        DocumentType("supervision_order", "督促监护令", red_header=True),
        DocumentType("guidance_order", "家庭教育指导令", red_header=True),
        DocumentType("reprimand", "训诫书", red_header=True),
        DocumentType("duty_notice", "家庭教育责任告知书", red_header=True),
        DocumentType("guidance_plan", "家庭教育指导方案", red_header=False, recipient_label="指导对象"),
        DocumentType("assessment_report", "评估报告", red_header=False, recipient_label="报送单位"),
        DocumentType("followup_record", "回访记录", red_header=False, recipient_label="回访对象"),
        DocumentType("closure_report", "结案报告", red_header=False, recipient_label="报送单位"),
        DocumentType("delivery_receipt", "送达回证", red_header=False, recipient_label="受送达人",
                     seal=False),
    )
}

DECISION_FORM_TITLE = "责令接受家庭教育指导决定书"
