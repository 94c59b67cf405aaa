"""Digital signatures of issued PDFs (电子签名): PAdES B-B with pyHanko, and their validation.

Pure bytes in, bytes (or a plain dict) out: the caller holds the keys and certificates (PEM) and decides
whom to trust. The signature covers the whole file as issued; a timestamp (B-T) is added when a time-
stamping authority's URL is given. A reader that trusts the signer's CA shows the signature as valid.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD = "GuardLoopSignature"


@dataclass(frozen=True)
class SigningKey:
    """An office's key and certificate chain, loaded once (PEM bytes in)."""
    signer: signers.SimpleSigner

    @classmethod
    def from_pem(cls, key_pem: bytes, cert_pem: bytes, chain_pem: bytes = b"") -> "SigningKey":
        cert = next(load_certs_from_pemder_data(cert_pem))
        chain = list(load_certs_from_pemder_data(chain_pem)) if chain_pem else []
        key = load_private_key_from_pemder_data(key_pem, passphrase=None)
        return cls(signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                        cert_registry=SimpleCertificateStore.from_certs(chain)))


def sign_pdf(pdf: bytes, key: SigningKey, *, reason: str = "", location: str = "", tsa_url: str | None = None,
             field: str = FIELD) -> bytes:
    """The PDF with a PAdES signature over all of it appended (an incremental update; the pages are
    unchanged byte for byte)."""
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason or None, location=location or None)
    timestamper = HTTPTimeStamper(tsa_url) if tsa_url else None
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    _keep_xmp(writer)
    signer = signers.PdfSigner(meta, signer=key.signer, timestamper=timestamper)
    return _run(lambda: signer.async_sign_pdf(writer)).getvalue()


def _run(make_coroutine):
    """Run pyHanko's coroutine to the end, also from a thread that already runs an event loop (pyHanko's
    own synchronous wrappers call asyncio.run, which refuses there): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _keep_xmp(writer) -> None:
    """pyHanko rewrites the XMP metadata of the file it signs from its own model unless the stream is one of
    its MetadataStream objects, which it updates in place: hand it one, so a PDF/A's identification
    (pdfaid:part, pdfaid:conformance) survives the signature."""
    existing = writer.root.get("/Metadata")
    if existing is None:
        return
    stream = MetadataStream(stream_data=existing.get_object().data)
    writer.root["/Metadata"] = writer.add_object(stream)
    writer.update_root()


def validate(pdf: bytes, trust_pem: bytes) -> dict:
    """What a reader may learn of a file's signature: signed at all, intact (not altered since), whether
    it covers the whole file, trusted (chains to ``trust_pem``), who signed and when (the signer's claim,
    or the timestamp's). Never raises on a malformed file: ``readable`` is False then."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:               # noqa: BLE001 - any unreadable upload is simply "not a signed PDF"
        return {"readable": False, "signed": False}
    if not signatures:
        return {"readable": True, "signed": False}
    roots = list(load_certs_from_pemder_data(trust_pem))
    context = ValidationContext(trust_roots=roots)
    status = _run(lambda: async_validate_pdf_signature(signatures[-1], context))
    moment = status.timestamp_validity.timestamp if status.timestamp_validity else status.signer_reported_dt
    return {"readable": True, "signed": True, "count": len(signatures), "intact": bool(status.intact),
            "valid": bool(status.valid), "trusted": bool(status.trusted),
            "whole_file": status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            "signer": str(status.signing_cert.subject.native.get("common_name", "")) if status.signing_cert else "",
            "signed_at": moment if isinstance(moment, datetime) else None,
            "timestamped": status.timestamp_validity is not None, "bottom_line": bool(status.bottom_line)}
