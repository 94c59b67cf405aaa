"""The ``guardloop`` command: the engine's commands plus ``serve``."""
import click

from engine.cli import main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host, port):
    """Serve the web UI (embedded server; use gunicorn 'web.wsgi:app' in production)."""
    from sqlalchemy import select

    from engine.bootstrap import DEMO_PASSWORD, DEMO_USERS
    from engine.models import User

    from . import create_app
    app = create_app()
    with app.extensions["guardloop"].reading() as session:
        present = set(session.scalars(select(User.username)))
    demo = [u for u in DEMO_USERS if u[0] in present]
    if demo:
        click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, name, agency, role, district in demo:
            click.echo(f"  {username:<16} {role:<11} {agency:<18} {district:<4} {name}")
    click.echo(f"GuardLoop is serving at http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


__all__ = ["main"]
