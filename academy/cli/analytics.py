"""`flask --app app analytics check|rebuild`: the analytics summaries against the raw attempts.

The summaries are kept up to date as attempts finish (``services.analytics_summaries``); ``check``
says whether they still equal a fresh count from the attempts and answers (exit 1 if not), and
``rebuild`` recomputes them in one transaction (after a bulk import that went around the app, say).
"""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import begin_write, session_scope
from ..services import analytics_summaries

analytics_cli = AppGroup("analytics", help="Analytics summaries (what the analytics pages read).")


@analytics_cli.command("check")
def check() -> None:
    """Compare the summaries with the attempts and answers; exit 1 when they differ."""
    with session_scope(current_app) as session:
        differences = analytics_summaries.differences(session)
    for table, rows in sorted(differences.items()):
        click.echo(f"{table}: {rows} row{'s' if rows != 1 else ''} differ from the attempts", err=True)
    if differences:
        click.echo("Run `flask --app app analytics rebuild` to recompute them.", err=True)
        sys.exit(1)
    click.echo("The analytics summaries match the attempts.")


@analytics_cli.command("rebuild")
def rebuild() -> None:
    """Recompute every summary from the attempts and answers (one transaction; pages keep working)."""
    started = time.perf_counter()
    with session_scope(current_app) as session:
        begin_write(session)
        analytics_summaries.rebuild(session)
        session.commit()
    click.echo(f"Rebuilt the analytics summaries in {time.perf_counter() - started:.1f} s.")
