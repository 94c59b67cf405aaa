"""HTTP load test: many caseworkers of several agencies and districts using the web app at once.

What is measured, per gunicorn worker count (``--workers 1 2 4``; gunicorn is started by this program,
``gunicorn -w N -b 127.0.0.1:PORT web.wsgi:app`` against ``--database-url``, and stopped afterwards):

* throughput: page views/s (GET answered 200: inbox, case page, search, task form) and completions/s
  (task-form POSTs answered 302), over the measured window;
* latency p50/p95/p99 per kind of request (from sending the request to the last byte of the answer,
  TCP connect included: gunicorn's sync workers close every connection), and per task for completions;
* the count of every status code per kind; anything but 2xx/3xx/409, or no answer at all, is an error;
* CPU: the client's own (this process), gunicorn's (master + workers, from /proc) and the whole machine's
  (from /proc/stat; the rest is PostgreSQL and whatever else runs on the machine).

The load is **closed-loop with a fixed concurrency** (``--concurrency`` loops, each sends its next action
when the previous one is answered, no think time). The question is the capacity of 2 cores: a closed
loop drives the server at saturation without letting a queue grow without bound (an open loop above
capacity would measure the length of gunicorn's listen backlog, not the app). The price: latencies are
those at that concurrency (queueing in the backlog included, p50 ≈ concurrency / throughput), and a slow
answer delays the next request (coordinated omission); they are not latencies at a lower, given rate.

The mix (``bench.stats.MIX``): inbox 50%, case page 30%, task completion 15%, search 5%. Each action is
taken by a random one of ``--users`` signed-in users (chosen from the database: users of every agency
and district with completable work in their inbox), who sign in through the real ``/login`` form and
keep their session cookie and CSRF token. Case pages and searches are of cases the user saw in their own
inbox or search results; a completion opens the task form of a task in the user's inbox (GET, a page
view), fills it as ``bench.http_client.fill_task_form`` does (the form's defaults, valid values for the
rest, a unique token in every free text) and posts it with the ``expected_version`` the form showed.
``--duel-share`` of the completions are duels: a colleague with the same role in the same office (or the
same account signed in on a second device where there is no such colleague) opens the same form, and
both post at once; exactly one must get 302 and the other 409.

Afterwards (``bench.verify``) the database is checked: every acknowledged completion is there with the
data sent, no refused submission left anything, no lost update (no two completions of a case committed
against the same version; version increments = acknowledged changes + timer firings), the touched
cases' work items match their workflows, and ``guardloop audit verify`` passes.

    python -m bench.load --database-url postgresql://postgres@127.0.0.1:5432/guardloop_load_dev \\
        --workers 1 2 4 --duration 60 --json load.json

The run changes the database (it completes tasks): use a copy (``createdb -T``) of a seeded database.
"""
import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench import verify  # noqa: E402
from bench.http_client import Client, User, fill_task_form, form_key, parse_task_form, require_loopback  # noqa: E402
from bench.server import Gunicorn, RenderWorkers, require_local_database  # noqa: E402
from bench.stats import MIX, MixPicker, Tally, latency_summary, machine_cpu, process_cpu_seconds  # noqa: E402
from engine.workflow.clock import CHINA_TZ  # noqa: E402
from web.task_forms import FORMS  # noqa: E402

# Tasks the load completes (Procedure v2: every user task with a form, and an order's draft, whose form is
# the measure's). Visits and sessions are records, not tasks: the load does not record them. Some tasks issue
# documents as they complete (notices, assessments, approved orders): rendered after the commit.
COMPLETABLE = tuple(FORMS) + ("draft_order",)


def model_roles(models_dir: Path = ROOT / "workflows") -> dict:
    """task spec -> the roles that may complete it, from the models' ``roles`` properties (what a user knows
    of their own job; a supervisor's inbox lists every task of their agency, also those for other roles)."""
    from lxml import etree
    found = {}
    for path in sorted(models_dir.glob("*.bpmn")):
        for task in etree.parse(str(path)).iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask"):
            for prop in task.iter("{*}property"):
                if prop.get("name") == "roles":
                    found[task.get("id")] = {r.strip() for r in prop.get("value", "").split(",") if r.strip()}
    return found


# --- choosing the simulated users ---------------------------------------------------------------

def work_by_lane(items, tasks=None) -> Counter:
    """Work items per (lane, district id, role) from rows of (lane, district_id, roles, task_spec); only the
    tasks named in ``tasks`` when given."""
    work = Counter()
    for lane, district_id, roles, spec in items:
        if tasks is None or spec in tasks:
            for role in roles:
                agency, _, bare = role.rpartition(":")   # "court:judge": only the court's judges
                if agency in ("", lane):
                    work[(lane, district_id, bare)] += 1
    return work


