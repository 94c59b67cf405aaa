"""Rendering issued documents after commit (文书生成): the queue, the workers' claim, and on-demand renders.

Issuing fixes what a document says (number, verification code, issuer, date and the snapshot the PDF is
made from, with its hash) and queues a ``render_job`` in the issuing transaction; the PDF is made later,
outside any request, from the snapshot alone:

- on PostgreSQL a worker claims the next due job ``FOR UPDATE SKIP LOCKED`` and renders while holding only
  that job's row, so any number of workers share the queue and a worker killed mid-render leaves its job
  to the next one (its transaction dies with its connection). Nothing else ever waits on a job's row but
  a download of that very document, which then gets the worker's PDF;
- on SQLite (one host, writers serialised) the job is read, the PDF rendered outside any transaction, and
  stored in a short one that first checks nobody stored it meanwhile.

Either way the PDF is written exactly once (``document_file``'s key, triggers refuse changes), with its
hash on the document and an audit entry, and the job is deleted in that same transaction. A failed render
is kept on the job (attempts, error, next try) and retried later; after ``MAX_ATTEMPTS`` the job is
``failed``, which the case page shows, until a download or ``guardloop render --retry-failed`` tries again.
"""
import hashlib
import json
import logging
from datetime import timedelta

from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import undefer

from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import NotFound, RenderFailed
from engine.infra.db import is_postgres
from engine.models import DocumentFile, DocumentRecord, RenderJob
from engine.workflow.clock import clock

MAX_ATTEMPTS = 5
RETRY_SECONDS = (5, 30, 120, 600)        # after the 1st, 2nd, 3rd, 4th failure
ON_DEMAND_WAIT = "15s"                    # a download waits this long for a worker rendering its document
log = logging.getLogger(__name__)



def canonical(snapshot: dict) -> str:
    """The one text form of a snapshot its hash is taken over (keys sorted, no spaces, UTF-8 as is)."""
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot).encode()).hexdigest()


def queue(session, document_id: int) -> None:
    """Queue a document's PDF, in the issuing transaction (due at once)."""
    now = clock.now()
    session.add(RenderJob(document_id=document_id, state="queued", attempts=0, not_before=now, updated_at=now))


def produce_pdf(gl: GuardLoop, doc_type: str, snapshot: dict, office_id: int | None = None) -> bytes:
    """Make an issued document's PDF from its snapshot: render, then sign with the issuing office's
    certificate. The one place an issued document's bytes are made."""
    pdf = gl.render(doc_type, snapshot)
    return gl.sign(office_id, pdf) if office_id is not None else pdf


# --- the workers ---------------------------------------------------------------------------------

def render_due(gl: GuardLoop, limit: int | None = None) -> int:
    """Render due documents until none is due (or ``limit`` were tried); how many were tried."""
    tried = 0
    while limit is None or tried < limit:
        if not _render_next(gl):
            return tried
        tried += 1
    return tried


def _due(skip_locked: bool):
    query = (select(RenderJob).where(RenderJob.state == "queued", RenderJob.not_before <= clock.now())
             .order_by(RenderJob.not_before, RenderJob.document_id).limit(1))
    return query.with_for_update(skip_locked=True) if skip_locked else query


def _render_next(gl: GuardLoop) -> bool:
    if is_postgres(gl.engine):
        with gl.transaction() as session:
            job = session.scalars(_due(skip_locked=True)).first()
            if job is None:
                return False
            _render_locked(session, gl, job)
        return True
    with gl.reading() as session:
        job = session.scalars(_due(skip_locked=False)).first()
        doc = _document(session, job.document_id) if job is not None else None
    if job is None:
        return False
    _render_unlocked(gl, doc)
    return True


def _render_locked(session, gl: GuardLoop, job: RenderJob) -> bytes | None:
    """Render and store while this transaction holds the job's row (PostgreSQL)."""
    doc = _document(session, job.document_id)
    try:
        pdf = _make(gl, doc)
    except Exception as exc:  # noqa: BLE001  (any failure is kept on the job and retried)
        _fail(session, job, exc)
        return None
    _store(session, doc, pdf)
    return pdf


def _render_unlocked(gl: GuardLoop, doc: DocumentRecord) -> bytes | None:
    """Render with no transaction open, then store unless someone stored it meanwhile (SQLite)."""
    try:
        pdf, failure = _make(gl, doc), None
    except Exception as exc:  # noqa: BLE001
        pdf, failure = None, exc
    with gl.transaction() as session:
        stored = session.get(DocumentFile, doc.id)
        if stored is not None:
            return stored.pdf
        job = session.get(RenderJob, doc.id)
        if failure is not None:
            if job is not None:
                _fail(session, job, failure)
            return None
        _store(session, doc, pdf)
    return pdf


