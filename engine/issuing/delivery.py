"""Service of an issued document (送达): how, when, where and to whom it was delivered, checked and recorded
on the document (a refusal and 留置 only as recorded)."""
from engine.errors import InvalidInput
from engine.models import DocumentRecord
from engine.reference import DELIVERY_METHODS
from engine.rules import validate as v


def record_delivery(ctx, doc: DocumentRecord) -> dict:
    method = v.choice(ctx.data, "method", DELIVERY_METHODS)
    delivered_on = v.day(ctx.data, "delivered_on")
    if delivered_on < doc.issued_at.date():
        raise InvalidInput("delivered_on", "送达日期不能早于签发日期。", "Delivery cannot precede issuance.")
    refused = method == "left_at_address"
    record = {"method": method, "delivered_on": delivered_on, "recipient": v.text(ctx.data, "recipient", max_len=80),
              "signed": v.boolean(ctx.data, "signed") and not refused,
              "place": v.text(ctx.data, "place", max_len=200), "server": ctx.actor.display_name,
              "refusal": {"reason": v.text(ctx.data, "refusal_reason", max_len=500),
                          "witness": v.text(ctx.data, "witness", max_len=80)} if refused else None,
              "proxy": {"name": v.text(ctx.data, "proxy_name", max_len=80),
                        "reason": v.text(ctx.data, "proxy_reason", max_len=200)}
              if v.text(ctx.data, "proxy_name", required=False, max_len=80) else None}
    doc.delivery_method, doc.delivered_on, doc.delivery_recipient = method, delivered_on, record["recipient"]
    doc.delivery_signed, doc.delivered_by = record["signed"], ctx.actor.id
    return record
