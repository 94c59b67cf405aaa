"""Processes the benchmarks start and always stop: gunicorn with the web app, and tick runners.

Every process is started in its own process group and stopped by its own id (SIGTERM, then SIGKILL
after a grace period), never by name.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .stats import children_of, process_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "guardloop-bench-not-a-secret-0123456789abcdef"   # fixed: sessions survive a worker restart


def require_local_database(url: str) -> str:
    """The benchmarks use a PostgreSQL server on this machine only (a Unix socket counts as local)."""
    from sqlalchemy.engine import make_url
    from .http_client import require_loopback
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("--database-url must be a PostgreSQL URL")
    require_loopback(f"http://{parsed.host or 'localhost'}")
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every simulated user signs in from 127.0.0.1: the per-address sign-in limit would refuse all but the first few
BENCH_LOGIN_RATE_LIMIT = "100000 per minute"
# Documents are issued only with a verification address the public reaches (not loopback outside demo mode):
# the benchmarks' documents print this reserved name, never resolved
BENCH_VERIFY_BASE_URL = "https://verify.guardloop.example"


def bench_env(database_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, GUARDLOOP_SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1",
               GUARDLOOP_LOGIN_RATE_LIMIT=BENCH_LOGIN_RATE_LIMIT, GUARDLOOP_VERIFY_BASE_URL=BENCH_VERIFY_BASE_URL,
               **extra)
    return env


class Gunicorn:
    """``gunicorn -w N -b 127.0.0.1:PORT web.wsgi:app`` against one database; a context manager."""

    def __init__(self, database_url: str, workers: int, port: int | None = None, log_dir: str | None = None,
                 timeout: int = 60, app: str = "web.wsgi:app"):
        self.database_url, self.workers, self.timeout, self.app = database_url, workers, timeout, app
        self.port = port or free_port()
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="guardloop-gunicorn-"))
        self.log_path = self.log_dir / f"gunicorn-w{workers}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 90.0) -> "Gunicorn":
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
                   "--timeout", str(self.timeout), "--graceful-timeout", "10", self.app]
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=bench_env(self.database_url), stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=5) as resp:
                    if resp.status == 200 and len(self.worker_pids()) >= self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {ready_timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def cpu_seconds(self) -> float:
        """CPU of the master and its current workers (a worker killed meanwhile takes its share along)."""
        pids = [self.process.pid, *self.worker_pids()]
        return sum(c for c in (process_cpu_seconds(p) for p in pids) if c is not None)

    def wait_for_workers(self, count: int, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.worker_pids()) >= count:
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)   # the group this process leads: its workers
                self.process.wait()
        self._log.close()

    def log_problems(self) -> dict:
        """Counts of tracebacks and worker events in gunicorn's log (the app logs unhandled errors there)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return {"tracebacks": text.count("Traceback (most recent call last)"),
                "worker_timeouts": text.count("WORKER TIMEOUT"),
                "workers_killed_by_signal": text.count("was sent SIGKILL") + text.count("killed by signal"),
                "log": str(self.log_path)}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RenderWorkers:
    """``guardloop render --loop`` in ``count`` OS processes of their own (documents rendered after commit,
    staged access entries chained); a context manager. Stopped with SIGTERM (they finish the render in
    hand), then SIGKILL."""

    def __init__(self, database_url: str, count: int, every: float = 0.2, log_dir: str | None = None):
        self.database_url, self.count, self.every = database_url, count, every
        self.log_path = Path(log_dir or tempfile.mkdtemp(prefix="guardloop-render-")) / "render-workers.log"
        self.processes: list[subprocess.Popen] = []

    def start(self) -> "RenderWorkers":
        self._log = open(self.log_path, "ab")
        command = [sys.executable, "-m", "engine.infra.cli", "render", "--loop", "--every", str(self.every)]
        self.processes = [subprocess.Popen(command, cwd=ROOT, env=bench_env(self.database_url), stdout=self._log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
                          for _ in range(self.count)]
        return self

    def cpu_seconds(self) -> float:
        return sum(c for c in (process_cpu_seconds(p.pid) for p in self.processes) if c is not None)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.processes:
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class TickProcess:
    """``python -m bench.tick_runner``: ``tick`` (once or in a loop) in its own OS process, with the engine's
    clock set to ``at`` so the same timers are due as in the parent's arrangement."""

    def __init__(self, database_url: str, at: str | None, loop: bool = False, every: float = 1.0,
                 report: str | None = None, log_path: str | None = None, until_idle: bool = False):
        command = [sys.executable, "-m", "bench.tick_runner", "--database-url", database_url]
        if at:
            command += ["--at", at]
        if loop:
            command += ["--loop", "--every", str(every)]
        if report:
            command += ["--report", report]
        if until_idle:
            command += ["--until-idle"]
        self.command, self.database_url = command, database_url
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "TickProcess":
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=bench_env(self.database_url), stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout=timeout)

    def kill9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