def _document(session, document_id: int) -> DocumentRecord:
    return session.scalars(select(DocumentRecord).where(DocumentRecord.id == document_id)
                           .options(undefer(DocumentRecord.snapshot))).one()


def _make(gl: GuardLoop, doc: DocumentRecord) -> bytes:
    if doc.snapshot is None or digest(doc.snapshot) != doc.snapshot_sha256:
        raise ValueError("the snapshot does not match its hash: not rendered")
    return produce_pdf(gl, doc.doc_type, doc.snapshot, doc.office_id)


def _store(session, doc: DocumentRecord, pdf: bytes) -> None:
    now = clock.now()
    sha256 = hashlib.sha256(pdf).hexdigest()
    connection = session.connection()
    connection.execute(DocumentFile.__table__.insert(), [{"document_id": doc.id, "pdf": pdf, "size": len(pdf),
                                                          "rendered_at": now}])
    connection.execute(update(DocumentRecord.__table__).where(DocumentRecord.__table__.c.id == doc.id)
                       .values(sha256=sha256))
    connection.execute(RenderJob.__table__.delete().where(RenderJob.__table__.c.document_id == doc.id))
    audit.record(session, None, "render_document", "document", doc.id, doc.case_id, None,
                 {"sha256": sha256, "size": len(pdf), "snapshot_sha256": doc.snapshot_sha256})


def _fail(session, job: RenderJob, exc: Exception) -> None:
    job.attempts += 1
    job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    job.updated_at = clock.now()
    if job.attempts >= MAX_ATTEMPTS:
        job.state = "failed"
    else:
        job.not_before = job.updated_at + timedelta(seconds=RETRY_SECONDS[min(job.attempts, len(RETRY_SECONDS)) - 1])
    log.warning("rendering document %s failed (attempt %s): %s", job.document_id, job.attempts, job.last_error)


# --- on demand -----------------------------------------------------------------------------------

def ensure_rendered(gl: GuardLoop, document_id: int) -> bytes:
    """The document's PDF: stored already, waited for while a worker renders it, or rendered now.
    Raises ``RenderFailed`` (the failure kept on the job) or ``NotFound`` (a document with no PDF and no
    snapshot to make one from: a seeded copy)."""
    if is_postgres(gl.engine):
        try:
            pdf, failure = _ensure_locked(gl, document_id)
        except OperationalError as exc:
            if "lock timeout" not in str(exc.orig):
                raise
            pdf, failure = None, "still being rendered by a worker"
    else:
        pdf, failure = _ensure_unlocked(gl, document_id)
    if pdf is None:
        raise RenderFailed(document_id, failure or "no PDF")
    return pdf


def _ensure_locked(gl: GuardLoop, document_id: int):
    with gl.transaction() as session:
        session.execute(text(f"SET LOCAL lock_timeout = '{ON_DEMAND_WAIT}'"))
        job = session.get(RenderJob, document_id, with_for_update=True)   # waits for a worker holding it
        if job is None:
            return _kept(session, document_id), None
        pdf = _render_locked(session, gl, job)
        return pdf, job.last_error


def _ensure_unlocked(gl: GuardLoop, document_id: int):
    with gl.reading() as session:
        stored = session.get(DocumentFile, document_id)
        if stored is not None:
            return stored.pdf, None
        if session.get(RenderJob, document_id) is None:
            return _kept(session, document_id), None
        doc = _document(session, document_id)
    pdf = _render_unlocked(gl, doc)
    if pdf is not None:
        return pdf, None
    with gl.reading() as session:
        job = session.get(RenderJob, document_id)
        return None, job.last_error if job else None


def _kept(session, document_id: int) -> bytes:
    stored = session.get(DocumentFile, document_id)
    if stored is None:
        raise NotFound("该文书的 PDF 未保存（演示或压测数据的副本）。",
                       "This document's PDF is not kept (a copy in demo or benchmark data).")
    return stored.pdf


def retry_failed(gl: GuardLoop) -> int:
    """Queue every given-up job again (``guardloop render --retry-failed``); how many."""
    with gl.transaction() as session:
        now = clock.now()
        result = session.execute(update(RenderJob).where(RenderJob.state == "failed")
                                 .values(state="queued", attempts=0, not_before=now, updated_at=now))
        return result.rowcount
