"""The ``guardloop`` command: init, demo, tick, status (and serve, once the web UI lands)."""
import sys
import time

import click
from sqlalchemy import func, select

from .context import GuardLoop


@click.group()
def main():
    """GuardLoop (监护闭环) — guardianship interventions for minors."""


@main.command()
@click.option("--demo-users/--no-demo-users", default=True, show_default=True,
              help="Create the demo accounts (never in production).")
def init(demo_users):
    """Create or migrate the database, seed reference data (and demo users), deploy the models."""
    from .bootstrap import DEMO_PASSWORD, DEMO_USERS, init as run_init
    gl = GuardLoop()
    created = run_init(gl, with_demo_users=demo_users)
    click.echo(f"Database ready: {gl.engine.url.render_as_string(hide_password=True)}")
    if not demo_users:
        return
    click.echo(f"Demo users ({len(created)} created now), password for all: {DEMO_PASSWORD}")
    for username, name, agency, role, district in DEMO_USERS:
        click.echo(f"  {username:<16} {role:<11} {agency:<18} {district:<4} {name}")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--agency", required=True)
@click.option("--role", required=True)
@click.option("--district", required=True, help="District code, e.g. JB")
@click.password_option()
def create_user(username, display_name, agency, role, district, password):
    """Create an account from the command line (e.g. the first administrator)."""
    from .errors import InvalidInput
    from .services.setup import add_user
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
    from .demo import seed_demo
    gl = GuardLoop()
    created = seed_demo(gl)
    click.echo(f"Demo cases created now: {len(created)}" if created else "Demo cases already present.")
    for case_no, story in created:
        click.echo(f"  {case_no}  {story}")


@main.command()
@click.option("--loop", is_flag=True, help="Keep running, firing due timers every --every seconds.")
@click.option("--every", default=30.0, show_default=True)
def tick(loop, every):
    """Fire due timers (safe to run in several processes at once)."""
    from .services import tick as run_tick
    gl = GuardLoop()
    while True:
        moved = run_tick(gl)
        click.echo(f"rounds moved by timers: {moved}")
        if not loop:
            return
        time.sleep(every)


@main.command()
def status():
    """Print every case with its code, round, open tasks and overdue items."""
    from .clock import clock
    from .models import Case, Round, WorkItem
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
def audit_verify():
    """Walk the hash chain and name the first entry that was altered, inserted or deleted (exit 1)."""
    from .audit_check import verify
    started = time.perf_counter()
    report = verify(GuardLoop())
    click.echo(f"Checked {report.checked} audit entries in {time.perf_counter() - started:.1f} s; "
               f"chain head: entry {report.head[0]}, {report.head[1][:16]}…")
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
    from .audit import HEAD_ID
    from .models import AuditHead
    with GuardLoop().reading() as session:
        head = session.get(AuditHead, HEAD_ID)
    click.echo(f"{head.last_id} {head.last_hash}")


if __name__ == "__main__":
    sys.exit(main())
