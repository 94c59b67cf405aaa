"""The ``guardloop`` command: the engine's commands plus ``serve``."""
import click

from engine.infra.api_cli import api_client
from engine.infra.bootstrap import DEMO_PASSWORD, DEMO_USERS
from engine.infra.cli import main
from engine.infra.workers import start_thread
from engine.reads.accounts import usernames
from web import create_app

main.add_command(api_client)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Render documents and chain access entries in a thread of this process.")
def serve(host, port, worker):
    """Serve the web UI (embedded server; use gunicorn 'web.wsgi:app' and `guardloop render --loop` in
    production)."""

    app = create_app()
    present = usernames(app.extensions["guardloop"])
    demo = [u for u in DEMO_USERS if u[0] in present]
    if demo:
        click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, name, agency, role, district in demo:
            click.echo(f"  {username:<16} {role:<11} {agency:<18} {district:<4} {name}")
    if worker:  # the embedded default needs no other process: issued documents are rendered here
        start_thread(app.extensions["guardloop"])
    click.echo(f"GuardLoop is serving at http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


__all__ = ["main"]
