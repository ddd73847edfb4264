"""Command-line interface: `flask --app app ...`. Commands are thin: they call services."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .. import migrate
from ..db import session_scope
from ..models import Role
from ..services import accounts
from ..services.errors import ServiceError
from .analytics import analytics_cli
from .certificates import certificates_cli
from .content import content_cli
from .demo import demo_cli
from .exports import export_certificates, xapi_cli
from .mail import mail_cli

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
users_cli = AppGroup("users", help="Accounts.")


def _engine():
    return current_app.extensions["academy.engine"]


@db_cli.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (the newest by default)."""
    migrate.upgrade(_engine(), revision)
    click.echo("The database schema is up to date." if revision == "heads" else f"The database is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (for developers)."""
    migrate.downgrade(_engine(), revision)
    click.echo(f"Database is at {revision}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name, as on certificates.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value,
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account. The password comes from --password-stdin or a hidden prompt."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session_scope(current_app) as session:
        try:
            user = accounts.create_user(session, email=email, name=name, password=password, role=role)
        except ServiceError as exc:
            for field, messages in exc.field_errors.items():
                for message in messages:
                    click.echo(f"error: {field}: {message}", err=True)
            if not exc.field_errors:
                click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("setup-link")
@with_appcontext
def setup_link() -> None:
    """Print a one-time link to create the first admin (nothing if an admin exists)."""
    with session_scope(current_app) as session:
        token = accounts.create_setup_token(session)
    if token is None:
        click.echo("An administrator account exists; no setup link is needed.")
        return
    base = current_app.config["BASE_URL"]
    click.echo("No administrator account exists yet. Open this one-time link to create it:")
    click.echo(f"  {base}/setup/{token}")
    click.echo("The link works once and expires in 24 hours; run this command again for a new one.")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(analytics_cli)
    # The certificates group is the certificates area's; its export command lives with the other exports.
    certificates_cli.add_command(export_certificates)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(xapi_cli)
    app.cli.add_command(setup_link)
