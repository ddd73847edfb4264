"""`flask --app app certificates export ...` and `flask --app app xapi export ...`.

Both write to standard output unless ``-o FILE`` is given; a file is written beside its final name
and renamed into place at the end, so an interrupted export never leaves half a file behind.
Malformed filters exit with status 2 and a message naming the option, as click does for usage errors.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..db import session_scope
from ..domain import exports as shaping
from ..models import utcnow
from ..services import exports
from ..services.actors import OPERATOR
from ..services.errors import InvalidInput

xapi_cli = AppGroup("xapi", help="Learning records as xAPI statements.")

_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                       help="Write to FILE instead of standard output.")


def _usage_error(option: str, message: str) -> click.BadParameter:
    return click.BadParameter(message, param_hint=f"'--{option}'")


@contextmanager
def _target(output: Path | None, *, binary: bool) -> Iterator[IO[Any]]:
    """Standard output (text only), or a temporary file renamed to ``output`` once complete."""
    if output is None:
        yield sys.stdout
        return
    directory = output.resolve().parent
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as fh:
            yield fh
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Counter:
    """Counts the items that pass through it."""

    def __init__(self, items: Iterable[Any]):
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            self.count += 1
            yield item


def _with_progress(rows: Iterable[Any], total: int, enabled: bool) -> Iterator[Any]:
    """``rows``, with a progress bar on the terminal when ``enabled``."""
    if not enabled:
        yield from rows
        return
    with click.progressbar(rows, length=total, label="Exporting", file=sys.stderr) as bar:
        yield from bar


@click.command("export")
@with_appcontext
@click.option("--format", "fmt", required=True, type=click.Choice(shaping.FORMATS, case_sensitive=False),
              help="csv, xlsx (needs -o) or json (JSON Lines).")
@click.option("--course", metavar="SLUG", help="Only this course.")
@click.option("--organisation", metavar="NAME-or-ID", help="Only holders in this organisation.")
@click.option("--since", metavar="DATE", help="Issued on or after this date (YYYY-MM-DD, UTC).")
@click.option("--until", metavar="DATE", help="Issued on or before this date (YYYY-MM-DD, UTC).")
@click.option("--status", type=click.Choice(shaping.STATUSES, case_sensitive=False), help="Status today.")
@_OUTPUT
def export_certificates(fmt: str, course: str | None, organisation: str | None, since: str | None,
                        until: str | None, status: str | None, output: Path | None) -> None:
    """Export certification records (columns documented in docs/exports.md)."""
    fmt = fmt.lower()
    if fmt == "xlsx" and output is None:
        raise _usage_error("output", "XLSX is a binary file: give -o FILE.")
    with session_scope(current_app) as session:
        try:
            resolved = exports.certificate_filter(session, course=course, organisation=organisation, since=since,
                                                  until=until, status=status)
        except InvalidInput as exc:
            raise _usage_error(next(iter(exc.field_errors), "course"), str(exc)) from None
        export = exports.start_export(session, resolved, fmt, base_url=current_app.config["BASE_URL"],
                                      now=utcnow(), actor=OPERATOR, via="cli")
        show_progress = output is not None and sys.stdout.isatty()
        total = exports.count(session, resolved, export.now) if show_progress else 0
        rows = _Counter(export.rows(session))
        with _target(output, binary=export.binary) as fh:
            export.write(_with_progress(rows, total, show_progress), fh)
    if output is not None:
        click.echo(f"Wrote {rows.count} certificate{'s' if rows.count != 1 else ''} to {output}.", err=True)


@xapi_cli.command("export")
@click.option("--course", metavar="SLUG", help="Only this course.")
@click.option("--since", metavar="DATE", help="Records from this date (YYYY-MM-DD, UTC).")
@click.option("--until", metavar="DATE", help="Records up to this date (YYYY-MM-DD, UTC).")
@_OUTPUT
def export_xapi(course: str | None, since: str | None, until: str | None, output: Path | None) -> None:
    """Export learning records as xAPI 1.0.3 statements (JSON Lines)."""
    with session_scope(current_app) as session:
        try:
            export = exports.start_xapi_export(session, course=course, since=since, until=until,
                                               base_url=current_app.config["BASE_URL"], now=utcnow(),
                                               actor=OPERATOR, via="cli")
        except InvalidInput as exc:
            raise _usage_error(next(iter(exc.field_errors), "course"), str(exc)) from None
        lines = _Counter(export.lines(session))
        with _target(output, binary=False) as fh:
            fh.writelines(lines)
    if output is not None:
        click.echo(f"Wrote {lines.count} statement{'s' if lines.count != 1 else ''} to {output}.", err=True)
