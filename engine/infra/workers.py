"""What GuardLoop's background workers do between requests: render issued documents (``engine.issuing.rendering``)
and chain the access entries staged since the last time (``engine.auditlog.record.chain_staged``).

``guardloop render --loop`` runs ``run`` in a process of its own (any number of them, on any host);
``guardloop serve`` runs it in a thread beside the embedded web server, so the SQLite default needs no
other process.
"""
import logging
import threading

from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.issuing import rendering

CHAIN_BATCH = 5000
log = logging.getLogger(__name__)


def chain_views(gl: GuardLoop, batch: int = CHAIN_BATCH) -> int:
    """Chain every staged access entry, ``batch`` per transaction; how many."""
    chained = 0
    while True:
        with gl.transaction() as session:
            done = audit.chain_staged(session.connection(), gl.audit_key, batch)
        chained += done
        if done < batch:
            return chained


def work_once(gl: GuardLoop) -> dict:
    """Render every due document, then chain what was staged meanwhile."""
    return {"rendered": rendering.render_due(gl), "chained": chain_views(gl)}


def run(gl: GuardLoop, stop: threading.Event, every: float = 0.5) -> None:
    """Work until ``stop`` is set, polling every ``every`` seconds when idle. A failing pass (the database
    away, say) is logged and tried again after the pause; it never ends the loop."""
    while not stop.is_set():
        try:
            done = work_once(gl)
        except Exception:  # noqa: BLE001  (the worker outlives a bad moment of the database)
            log.exception("background work failed; trying again in %s s", every)
            done = {}
        if not done.get("rendered"):
            stop.wait(every)


def start_thread(gl: GuardLoop, every: float = 0.5) -> tuple[threading.Thread, threading.Event]:
    """The worker as a daemon thread of this process (``guardloop serve``); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(gl, stop, every), name="guardloop-worker", daemon=True)
    thread.start()
    return thread, stop