def pick_users(gl, count: int, seed: int, tasks=COMPLETABLE) -> tuple[list[User], dict]:
    """``count`` users with completable work in their inbox, spread round-robin over agencies and districts,
    each with a twin for duels (a colleague with the same role in the same office, or the same account)."""
    from engine.models import Agency, District, User as UserRow, WorkItem
    with gl.reading() as session:
        people = session.execute(select(UserRow.id, UserRow.username, UserRow.role, Agency.code, District.code,
                                        UserRow.district_id)
                                 .join(Agency, Agency.id == UserRow.agency_id)
                                 .join(District, District.id == UserRow.district_id)
                                 .where(UserRow.active.is_(True), UserRow.role != "admin")).all()
        items = session.execute(select(WorkItem.lane, WorkItem.district_id, WorkItem.roles, WorkItem.task_spec)).all()
    spec_roles = model_roles()
    work = work_by_lane(items, tasks)
    eligible = [p for p in people if work[(p.code, p.district_id, p.role)] > 0]
    rng = random.Random(seed)
    rng.shuffle(eligible)
    by_agency = defaultdict(list)
    for p in eligible:
        by_agency[p[3]].append(p)
    chosen = []
    while len(chosen) < count and any(by_agency.values()):
        for agency in sorted(by_agency):
            if by_agency[agency] and len(chosen) < count:
                chosen.append(by_agency[agency].pop())
    colleagues = defaultdict(list)
    for p in people:
        colleagues[(p[3], p.district_id, p.role)].append(p)
    users, twins_same_account = [], 0
    for p in chosen:
        user = User(p.username, p.id, p.role, p[3], p[4])
        other = next((c for c in colleagues[(p[3], p.district_id, p.role)] if c.username != p.username), None)
        if other is None:
            twins_same_account += 1
            other = p
        user.twin = User(other.username, other.id, other.role, other[3], other[4])
        users.append(user)
    info = {"eligible_users": len(eligible), "chosen": len(users),
            "by_agency": dict(Counter(u.agency for u in users)), "districts": len({u.district for u in users}),
            "duel_partner_is_same_account": twins_same_account}
    for user in users:   # a supervisor's inbox lists all their agency's tasks: they pick the ones they may do
        user.may_complete = user.twin.may_complete = {s for s, roles in spec_roles.items() if user.role in roles}
    return users, info


# --- the load ------------------------------------------------------------------------------------

