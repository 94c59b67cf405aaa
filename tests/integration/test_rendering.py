"""Documents rendered after commit: issuing fixes the snapshot and queues the PDF; workers render it, once,
from the snapshot alone; failures are kept and retried; a killed worker loses nothing; a download renders
on demand. On SQLite and on PostgreSQL."""
import hashlib
import multiprocessing as mp
import os
import re
import signal
import subprocess
import time
import traceback
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from engine.issuing import rendering
from engine.infra import workers
from engine.models import AuditEntry, DocumentFile, DocumentRecord, RenderJob
from engine.services import documents as docs

from .helpers import assess, new_case, order, propose

SPAWN = mp.get_context("spawn")


def _order_case(driver) -> int:
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 18, ["criminal_victim"])
    propose(driver, case, notify=False, supervision_order=True)
    order(driver, case, "supervision_order")
    return case


def _order(gl, case) -> DocumentRecord:
    with gl.reading() as s:
        return s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case,
                                                      DocumentRecord.doc_type == "supervision_order")).one()


def _renders_of(gl, document_id) -> tuple[int, int]:
    """(PDFs stored, render audit entries) of one document."""
    workers.chain_views(gl)
    with gl.reading() as s:
        return (s.scalar(select(func.count()).select_from(DocumentFile).where(DocumentFile.document_id == document_id)),
                s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "render_document",
                                                                 AuditEntry.entity_id == str(document_id))))


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", out))


def test_issuing_fixes_the_snapshot_and_queues_the_pdf_for_the_workers(gl, driver):
    case = _order_case(driver)
    doc = _order(gl, case)
    with gl.reading() as s:
        stored = s.scalars(select(DocumentRecord.snapshot).where(DocumentRecord.id == doc.id)).one()
        job = s.get(RenderJob, doc.id)
        issued = s.scalars(select(AuditEntry).where(AuditEntry.action == "issue_document",
                                                    AuditEntry.entity_id == str(doc.id))).one()
    assert doc.sha256 is None and doc.render_state == "queued" and job.attempts == 0
    assert stored["number"] == doc.number == "江北检未督〔2026〕1号"
    assert stored["verification"]["code"] == doc.verification_code
    assert doc.snapshot_sha256 == rendering.digest(stored) == issued.after["snapshot_sha256"]
    assert _renders_of(gl, doc.id) == (0, 0)

    assert rendering.render_due(gl) >= 2          # the order and its 送达回证
    rendered = _order(gl, case)
    with gl.reading() as s:
        pdf = s.get(DocumentFile, doc.id).pdf
        assert s.scalar(select(func.count()).select_from(RenderJob)) == 0
    assert rendered.render_state is None and rendered.sha256 == hashlib.sha256(pdf).hexdigest()
    assert _renders_of(gl, doc.id) == (1, 1)
    assert rendering.render_due(gl) == 0          # nothing twice


def test_the_pdf_says_what_the_snapshot_says(gl, driver, tmp_path):
    case = _order_case(driver)
    doc = _order(gl, case)
    _, pdf = docs.document_file(gl, driver.actor("prosecutor"), doc.id)   # rendered on demand
    with gl.reading() as s:
        snapshot = s.scalars(select(DocumentRecord.snapshot).where(DocumentRecord.id == doc.id)).one()
    text = _text(pdf, tmp_path)
    for printed in (snapshot["title"], snapshot["number"], snapshot["issuer"]["name"], snapshot["issued_on"],
                    snapshot["fields"]["failings"], snapshot["fields"]["duties"], snapshot["fields"]["deadline"],
                    snapshot["verification"]["code"], snapshot["recipient"]):
        assert printed and re.sub(r"\s+", "", printed) in text, printed


def test_a_failed_render_is_kept_retried_and_never_loses_the_document(gl, driver, clock, monkeypatch):
    case = _order_case(driver)
    doc = _order(gl, case)
    real = rendering.produce_pdf
    def broken(*_):
        raise OSError("font server away")

    monkeypatch.setattr(rendering, "produce_pdf", broken)
    with gl.reading() as s:
        queued = s.scalar(select(func.count()).select_from(RenderJob))   # the assessment report, order, receipt
    assert rendering.render_due(gl) == queued     # each tried, each failed
    with gl.reading() as s:
        job = s.get(RenderJob, doc.id)
    assert (job.state, job.attempts) == ("queued", 1) and "font server away" in job.last_error
    assert _order(gl, case).render_state == "retrying"
    assert rendering.render_due(gl) == 0          # not due again before its pause
    for _ in range(rendering.MAX_ATTEMPTS - 1):
        clock.advance(timedelta(hours=1))
        rendering.render_due(gl)
    assert _order(gl, case).render_state == "failed"
    clock.advance(timedelta(days=1))
    assert rendering.render_due(gl) == 0          # given up: shown, not retried by the workers
    with pytest.raises(rendering.RenderFailed):
        docs.document_file(gl, driver.actor("prosecutor"), doc.id)
    monkeypatch.setattr(rendering, "produce_pdf", real)
    fetched, pdf = docs.document_file(gl, driver.actor("prosecutor"), doc.id)   # a download tries again
    assert pdf.startswith(b"%PDF") and fetched.sha256 == hashlib.sha256(pdf).hexdigest()
    assert _order(gl, case).number == "江北检未督〔2026〕1号" and _renders_of(gl, doc.id) == (1, 1)
    assert rendering.retry_failed(gl) == queued - 1   # the others, given up on too, are queued again
    assert rendering.render_due(gl) == queued - 1


