"""Public verification (核验) of an issued document: the fingerprint a reader compares with the paper copy,
and the check of an uploaded file's digital signature. Nothing here reveals more than masked names."""
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader

from engine.context import GuardLoop
from engine.issuing import pki
from engine.issuing.document_context import recipient_names
from engine.issuing.document_fields import cn_date
from engine.rules.masking import mask_name


def fingerprint(doc, case, pdf: bytes) -> dict:
    """Pages, deadline and the recipients' masked names of an issued document (besides its type, number,
    issuer and date, which the caller reads from the record)."""
    stored = doc.fields or {}
    names = [stored["recipient"]] if stored.get("recipient") else recipient_names(case, stored)
    return {"pages": page_count(pdf), "deadline": cn_date(stored.get("deadline")) or None,
            "recipients": [mask_name(str(n)) for n in names]}


def page_count(pdf: bytes) -> int:
    return int(PdfFileReader(BytesIO(pdf), strict=False).root["/Pages"]["/Count"])


def signature(gl: GuardLoop, pdf: bytes) -> dict:
    """The uploaded file's signature: present, intact, covering the whole file, by a certificate of this
    installation's CA; the signer's name (an office's, not a person's) and time."""
    return pki.check_signature(gl, pdf)