class LoadRun:
    """Closed-loop load over one server: ``prepare`` signs everyone in, ``run`` sends the mix."""

    def __init__(self, base_url: str, users: list[User], *, prefix: str, seed: int, duel_share: float,
                 tasks=COMPLETABLE, max_requests: int | None = None, mix: dict | None = None):
        self.base = require_loopback(base_url)
        self.users, self.prefix = users, prefix
        self.rng = random.Random(seed)
        self.mix = MixPicker(mix, seed=seed + 1)
        self.duel_share, self.tasks = duel_share, set(tasks)
        self.max_requests = max_requests
        self.tally = Tally()
        self.attempts: list[verify.Attempt] = []
        self.by_spec = defaultdict(list)
        self.duels = Counter()
        self.fallbacks = Counter()
        self.measuring = False
        self.sent_in_window = 0
        self.counter = 0
        self.events: list[tuple[float, str, str]] = []   # (monotonic time, kind, error) of failed requests

    def _seen(self, kind, response):
        if response.status is None or response.status >= 500:
            self.events.append((time.monotonic(), kind, response.error or str(response.status)))
        if self.measuring:
            self.sent_in_window += 1
            self.tally.add(kind, response.status, response.seconds, response.error)

    def client(self, timeout: float = 120.0) -> Client:
        return Client(self.base, timeout=timeout, on_response=self._seen)

    async def prepare(self, client: Client) -> dict:
        started = time.perf_counter()
        failed = []
        sem = asyncio.Semaphore(4)

        async def sign_in(user):
            async with sem:
                if not await client.login(user):
                    failed.append(user.username)
                    return
                if user.cases:
                    await client.search(user, next(iter(user.cases.values())))

        await asyncio.gather(*(sign_in(u) for u in self.users), *(sign_in(u.twin) for u in self.users))
        return {"signed_in": 2 * len(self.users) - len(failed), "failed": failed,
                "seconds": round(time.perf_counter() - started, 1)}

    def _token(self) -> str:
        self.counter += 1
        return f"{self.prefix}-{self.counter}"

    def _to_refresh(self) -> User:
        """A user who may complete tasks, among those who know of the fewest: whose inbox to read again."""
        able = [u for u in self.users if u.may_complete] or self.users
        return min(able, key=lambda u: (len(self._completable(u)), self.rng.random()))

    def _completable(self, user):
        return [r for r in user.rows.values() if r.spec in self.tasks and r.spec in user.may_complete]

    async def action(self, client: Client) -> None:
        kind = self.mix.next()
        user = self.rng.choice(self.users)
        if kind == "trivial":
            await client.trivial(user)
        elif kind == "form":
            await self.form_only(client, user)
        elif kind == "inbox":
            await client.inbox(user)
        elif kind == "case":
            if not user.cases:
                self.fallbacks["case->inbox"] += 1
                await client.inbox(user)
                return
            await client.case_page(user, self.rng.choice(list(user.cases)))
        elif kind == "search":
            if not user.cases:
                self.fallbacks["search->inbox"] += 1
                await client.inbox(user)
                return
            case_no = self.rng.choice(list(user.cases.values()))
            text = case_no if self.rng.random() < 0.5 else case_no[:-2]   # one case, or up to 100
            await client.search(user, text)
        else:
            candidates = [u for u in self.users if self._completable(u)]
            if not candidates:   # everyone's known work is done: look for more where it can be done
                self.fallbacks["complete->inbox"] += 1
                await client.inbox(self._to_refresh())
                return
            user = self.rng.choice(candidates)
            row = self.rng.choice(self._completable(user))
            if self.rng.random() < self.duel_share:
                await self.duel(client, user, row)
            else:
                await self.complete(client, user, row)

    async def form_only(self, client: Client, user: User) -> None:
        """Open a task form and leave it (the form's GET alone)."""
        rows = self._completable(user) or [r for u in self.users for r in self._completable(u)]
        if not rows:
            self.fallbacks["form->inbox"] += 1
            await client.inbox(self._to_refresh())
            return
        row = self.rng.choice(rows)
        owner = user if row in self._completable(user) else next(u for u in self.users if row in self._completable(u))
        await client.task_form(owner, row)

    async def complete(self, client: Client, user: User, row) -> None:
        user.rows.pop(row.task_id, None)
        page = await client.task_form(user, row)
        if page.status != 200:
            return
        form, key = parse_task_form(page.body), form_key(row.spec, page.body)
        if form is None or key is None:
            self.fallbacks["form_not_found"] += 1
            return
        attempt, pairs = self._attempt(user, row, form, "complete", key)
        resp = await client.submit(user, row, pairs)
        attempt.status = resp.status
        if resp.status == 302:
            self.by_spec[row.spec].append(resp.seconds)

    async def duel(self, client: Client, user: User, row) -> None:
        """Two people post the same task form, seen at the same version, at the same moment."""
        user.rows.pop(row.task_id, None)
        first, second = await asyncio.gather(client.task_form(user, row), client.task_form(user.twin, row))
        if first.status != 200 or second.status != 200:
            self.duels["not_started"] += 1
            return
        forms = [parse_task_form(first.body), parse_task_form(second.body)]
        key = form_key(row.spec, first.body)
        if None in forms or key is None or \
                forms[0].hidden.get("expected_version") != forms[1].hidden.get("expected_version"):
            self.duels["not_started"] += 1    # the case moved between the two reads: no duel
            return
        a1, p1 = self._attempt(user, row, forms[0], "duel", key)
        a2, p2 = self._attempt(user.twin, row, forms[1], "duel", key)
        r1, r2 = await asyncio.gather(client.submit(user, row, p1, "duel"),
                                      client.submit(user.twin, row, p2, "duel"))
        a1.status, a2.status = r1.status, r2.status
        outcome = tuple(sorted((str(r1.status), str(r2.status))))
        self.duels[{("302", "409"): "one_won_one_409", ("409", "409"): "both_409_case_moved",
                    ("302", "302"): "BOTH_WON"}.get(outcome, "other:" + "/".join(outcome))] += 1
        for r in (r1, r2):
            if r.status == 302:
                self.by_spec[row.spec].append(r.seconds)

    def _attempt(self, user: User, row, form, kind: str, key: str):
        token = self._token()
        pairs, sent = fill_task_form(key, form, token, _today_china(), self.rng)
        version = int(form.hidden.get("expected_version") or 0)
        attempt = verify.Attempt(token, user.username, user.user_id, row.case_id, row.task_id, row.spec, version,
                                 None, kind, sent, time.monotonic())
        self.attempts.append(attempt)
        return attempt, pairs

    async def run(self, client: Client, duration: float, concurrency: int, warmup: float = 0.0,
                  probe=None) -> dict:
        """Warm up (not measured), then measure for ``duration`` s or ``max_requests`` requests.
        ``probe()`` (optional) is read at the start and the end of the window (e.g. the server's CPU)."""
        stop_at = time.monotonic() + warmup + duration
        window = {}

        async def loop():
            while time.monotonic() < stop_at and not self._enough():
                await self.action(client)

        async def clock():
            if warmup:
                await asyncio.sleep(warmup)
            self.tally = Tally()
            self.by_spec.clear()
            self.duels.clear()
            window["cpu"] = (time.process_time(), machine_cpu())
            window["probe"] = probe() if probe else None
            window["start"], window["wall_start"] = time.monotonic(), time.time()
            self.measuring = True
            while time.monotonic() < stop_at and not self._enough():
                await asyncio.sleep(0.05)
            self.measuring = False
            window["end"], window["wall_end"] = time.monotonic(), time.time()
            window["cpu_end"] = (time.process_time(), machine_cpu())
            window["probe_end"] = probe() if probe else None

        await asyncio.gather(clock(), *(loop() for _ in range(concurrency)))
        return window

    def _enough(self) -> bool:
        return self.max_requests is not None and self.sent_in_window >= self.max_requests


