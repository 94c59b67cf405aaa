"""The ``guardloop`` command: init, demo, tick, status (and serve, once the web UI lands)."""
import os
import signal
import sys
import threading
import time

import click
from sqlalchemy import func, select

from engine.auditlog.record import HEAD_ID
from engine.auditlog.verify import checkpoint_line, read_checkpoints, verify
from engine.context import GuardLoop
from engine.demo.cases import seed_demo
from engine.errors import InvalidInput, NotConfigured, PermissionDenied
from engine.infra import workers
from engine.infra.bootstrap import DEMO_PASSWORD, DEMO_USERS, init as run_init
from engine.infra.db_roles import grant_app_role as grant
from engine.infra.settings import DEMO_AUDIT_KEY
from engine.infra.workers import chain_views
from engine.issuing import rendering
from engine.models import AuditHead, Case, Round, User, WorkItem
from engine.services import tick as run_tick
from engine.services.bases import raise_expiry_notices
from engine.services.digest import send_digests
from engine.services.setup import add_user
from engine.services.webhooks import deliver_after_tick
from engine.workflow.clock import clock


@click.group()
def main():
    """GuardLoop (监护闭环) — guardianship interventions for minors."""


@main.command()
@click.option("--demo-users/--no-demo-users", default=False, show_default=True,
              help="Also create the demo accounts (password published): refused where real accounts exist.")
def init(demo_users):
    """Create or migrate the database, seed reference data, deploy the models (and demo users if asked)."""
    gl = GuardLoop()
    try:
        created = run_init(gl, with_demo_users=demo_users)
    except PermissionDenied as exc:
        raise click.ClickException(f"{exc.message_en} {exc.message}") from None
    click.echo(f"Database ready: {gl.engine.url.render_as_string(hide_password=True)}")
    if not demo_users:
        click.echo("No demo accounts were created. Create the first administrator with `guardloop create-user`.")
        return
    click.echo(f"Demo users ({len(created)} created now), password for all: {DEMO_PASSWORD}")
    for username, name, agency, role, district in DEMO_USERS:
        click.echo(f"  {username:<16} {role:<11} {agency:<18} {district:<4} {name}")


@main.command("grant-app-role")
@click.argument("role")
def grant_app_role(role):
    """Grant the application's PostgreSQL ROLE what it needs (run as the schema's owner after each `init`)."""
    gl = GuardLoop()
    try:
        statements = grant(gl.engine, role)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{len(statements)} grants to {role} on {gl.engine.url.render_as_string(hide_password=True)}")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--agency", required=True)
@click.option("--role", required=True)
@click.option("--district", required=True, help="District code, e.g. JB")
@click.password_option()
def create_user(username, display_name, agency, role, district, password):
    """Create an account from the command line (e.g. the first administrator). The password must meet the
    policy: at least 10 characters, not the user name, not easy to guess."""
    gl = GuardLoop()
    try:
        with gl.transaction() as session:
            add_user(session, None, {"username": username, "display_name": display_name, "agency": agency,
                                     "role": role, "district": district, "password": password})
    except InvalidInput as exc:
        raise click.BadParameter(exc.message_en, param_hint=exc.field) from None
    click.echo(f"Created {username}.")


@main.command()
def demo():
    """Seed realistic demo cases that cover every path of the procedure (skipped when present)."""
    gl = GuardLoop()
    with gl.reading() as session:
        if session.scalars(select(User.id).where(User.demo.is_(True))).first() is None:
            raise click.ClickException("The demo cases need the demo accounts: run `guardloop init --demo-users` first.")
    created = seed_demo(gl)
    click.echo(f"Demo cases created now: {len(created)}" if created else "Demo cases already present.")
    for case_no, story in created:
        click.echo(f"  {case_no}  {story}")


@main.command()
@click.option("--loop", is_flag=True, help="Keep running, firing due timers every --every seconds.")
@click.option("--every", default=30.0, show_default=True)
def tick(loop, every):
    """Fire due timers, deliver due webhook events, raise expiring-base work items (safe to run in several processes at once)."""
    gl = GuardLoop()
    while True:
        moved = run_tick(gl)
        click.echo(f"rounds moved by timers: {moved}")
        delivered = deliver_after_tick(gl)
        if delivered:
            click.echo(f"webhook deliveries attempted: {delivered}")
        click.echo(f"practice bases expiring, work items raised: {raise_expiry_notices(gl)}")
        if not loop:
            return
        time.sleep(every)