def test_a_snapshot_edited_behind_the_triggers_back_is_not_rendered(gl, driver):
    case = _order_case(driver)
    doc = _order(gl, case)
    with gl.engine.begin() as conn:   # as a superuser or someone with the database file could
        if gl.engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER document_record_content"))
        conn.execute(text("UPDATE document_record SET snapshot = :s WHERE id = :i"),
                     {"s": '{"title": "撤销决定书"}', "i": doc.id})
    rendering.render_due(gl)
    with gl.reading() as s:
        job = s.get(RenderJob, doc.id)
    assert job.attempts == 1 and "snapshot does not match its hash" in job.last_error
    assert _renders_of(gl, doc.id) == (0, 0)


def test_the_serve_thread_renders_what_is_issued(gl, driver):
    case = _order_case(driver)
    thread, stop = workers.start_thread(gl, every=0.1)
    try:
        deadline = time.monotonic() + 60
        while _order(gl, case).sha256 is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert _order(gl, case).sha256 is not None and not thread.is_alive()


# --- a worker killed mid-render ---------------------------------------------------------------------

def _stalling_worker(url, now_iso, started_path):
    """A render worker whose renderer announces that it started, then hangs (to be killed with -9)."""
    try:
        from engine.workflow.clock import clock
        from engine.context import GuardLoop
        from engine.infra.settings import Settings

        def stall(doc_type, context, draft=False):
            Path(started_path).write_text(f"{os.getpid()} {doc_type}")
            time.sleep(600)

        clock.set(datetime.fromisoformat(now_iso))
        import threading
        workers.run(GuardLoop(Settings(database_url=url), renderer=stall), threading.Event(), 0.1)
    except BaseException:  # noqa: BLE001
        Path(started_path + ".error").write_text(traceback.format_exc())


def test_a_worker_killed_mid_render_leaves_the_document_rendered_exactly_once_afterwards(
        gl, driver, database_url, clock, tmp_path):
    case = _order_case(driver)
    doc = _order(gl, case)
    started = tmp_path / "started"
    worker = SPAWN.Process(target=_stalling_worker, args=(database_url, clock.now().isoformat(), str(started)))
    worker.start()
    try:
        deadline = time.monotonic() + 90
        while not started.exists() and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started.exists(), (tmp_path / "started.error").read_text() if (tmp_path / "started.error").exists() \
            else "the worker never began a render"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.join(timeout=30)
    assert worker.exitcode == -signal.SIGKILL
    assert _renders_of(gl, doc.id) == (0, 0)        # nothing of the killed render is left
    deadline = time.monotonic() + 30                # PostgreSQL ends the killed session's transaction
    while rendering.render_due(gl) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _renders_of(gl, doc.id) == (1, 1)
    assert rendering.render_due(gl) == 0
    fetched, pdf = docs.document_file(gl, driver.actor("prosecutor"), doc.id)
    assert fetched.sha256 == hashlib.sha256(pdf).hexdigest() == _order(gl, case).sha256


def _racing_worker(url, now_iso, barrier, results):
    try:
        from engine.workflow.clock import clock
        from engine.context import GuardLoop
        from engine.infra.settings import Settings

        clock.set(datetime.fromisoformat(now_iso))
        gl = GuardLoop(Settings(database_url=url), renderer=lambda t, c, draft=False: b"%PDF-1.4 " + t.encode())
        barrier.wait(timeout=60)
        results.put(rendering.render_due(gl))
        gl.engine.dispose()
    except BaseException:  # noqa: BLE001
        results.put(traceback.format_exc())


def test_workers_in_parallel_store_each_pdf_exactly_once(gl, driver, database_url, clock):
    cases = [_order_case(driver) for _ in range(3)]
    with gl.reading() as s:
        queued = s.scalars(select(RenderJob.document_id)).all()
    barrier, results = SPAWN.Barrier(3), SPAWN.Queue()
    processes = [SPAWN.Process(target=_racing_worker, args=(database_url, clock.now().isoformat(), barrier, results))
                 for _ in range(3)]
    for p in processes:
        p.start()
    reports = [results.get(timeout=180) for _ in processes]
    for p in processes:
        p.join(timeout=30)
    assert all(isinstance(r, int) for r in reports), reports
    assert sum(reports) >= len(queued)              # every job tried; on SQLite a PDF may be made twice, never stored twice
    for document_id in queued:
        assert _renders_of(gl, document_id) == (1, 1)
    assert [_order(gl, c).render_state for c in cases] == [None] * 3