def _today_china():
    from datetime import datetime
    return datetime.now(CHINA_TZ).date()


# --- one worker count ------------------------------------------------------------------------------

ACTIONS = (*MIX, "trivial", "form")
# What each endpoint measured alone counts as its request (a completion: the form's GET and its POST).
ENDPOINT_KIND = {"trivial": "trivial", "inbox": "inbox", "case": "case", "search": "search", "form": "task_form",
                 "complete": "complete"}


def run_one(args, gl, workers: int, users: list[User], prefix: str, log_dir: str) -> tuple[dict, list]:
    """One gunicorn with ``workers`` (and ``--render-workers`` rendering processes): each of ``--endpoints``
    alone, then the mix, side by side in one run against the same server."""
    phases = [(name, {name: 100}, args.endpoint_duration) for name in args.endpoints]
    if args.duration > 0:
        phases.append(("mix", args.mix or MIX, args.duration))
    with Gunicorn(args.database_url, workers, log_dir=log_dir, app=args.app) as server, \
            RenderWorkers(args.database_url, args.render_workers, log_dir=log_dir) as renderers:
        run = LoadRun(server.url, users, prefix=f"{prefix}w{workers}", seed=args.seed + workers,
                      duel_share=args.duel_share, max_requests=args.max_requests, mix=phases[0][1])
        backlog = drain_render_queue(gl) if args.render_workers else None

        def probe():
            return server.cpu_seconds(), postgres_cpu(gl), renderers.cpu_seconds()

        async def main():
            async with run.client() as client:
                prepared = await run.prepare(client)
                measured = []
                for name, mix, duration in phases:
                    run.mix = MixPicker(mix, seed=args.seed + len(measured))
                    run.fallbacks.clear()
                    window = await run.run(client, duration, args.concurrency, args.warmup, probe)
                    measured.append((name, window, run.tally, dict(run.by_spec), dict(run.duels),
                                     dict(run.fallbacks)))
                return prepared, measured

        prepared, measured = asyncio.run(main())
        pdfs = {name: pdf_delays(gl, window) for name, window, *_ in measured}
        problems = server.log_problems()
    results = {name: window_figures(args, window, tally, by_spec, duels, fallbacks, pdfs[name])
               for name, window, tally, by_spec, duels, fallbacks in measured}
    figures = dict(results.get("mix") or {})
    figures.update({"workers": workers, "render_workers": args.render_workers, "render_backlog_before": backlog,
                    "concurrency": args.concurrency,
                    "users": len(users), "sign_in": prepared, "gunicorn_log": problems,
                    "endpoints": {name: f for name, f in results.items() if name != "mix"}})
    figures["ratios"] = ratios(figures["endpoints"], results.get("mix"))
    return figures, run.attempts


