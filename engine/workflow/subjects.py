"""What a work item is about beyond its case: the referral or order whose lane it sits in."""
from sqlalchemy import select

from engine.models import DocumentRecord, Referral, WorkItem
from engine.reference import REFERRAL_KINDS


def subjects(session, items) -> dict[str, tuple[str, str]]:
    """What work items are about beyond their case — ``referral:7`` or ``order:12`` — named by the measure
    (two queries for any number of items)."""
    wanted: dict[str, set[int]] = {"referral": set(), "order": set()}
    for item in items:
        kind, _, number = (item.subject or "").partition(":")
        if kind in wanted and number.isdigit():
            wanted[kind].add(int(number))
    found = {}
    if wanted["referral"]:
        for rid, measure in session.execute(select(Referral.id, Referral.measure).where(
                Referral.id.in_(wanted["referral"]))):
            found[f"referral:{rid}"] = REFERRAL_KINDS.get(measure, (measure, measure))
    if wanted["order"]:
        for did, doc_type in session.execute(select(DocumentRecord.id, DocumentRecord.doc_type).where(
                DocumentRecord.id.in_(wanted["order"]))):
            found[f"order:{did}"] = REFERRAL_KINDS.get(doc_type, (doc_type, doc_type))
    return found


def referral_of_item(item: WorkItem) -> int | None:
    """The referral a work item is about (``subject`` ``referral:7``), if any."""
    if item.subject and item.subject.startswith("referral:"):
        return int(item.subject.split(":", 1)[1])
    return None
