"""The ``guardloop`` command: the engine's commands plus ``serve``."""
import click

from engine.cli import main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host, port):
    """Serve the web UI (embedded server; use gunicorn 'web.wsgi:app' in production)."""
    from . import create_app
    app = create_app()
    click.echo(f"GuardLoop: http://{host}:{port}/  (demo logins: see `guardloop init`)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


__all__ = ["main"]