def window_figures(args, window, tally, by_spec, duels, fallbacks, pdfs) -> dict:
    """Throughput, latency, statuses and CPU of one measured window."""
    seconds = window["end"] - window["start"]
    gunicorn_cpu = window["probe_end"][0] - window["probe"][0]
    pg_before, pg_after = window["probe"][1], window["probe_end"][1]
    postgres_seconds = sum(cpu - pg_before.get(pid, 0.0) for pid, cpu in pg_after.items())
    render_seconds = window["probe_end"][2] - window["probe"][2]
    figures = tally.summary(seconds)
    requests = sum(sum(c.values()) for c in figures["status_counts"].values())
    client_cpu = window["cpu_end"][0] - window["cpu"][0]
    busy = window["cpu_end"][1][0] - window["cpu"][1][0]
    total = window["cpu_end"][1][1] - window["cpu"][1][1]
    server = gunicorn_cpu + postgres_seconds
    cores = os.cpu_count() or 2
    figures.update({
        "completion_latency_by_task": {spec: latency_summary(v) for spec, v in sorted(by_spec.items())},
        "duels": duels, "fallbacks": fallbacks, "pdf_available": pdfs,
        "ok_per_s": {kind: round(sum(n for status, n in counts.items() if status.isdigit() and
                                     200 <= int(status) < 400) / seconds, 1)
                     for kind, counts in figures["status_counts"].items()},
        "cpu": {"client_seconds": round(client_cpu, 2), "client_share_of_one_core": round(client_cpu / seconds, 3),
                "machine_busy_share_of_all_cores": round(busy / total, 3) if total else None,
                "gunicorn_seconds": round(gunicorn_cpu, 2), "postgres_seconds": round(postgres_seconds, 2),
                "render_workers_seconds": round(render_seconds, 2), "cores": cores,
                # what one request costs the server (gunicorn + PostgreSQL backends of this database), and
                # the throughput that cost allows on all cores of an otherwise idle machine
                "server_cpu_ms_per_request": round(1000 * server / max(1, requests), 1),
                "server_cpu_ms_per_completion": round(1000 * server / figures["completions"], 1)
                if figures["completions"] else None,
                "render_cpu_ms_per_document": round(1000 * render_seconds / pdfs["rendered"], 1)
                if pdfs.get("rendered") else None,
                "capacity_requests_per_s_idle_machine": round(cores * requests / server, 1) if server else None,
                "capacity_page_views_per_s_idle_machine": round(cores * figures["page_views"] / server, 1)
                if server else None,
                "capacity_completions_per_s_idle_machine": round(cores * figures["completions"] / server, 1)
                if server else None},
    })
    return figures


def ratios(endpoints: dict, mix: dict | None) -> dict:
    """Each endpoint against the trivial page of the same run: throughput (answered per second) and CPU
    (the trivial page's server CPU per request over the endpoint's; for a completion, per completion)."""
    base = endpoints.get("trivial")
    if not base:
        return {}
    base_rate = base["ok_per_s"].get("trivial", 0.0)
    base_cpu = base["cpu"]["server_cpu_ms_per_request"]
    out = {}
    for name, f in endpoints.items():
        kind = ENDPOINT_KIND[name]
        rate = f["completions_per_s"] if name == "complete" else f["ok_per_s"].get(kind, 0.0)
        cpu = f["cpu"]["server_cpu_ms_per_completion"] if name == "complete" else f["cpu"]["server_cpu_ms_per_request"]
        out[name] = {"per_s": rate, "server_cpu_ms": cpu,
                     "throughput_ratio": round(rate / base_rate, 3) if base_rate else None,
                     "cpu_ratio": round(base_cpu / cpu, 3) if cpu else None}
    if "complete" in out:
        out["complete"]["post_cpu_ms_estimate"] = post_cpu_estimate(endpoints)
    if mix:
        out["mix"] = {"page_views_per_s": mix["page_views_per_s"], "completions_per_s": mix["completions_per_s"],
                      "page_view_ratio": round(mix["page_views_per_s"] / base_rate, 3) if base_rate else None,
                      "completion_ratio": round(mix["completions_per_s"] / base_rate, 3) if base_rate else None}
    return out


def drain_render_queue(gl, wait: float = 600.0) -> dict:
    """Let the rendering workers finish what was queued before the run (a seeded or demo database's
    documents), so that no window measures an old backlog."""
    from engine.models import RenderJob
    started = time.monotonic()
    count = select(func.count()).select_from(RenderJob).where(RenderJob.state == "queued")
    with gl.reading() as session:
        before = session.scalar(count)
    left = before
    while left and time.monotonic() - started < wait:
        time.sleep(1.0)
        with gl.reading() as session:
            left = session.scalar(count)
    return {"queued": before, "left": left, "seconds": round(time.monotonic() - started, 1)}


def post_cpu_estimate(endpoints: dict) -> float | None:
    """Server CPU of one completion POST: the completion window's CPU less what its other requests (the
    forms' GETs, inboxes read to find more work) cost alone in their own windows, per POST answered 302."""
    f = endpoints["complete"]
    others = {"task_form": "form", "inbox": "inbox"}
    counts = {k: sum(f.get("status_counts", {}).get(k, {}).values()) for k in others}
    if any(counts[k] and others[k] not in endpoints for k in counts) or not f.get("completions"):
        return None
    total = f["cpu"]["gunicorn_seconds"] + f["cpu"]["postgres_seconds"]
    spent = sum(counts[k] * endpoints[others[k]]["cpu"]["server_cpu_ms_per_request"] / 1000 for k in counts)
    return round(1000 * (total - spent) / f["completions"], 1)


