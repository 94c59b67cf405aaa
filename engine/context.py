"""The engine's composition root: settings, database, deployed model versions, units of work."""
import time
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, object_session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from documents import render_pdf
from documents.render import _check_fonts_once
from engine.auditlog import record as audit
from engine.errors import Conflict
from engine.infra.db import make_engine, read_only
from engine.infra.settings import Settings
from engine.issuing import pki
from engine.models import ModelVersion, Office
from engine.workflow.clock import clock
from engine.workflow.runtime import WorkflowRuntime, model_version, read_model_sources

VERSION_RECHECK_SECONDS = 30  # how stale a process's idea of the deployed model version may be
WRITTEN = "guardloop_reader_wrote"  # session.info key: a reader session flushed


class GuardLoop:
    """Everything a service needs, built explicitly (never at import time)."""

    def __init__(self, settings: Settings | None = None, engine=None, renderer=None):
        self.settings = settings or Settings.from_env()
        self._renderer = renderer or render_pdf   # the documents package, unless a stand-in is injected
        self._renderer_injected = renderer is not None
        self.engine = engine or make_engine(self.settings.database_url)
        # Services flush explicitly where they need ids or read back what they wrote: no autoflush
        # before every query in the hot path.
        self.audit_key = self.settings.audit_key.encode()
        self._writer = sessionmaker(self.engine, expire_on_commit=False, autoflush=False,
                                    info={audit.KEY: self.audit_key})
        event.listen(self._writer, "before_commit", audit.seal)  # the audit entries join the chain last
        self._reader = sessionmaker(read_only(self.engine), expire_on_commit=False)
        event.listen(self._reader, "after_flush", _mark_written)
        self.clock = clock
        self._current_version: str | None = None
        self._version_read_at = 0.0

    def render(self, doc_type: str, context: dict, draft: bool = False) -> bytes:
        """Render a document to PDF. The ``documents`` package is the renderer unless one was injected
        (it takes plain data only)."""
        variant = None if draft else self.settings.document_variant or None   # issued: the archival PDF/A
        if variant and not self._renderer_injected:   # an injected renderer takes plain data only
            return self._renderer(doc_type, context, draft=draft, variant=variant)
        return self._renderer(doc_type, context, draft=draft)

    def check_renderer(self) -> None:
        """Refuse to issue what could not be printed: without a CJK font every character is a box. The
        fonts are checked once per process (an injected renderer needs none)."""
        if not self._renderer_injected:
            _check_fonts_once()

    def sign(self, office, pdf: bytes) -> bytes:
        """Sign an issued PDF with the office's certificate (an ``Office`` of the caller's session, or its
        id); ``documents.signing`` does the signing on plain bytes. What an injected renderer made (a stand-in
        for the documents package in engine tests and benchmarks) is no PDF to sign: it is kept as it is."""
        if self._renderer_injected:
            return pdf
        if isinstance(office, Office) and object_session(office) is not None:
            return pki.sign(self, object_session(office), office, pdf)
        with self.reading() as session:
            return pki.sign(self, session, session.get(Office, getattr(office, "id", office)), pdf)

    # --- units of work -------------------------------------------------------------------------
    @contextmanager
    def transaction(self):
        """One unit of work: commits on success, rolls back on any error. Lost races become Conflict."""
        session: Session = self._writer()
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise Conflict("该个案刚被他人修改，请刷新后重试。",
                           "This case was changed by someone else a moment ago; reload and try again.") from exc
        except IntegrityError as exc:
            session.rollback()
            if "unique" in str(exc.orig).lower() or "duplicate" in str(exc.orig).lower():
                raise Conflict("该记录刚被他人创建，请刷新后重试。",
                               "This record was just created by someone else; reload and try again.") from exc
            raise
        except OperationalError as exc:
            session.rollback()
            if "could not serialize" in str(exc.orig) or "deadlock" in str(exc.orig):
                raise Conflict("并发修改冲突，请重试。", "Concurrent change; try again.") from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self):
        session: Session = self._reader()
        try:
            yield session
            if session.info.get(audit.PENDING):
                raise RuntimeError("audit entries recorded in a read-only unit of work would be lost")
            _end_read(session)
        finally:
            session.close()  # ends the read transaction; loaded objects stay readable

    # --- model versions ------------------------------------------------------------------------
    def deploy_models(self, session: Session) -> str:
        """Store ``workflows/`` as an immutable version (if new) and make it the one new rounds use, in every
        process (they read the latest deployment from the database). Deploying an older version again makes
        it the current one again (a roll-back)."""
        sources = read_model_sources(self.settings.models_dir)
        version = model_version(sources)
        row = session.get(ModelVersion, version)
        latest, latest_at = self._latest_deployment(session)
        if row is None:
            WorkflowRuntime.for_sources(sources)  # refuse to deploy models that do not parse
            row = ModelVersion(version=version, sources={k: v.decode() for k, v in sources.items()})
            session.add(row)
        if latest != version:  # strictly after the one it replaces, whatever the clocks say
            row.deployed_at = max(clock.now(), latest_at + timedelta(microseconds=1)) if latest_at else clock.now()
        session.flush()
        self._current_version, self._version_read_at = version, time.monotonic()
        return version

    @staticmethod
    def _latest_deployment(session: Session):
        latest = session.execute(select(ModelVersion.version, ModelVersion.deployed_at)
                                 .order_by(ModelVersion.deployed_at.desc(), ModelVersion.version)).first()
        return (latest[0], latest[1]) if latest else (None, None)

    def current_version(self, session: Session) -> str:
        """The version new rounds start on: the latest deployed (``guardloop init``), read from the database
        at most every ``VERSION_RECHECK_SECONDS``, so running processes follow a deployment without a restart."""
        if self._current_version is None or time.monotonic() - self._version_read_at > VERSION_RECHECK_SECONDS:
            version, _ = self._latest_deployment(session)
            if version is None:
                return self.deploy_models(session)
            self._current_version, self._version_read_at = version, time.monotonic()
        return self._current_version

    def runtime(self, session: Session, version: str) -> WorkflowRuntime:
        cached = WorkflowRuntime._cache.get(version)
        if cached is not None:
            return cached
        row = session.get(ModelVersion, version)
        return WorkflowRuntime.for_sources({k: v.encode() for k, v in row.sources.items()})


def _mark_written(session, _flush_context) -> None:
    session.info[WRITTEN] = True


def _end_read(session: Session) -> None:
    """End a PostgreSQL read transaction that wrote nothing with COMMIT instead of the pool's ROLLBACK.

    psycopg discards every prepared statement of a connection when it rolls back, so a reader ending in
    ROLLBACK would make every later statement on that connection be parsed and planned anew (measured: the
    case page's checklist statement 8–9 ms instead of 2 ms). A session that flushed anything keeps the
    rollback: nothing a reader did is ever committed."""
    if session.info.get(WRITTEN) or session.get_transaction() is None or session.bind.dialect.name != "postgresql":
        return
    session.connection().connection.dbapi_connection.commit()
