"""`flask --app app demo seed --learners N [--seed S]`: synthetic data on the real content."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from ..models import utcnow
from ..services import demo
from ..services.errors import ServiceError

demo_cli = AppGroup("demo", help="Synthetic demonstration data.")


@demo_cli.command("seed")
@click.option("--learners", type=click.IntRange(1, 1_000_000), required=True, help="How many learners to create.")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True,
              help="The same seed gives the same data.")
def seed(learners: int, seed_value: int) -> None:
    """Create organisations, learners, progress, attempts and certificates (needs `content sync` first)."""
    started = time.perf_counter()
    with session_scope(current_app) as session:
        try:
            report = demo.seed(session, learners=learners, seed=seed_value, now=utcnow())
        except ServiceError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    click.echo(f"Seeded {report.learners} learners in {report.organisations} organisations "
               f"in {time.perf_counter() - started:.1f} s:")
    click.echo(f"  {report.enrolments} enrolments, {report.module_progress} module progress rows")
    click.echo(f"  {report.attempts} quiz attempts with {report.answers} answers and "
               f"{report.branching_choices} branching choices")
    click.echo(f"  {report.certificates} certificates ({report.expired} expired, {report.revoked} revoked)")
    click.echo("Demo learners cannot sign in; issue one a reset link from Admin, Users to look around as them.")