def pdf_delays(gl, window: dict, wait: float = 60.0) -> dict:
    """How long after issue the PDFs of the documents issued in the window were there (waits up to
    ``wait`` s after the window for the rendering workers to finish them)."""
    from datetime import datetime, timezone
    from engine.models import DocumentFile, DocumentRecord
    since = datetime.fromtimestamp(window["wall_start"], timezone.utc)
    until = datetime.fromtimestamp(window["wall_end"], timezone.utc)
    query = (select(DocumentRecord.issued_at, DocumentFile.rendered_at)
             .outerjoin(DocumentFile, DocumentFile.document_id == DocumentRecord.id)
             .where(DocumentRecord.issued_at >= since, DocumentRecord.issued_at < until))
    deadline = time.monotonic() + wait
    while True:
        with gl.reading() as session:
            rows = session.execute(query).all()
        if all(r.rendered_at for r in rows) or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    delays = [(r.rendered_at - r.issued_at).total_seconds() for r in rows if r.rendered_at]
    return {"issued": len(rows), "rendered": len(delays),
            **{k.replace("_ms", "_s"): round(v / 1000, 2) for k, v in latency_summary(delays).items() if k != "n"}}


def postgres_cpu(gl) -> dict:
    """pid -> CPU seconds of every PostgreSQL backend connected to this database now (from /proc)."""
    from sqlalchemy import text
    with gl.engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid()")).scalars().all()
    return {pid: cpu for pid in pids if (cpu := process_cpu_seconds(pid)) is not None}


def database_size(gl) -> dict:
    from engine.models import AuditEntry, Case, Round, WorkItem
    with gl.reading() as session:
        return {"cases": session.scalar(select(func.count(Case.id))),
                "open_cases": session.scalar(select(func.count(Case.id)).where(Case.status == "open")),
                "running_rounds": session.scalar(select(func.count(Round.id)).where(Round.status == "running")),
                "work_items": session.scalar(select(func.count(WorkItem.id))),
                "audit_entries": session.scalar(select(func.count(AuditEntry.id)))}


def git_head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "?"