@main.command()
def digest():
    """Send the e-mail digest of unread notifications now to every user who asked for it (GUARDLOOP_SMTP_*)."""
    try:
        sent = send_digests(GuardLoop())
    except NotConfigured as exc:
        raise click.ClickException(f"{exc.message_en} {exc.message}") from None
    click.echo(f"digests sent: {sent}")


@main.command()
def status():
    """Print every case with its code, round, open tasks and overdue items."""
    gl = GuardLoop()
    now = clock.now()
    with gl.reading() as session:
        cases = session.scalars(select(Case).order_by(Case.case_no)).all()
        click.echo(f"{len(cases)} cases")
        for case in cases:
            rounds = session.scalar(select(func.count(Round.id)).where(Round.case_id == case.id))
            items = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id)).all()
            open_tasks = ", ".join(
                f"{i.task_name}[{i.lane}]{'（逾期）' if i.due_at < now else ''}" for i in items) or "—"
            click.echo(f"  {case.case_no}  {case.status:<6} {case.current_code or '—':<6} rounds={rounds}  {open_tasks}")


@main.group()
def audit():
    """The tamper-evident audit log."""


@audit.command("verify")
@click.option("--head", "head_file", type=click.Path(exists=True, dir_okay=False),
              help="Also compare with the checkpoints in this file (from `audit checkpoint` or `audit head`).")
def audit_verify(head_file):
    """Walk the hash chain and name the first entry that was altered, inserted or deleted (exit 1); with
    --head, also a tail that was cut off or recomputed since a checkpoint."""
    checkpoints = []
    if head_file:
        try:
            checkpoints = read_checkpoints(open(head_file, encoding="utf-8").read())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--head") from None
    gl = GuardLoop()
    if gl.settings.audit_key == DEMO_AUDIT_KEY:
        click.echo("WARNING: the demo audit key is in use (set GUARDLOOP_AUDIT_KEY in production).", err=True)
    started = time.perf_counter()
    report = verify(gl, checkpoints=checkpoints)
    click.echo(f"Checked {report.checked} audit entries in {time.perf_counter() - started:.1f} s; "
               f"chain head: entry {report.head[0]}, {report.head[1][:16]}…; keyed from entry {report.keyed_from}; "
               f"{report.staged} access entries staged, not yet chained"
               + (f"; {report.checkpoints} checkpoints compared" if head_file else ""))
    if report.ok:
        click.echo("OK: the chain is intact. 审计日志完整，未发现篡改。")
        return
    first = report.problems[0]
    click.echo(f"TAMPERED at entry {first.entry_id}: {first.en}\n审计日志被篡改：{first.zh}", err=True)
    for problem in report.problems[1:]:
        click.echo(f"  also entry {problem.entry_id}: {problem.en}", err=True)
    sys.exit(1)


@audit.command("head")
def audit_head():
    """Print the end of the chain (id and hash), to keep a copy outside the database."""
    id_, hash_ = _chain_head(GuardLoop())
    click.echo(f"{id_} {hash_}")


@audit.command("checkpoint")
@click.argument("file", type=click.Path(dir_okay=False))
def audit_checkpoint(file):
    """Append the end of the chain, signed with the audit key, to FILE (keep it outside the database, e.g.
    on another host; run on a schedule). `audit verify --head FILE` compares the chain with it."""
    gl = GuardLoop()
    chain_views(gl)   # the views staged so far belong before the checkpoint
    id_, hash_ = _chain_head(gl)
    line = checkpoint_line(id_, hash_, gl.audit_key)
    descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as out:
        out.write(line + "\n")
    click.echo(line)


def _chain_head(gl: GuardLoop) -> tuple[int, str]:
    with gl.reading() as session:
        head = session.get(AuditHead, HEAD_ID)
        return head.last_id, head.last_hash


@main.command()
@click.option("--loop", is_flag=True, help="Keep running: render documents as they are issued.")
@click.option("--every", default=0.5, show_default=True, help="Seconds between polls when idle.")
@click.option("--retry-failed", is_flag=True, help="First queue again the documents given up on.")
def render(loop, every, retry_failed):
    """Render issued documents (and chain staged access entries); any number of processes may run it."""
    gl = GuardLoop()
    if retry_failed:
        click.echo(f"queued again: {rendering.retry_failed(gl)}")
    if not loop:
        done = workers.work_once(gl)
        click.echo(f"documents rendered: {done['rendered']}, access entries chained: {done['chained']}")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    workers.run(gl, stop, every)


if __name__ == "__main__":
    sys.exit(main())
