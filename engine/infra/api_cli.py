"""``guardloop api-client …``: the administrator registers the agencies' systems (issue 18)."""
import time

import click

from engine.context import GuardLoop
from engine.errors import DomainError, InvalidInput
from engine.services import api_clients, webhooks


def _fail(exc: DomainError):
    if isinstance(exc, InvalidInput):
        raise click.BadParameter(exc.message_en, param_hint=exc.field) from None
    raise click.ClickException(exc.message_en) from None


@click.group("api-client")
def api_client():
    """Register, list, rotate and revoke the API clients of the agencies' own systems."""


@api_client.command("create")
@click.option("--name", required=True, help="A name for the system, e.g. jb-hotline-12345")
@click.option("--agency", required=True, help="The agency it acts for, e.g. education")
@click.option("--district", required=True, help="District code, e.g. JB")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice(sorted(api_clients.SCOPES)), help="Repeat for each scope")
def create(name, agency, district, scopes):
    """Register a client; its token is printed once and never again."""
    try:
        client_id, token = api_clients.create_client(GuardLoop(), None, name=name, agency=agency, district=district,
                                                     scopes=list(scopes))
    except DomainError as exc:
        _fail(exc)
    click.echo(f"API client {name} (id {client_id}) created with scopes {', '.join(sorted(scopes))}.")
    click.echo("Its token, shown this once (only its hash is kept):")
    click.echo(token)


@api_client.command("rotate")
@click.argument("name")
def rotate(name):
    """A new token for NAME; the old one stops working at once."""
    try:
        token = api_clients.rotate_token(GuardLoop(), None, name)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"New token for {name}, shown this once (the old one no longer works):")
    click.echo(token)


@api_client.command("revoke")
@click.argument("name")
def revoke(name):
    """End NAME: its token stops working and its account is disabled; its clues stay."""
    try:
        api_clients.revoke_client(GuardLoop(), None, name)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"API client {name} revoked.")


@api_client.command("scopes")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(sorted(api_clients.SCOPES)))
def set_scopes(name, scopes):
    """Replace NAME's scopes."""
    try:
        result = api_clients.set_scopes(GuardLoop(), None, name, list(scopes))
    except DomainError as exc:
        _fail(exc)
    click.echo(f"{name}: {', '.join(result)}")


@api_client.command("list")
def list_clients():
    """Every client with its agency, district, scopes and state."""
    for row in api_clients.list_clients(GuardLoop(), None):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(f"{row.name:<24} {row.agency:<18} {row.district:<5} {','.join(row.scopes):<24} {state:<18} "
                   f"last used {used}")


@api_client.command("webhook")
@click.argument("name")
@click.option("--url", help="https://… (http only to a loopback address)")
@click.option("--remove", is_flag=True, help="Stop pushing status to NAME")
def webhook(name, url, remove):
    """Push the status of the clues NAME sent to URL, signed; prints the signing key once."""
    if bool(url) == bool(remove):
        raise click.UsageError("Give --url URL or --remove.")
    try:
        key = api_clients.set_webhook(GuardLoop(), None, name, None if remove else url)
    except DomainError as exc:
        _fail(exc)
    if key is None:
        click.echo(f"{name}: webhook removed.")
        return
    click.echo(f"{name}: events go to {url}. The signing key (HMAC-SHA256), shown this once:")
    click.echo(key)


@api_client.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering")
@click.option("--every", default=5.0, show_default=True, help="Seconds between rounds with --loop")
def deliver(loop, every):
    """POST due webhook events (retrying failures with growing delays); any number of processes may run."""
    gl = GuardLoop()
    while True:
        attempted = webhooks.deliver_due(gl)
        if attempted or not loop:
            click.echo(f"{attempted} webhook deliveries attempted.")
        if not loop:
            return
        time.sleep(every)