def verify_all(gl, database_url: str, baseline, attempts, prefix: str, consistency: bool = True) -> dict:
    started = time.perf_counter()
    completions = verify.check_completions(gl, attempts, prefix)
    unacked = completions.pop("_unacked_committed")
    versions = verify.check_versions(gl, baseline, attempts, unacked)
    touched = {a.case_id for a in attempts}
    result = {"completions": completions, "versions": versions}
    if consistency:
        result["consistency"] = verify.check_consistency(gl, touched)
    result["audit"] = verify.audit_verify(database_url)
    result["ok"] = all(part["ok"] for part in result.values() if isinstance(part, dict))
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def print_report(report: dict) -> None:
    out = sys.stdout
    print(f"\n== bench.load: {report['database']} ({report['database_size']['cases']:,} cases, "
          f"{report['database_size']['work_items']:,} work items), git {report['git']}", file=out)
    print(f"closed loop, concurrency {report['config']['concurrency']}, {report['config']['users']} users, "
          f"duel share {report['config']['duel_share']}, mix {report['config']['mix'] or MIX}", file=out)
    for r in report["runs"]:
        print_endpoints(r, out)
        if "seconds" not in r:
            continue
        print(f"\n-- gunicorn -w {r['workers']}: {r['seconds']} s measured; "
              f"{r['page_views_per_s']} page views/s, {r['completions_per_s']} completions/s "
              f"({r['requests_per_s']} requests/s)", file=out)
        print(f"   {'kind':<10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses", file=out)
        for kind, lat in r["latency"].items():
            statuses = r["status_counts"].get(kind, {})
            print(f"   {kind:<10} {lat.get('n', 0):>6} {lat.get('p50_ms', 0):>8} {lat.get('p95_ms', 0):>8} "
                  f"{lat.get('p99_ms', 0):>8}  {statuses}", file=out)
        for kind, statuses in r["status_counts"].items():
            if kind not in r["latency"]:
                print(f"   {kind:<10} (no answer) {statuses}", file=out)
        print(f"   completions by task (p50/p95 ms): " + ", ".join(
            f"{spec} {v['n']}× {v.get('p50_ms')}/{v.get('p95_ms')}" for spec, v in
            r["completion_latency_by_task"].items()), file=out)
        print(f"   duels: {r['duels']}; errors: {r['errors'] or 'none'}; fallbacks: {r['fallbacks'] or 'none'}",
              file=out)
        cpu = r["cpu"]
        print(f"   server CPU per request {cpu['server_cpu_ms_per_request']} ms (gunicorn {cpu['gunicorn_seconds']} s + "
              f"PostgreSQL {cpu['postgres_seconds']} s): on {cpu['cores']} idle cores this mix would give ≈ "
              f"{cpu['capacity_page_views_per_s_idle_machine']} page views/s, "
              f"{cpu['capacity_completions_per_s_idle_machine']} completions/s", file=out)
        print(f"   CPU: client {r['cpu']['client_share_of_one_core']:.0%} of one core; machine busy "
              f"{r['cpu']['machine_busy_share_of_all_cores']:.0%} of {r['cpu']['cores']} cores; gunicorn log: "
              f"{r['gunicorn_log']['tracebacks']} tracebacks, {r['gunicorn_log']['worker_timeouts']} worker timeouts",
              file=out)
    v = report.get("verification")
    if v:
        c, ver = v["completions"], v["versions"]
        print(f"\n-- verification ({v['seconds']} s): {'OK' if v['ok'] else 'FAILED'}", file=out)
        print(f"   acknowledged completions present: {c['acknowledged_present']}/{c['acknowledged']}; "
              f"values compared {c['values_compared']}, mismatches {c['value_mismatches']}; "
              f"problems {c['problem_count']}", file=out)
        print(f"   lost updates: {ver['lost_update_count']} (same version twice), "
              f"{len(ver['fewer_increments_than_changes'])} (fewer increments than changes); commits without "
              f"acknowledgement: {len(ver['committed_without_acknowledgement'])}; over {ver['cases_changed']} cases",
              file=out)
        print(f"   increments = acknowledged changes + timer firings: "
              f"{'yes' if ver['counts_equal'] else 'NO'} — {ver['cases_with_more_increments_than_changes']} cases "
              f"with {ver['extra_increments_total']} extra increments; "
              f"tasks on those cases: {ver['specs_in_cases_with_more_increments']}", file=out)
        if ver["audit_version_differs_from_posted"]:
            print(f"   audit before.case_version != expected_version posted (task, difference): "
                  f"{ver['audit_version_differs_from_posted']}", file=out)
        if "consistency" in v:
            print(f"   work items vs workflow: {v['consistency']['rounds_checked']} rounds, "
                  f"{v['consistency']['problem_count']} problems", file=out)
        print(f"   guardloop audit verify: exit {v['audit']['exit_code']}: {v['audit']['output'][-160:]}", file=out)
    print_targets(report, out)
    print("\ntargets: >= 300 page views/s and >= 100 completions/s on 2 cores, no errors but the expected 409s",
          file=out)
    for r in (r for r in report["runs"] if "page_views_per_s" in r):
        print(f"   -w {r['workers']}: page views/s {r['page_views_per_s']} "
              f"({'met' if r['page_views_per_s'] >= 300 else 'MISSED'}), completions/s {r['completions_per_s']} "
              f"({'met' if r['completions_per_s'] >= 100 else 'MISSED'}), errors "
              f"{sum(sum(x.values()) for x in r['errors'].values())}", file=out)


TARGET_RATIOS = {"case": 0.35, "inbox": 0.5, "form": 0.5, "complete": 0.2}


def print_endpoints(r: dict, out) -> None:
    if not r.get("endpoints"):
        return
    print(f"\n-- gunicorn -w {r['workers']}, {r['render_workers']} render workers: each endpoint alone "
          f"(concurrency {r['concurrency']})", file=out)
    print(f"   {'endpoint':<10} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'x trivial':>10} "
          f"{'CPU x':>7}  render CPU s, PDFs (p95 s after issue)", file=out)
    for name, ratio in r["ratios"].items():
        if name == "mix":
            continue
        f, kind = r["endpoints"][name], ENDPOINT_KIND[name]
        lat = f["latency"].get(kind, {})
        pdf = f["pdf_available"]
        ratio = {k: "-" if v is None else v for k, v in ratio.items()}   # e.g. no completion in the window
        print(f"   {name:<10} {ratio['per_s']:>8} {lat.get('p50_ms', '-'):>8} {lat.get('p95_ms', '-'):>8} "
              f"{ratio['server_cpu_ms']:>8} {ratio['throughput_ratio']:>10} {ratio['cpu_ratio']:>7}  "
              f"{f['cpu']['render_workers_seconds']}, {pdf['rendered']}/{pdf['issued']} ({pdf.get('p95_s', '-')})",
              file=out)
    if r["ratios"].get("complete", {}).get("post_cpu_ms_estimate") is not None:
        post = r["ratios"]["complete"]["post_cpu_ms_estimate"]
        print(f"   a completion POST alone ≈ {post} ms of server CPU ({r['ratios']['trivial']['server_cpu_ms']} / "
              f"{post} = {round(r['ratios']['trivial']['server_cpu_ms'] / post, 3)} x trivial by CPU)", file=out)
    if "mix" in r["ratios"]:
        m = r["ratios"]["mix"]
        print(f"   mix: {m['page_views_per_s']} page views/s ({m['page_view_ratio']} x trivial), "
              f"{m['completions_per_s']} completions/s ({m['completion_ratio']} x trivial); PDFs "
              f"{r['pdf_available']['rendered']}/{r['pdf_available']['issued']} p95 {r['pdf_available'].get('p95_s')} s "
              f"after issue", file=out)


def print_targets(report: dict, out) -> None:
    print("\ntargets (x a trivial page, same run): case page >= 0.35, inbox >= 0.5, task form >= 0.5, "
          "completion >= 0.2; a PDF <= 5 s after its completion at p95", file=out)
    for r in report["runs"]:
        for name, target in TARGET_RATIOS.items():
            ratio = r.get("ratios", {}).get(name)
            if ratio and ratio["throughput_ratio"] is not None:
                print(f"   -w {r['workers']} {name:<9} {ratio['throughput_ratio']:>6} "
                      f"({'met' if ratio['throughput_ratio'] >= target else 'MISSED'})", file=out)
        for name, f in [*r.get("endpoints", {}).items(), ("mix", r)]:
            pdf = f.get("pdf_available") or {}
            if pdf.get("rendered"):
                print(f"   -w {r['workers']} PDFs ({name}) p95 {pdf['p95_s']} s "
                      f"({'met' if pdf['p95_s'] <= 5 else 'MISSED'})", file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL database (seeded with bench.seed)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds per worker count")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring")
    parser.add_argument("--max-requests", type=int, default=50000, help="per worker count, within the window")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duel-share", type=float, default=0.1, help="share of completions raced by two users")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", nargs="+", metavar="KIND=WEIGHT",
                        help=f"another mix, e.g. inbox=100 to measure one page (default {MIX}; also trivial, form)")
    parser.add_argument("--endpoints", nargs="*", default=list(ENDPOINT_KIND), choices=list(ENDPOINT_KIND),
                        help="measured alone, one after the other, before the mix (none: --endpoints with no value)")
    parser.add_argument("--endpoint-duration", type=float, default=20.0, help="measured seconds per endpoint")
    parser.add_argument("--render-workers", type=int, default=1,
                        help="`guardloop render --loop` processes beside gunicorn (0: none)")
    parser.add_argument("--app", default="bench.wsgi:app", help="the WSGI app gunicorn serves")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--json", help="write the figures as JSON to this path")
    args = parser.parse_args(argv)
    require_local_database(args.database_url)
    if args.mix:
        try:
            args.mix = {kind: float(weight) for kind, weight in (item.split("=") for item in args.mix)}
        except ValueError:
            parser.error("--mix takes KIND=WEIGHT items")
        if not set(args.mix) <= set(ACTIONS) or not any(args.mix.values()):
            parser.error(f"--mix kinds are {', '.join(ACTIONS)}")

    from engine.context import GuardLoop
    from engine.infra.settings import Settings
    gl = GuardLoop(Settings(database_url=args.database_url))
    prefix = "lt" + format(int(time.time()), "x")[-7:]
    report = {"benchmark": "load", "git": git_head(), "python": platform.python_version(),
              "database": gl.engine.url.render_as_string(hide_password=True), "database_size": database_size(gl),
              "config": {k: v for k, v in vars(args).items() if k != "json"}, "token_prefix": prefix,
              "load_average_before": os.getloadavg(), "runs": []}
    users, report["users"] = pick_users(gl, args.users, args.seed)
    if not users:
        raise SystemExit("no user has completable work in this database: seed it first (bench.seed)")
    baseline = verify.take_baseline(gl)
    attempts = []
    log_dir = os.environ.get("GUARDLOOP_BENCH_LOGS") or None
    for workers in args.workers:
        print(f"[load] gunicorn -w {workers}: {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured ...",
              file=sys.stderr)
        figures, run_attempts = run_one(args, gl, workers, users, prefix, log_dir)
        report["runs"].append(figures)
        attempts += run_attempts
        for u in users:   # a fresh sign-in per server: forget what the last run saw
            u.rows.clear()
    if not args.no_verify:
        print("[load] verifying the database ...", file=sys.stderr)
        report["verification"] = verify_all(gl, args.database_url, baseline, attempts, prefix)
    gl.engine.dispose()
    if args.json:   # first: a report that cannot be printed is still kept
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print_report(report)
    errors = [f.get("errors") for r in report["runs"] for f in (r, *r.get("endpoints", {}).values())]
    ok = report.get("verification", {}).get("ok", True) and not any(errors)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
