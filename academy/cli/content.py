"""`flask --app app content check|audit|sync [DIR]`: check the course and quiz files, audit them, publish them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from ..db import session_scope
from ..domain import content, guessing
from ..domain.problems import Problem
from ..domain.quiz_format import QuizDef
from ..links import SiteLinks
from ..services import authoring, publishing
from ..services.actors import OPERATOR
from ..services.errors import ServiceError

content_cli = AppGroup("content", help="Course and quiz files: check them, publish them.")
DIRECTORY = click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))


def _load(directory: Path | None) -> tuple[content.Snapshot, list[Problem]]:
    root = directory or Path(current_app.config["CONTENT_DIR"])
    return content.load(root, SiteLinks(current_app))


def _refuse(snapshot: content.Snapshot, problems: list[Problem], *, err: bool) -> None:
    for problem in problems:
        click.echo(str(problem), err=err)
    click.echo(snapshot.summary(len(problems)), err=err)


@content_cli.command("check")
@DIRECTORY
@click.option("--strict", is_flag=True, help="Item-quality warnings count as problems (exit 1 on any).")
def check(directory: Path | None, strict: bool) -> None:
    """Print every problem in DIRECTORY's content (default: the content root) as path:line: message.

    Item-quality warnings (guessable keys, near-duplicate questions, simulations passed by always
    taking the longest choice...) are printed too; with --strict they fail the check.
    """
    snapshot, problems = _load(directory)
    if problems:
        _refuse(snapshot, problems, err=False)
        sys.exit(1)
    for course in snapshot.courses:
        for quiz in course.quizzes:
            for note in quiz.notes:
                click.echo(f"{course.quiz_path(quiz)}: {note}")
    warnings = snapshot.warnings
    for warning in warnings:
        click.echo(str(warning))
    if strict and warnings:
        click.echo(snapshot.summary(len(warnings)) + " (item-quality warnings, --strict)")
        sys.exit(1)
    click.echo(snapshot.summary(0) + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
                                      if warnings else ""))


@content_cli.command("audit")
@DIRECTORY
def audit(directory: Path | None) -> None:
    """Print, per quiz, what naive guessing strategies would score, against chance and the pass mark.

    Exits 1 when the content has problems (run content check), or when any strategy or simulation
    walk passes a quiz.
    """
    snapshot, problems = _load(directory)
    if problems:
        _refuse(snapshot, problems, err=True)
        sys.exit(1)
    passing = 0
    for course in snapshot.courses:
        for quiz in course.quizzes:
            report = guessing.audit(QuizDef.from_dict(quiz.definition), course.quiz_path(quiz))
            for line in guessing.table(report):
                click.echo(line)
            click.echo("")
            passing += sum(s.passes for s in report.strategies) + sum(w.passed for w in report.walks)
    if passing:
        click.echo(f"Strategies or simulation walks that pass a quiz without subject knowledge: {passing}.")
        sys.exit(1)
    click.echo("No naive strategy passes any quiz.")


@content_cli.command("sync")
@DIRECTORY
@click.option("--take-files", "take_files", multiple=True, metavar="COURSE",
              help="Publish COURSE's files even though its newest version was published in the browser "
                   "(replacing it; the browser's versions stay in its history). Repeat for several courses.")
def sync(directory: Path | None, take_files: tuple[str, ...]) -> None:
    """Publish DIRECTORY's content, all or nothing; unchanged courses are left as they are.

    A course whose newest version was published in the browser is never replaced unasked: if its
    files differ, it is reported, left as it is, and the command exits with status 1.
    """
    snapshot, problems = _load(directory)
    if problems:
        _refuse(snapshot, problems, err=True)
        click.echo("Nothing was changed: fix the problems above and sync again.", err=True)
        sys.exit(1)
    try:
        with session_scope(current_app) as session:
            report = publishing.sync(session, snapshot, take_files=set(take_files))
    except SQLAlchemyError as exc:
        click.echo(f"error: nothing was changed, the database refused the content ({type(exc).__name__}: "
                   f"{str(exc).splitlines()[0][:200]}). Is the schema up to date (flask db upgrade)? "
                   "Another sync may have run at the same time: run this one again.", err=True)
        sys.exit(1)
    for slug, number in report.published.items():
        click.echo(f"{slug}: published version {number}")
    for slug in report.withdrawn:
        click.echo(f"{slug}: withdrawn (its folder is gone; learners' history is kept)")
    for slug in report.kept:
        click.echo(f"{slug}: kept (published in the browser, and it has no folder here)")
    click.echo(snapshot.summary(0) + ("" if report.changed else ": no changes"))
    for slug in report.conflicts:
        click.echo(f"conflict: {slug} was edited and published in the browser, and its files differ. Nothing was "
                   f"changed for {slug}. Either export it from the browser (Authoring, {slug}, Export zip) into "
                   f"this folder, or replace the browser's version with the files: content sync --take-files {slug}",
                   err=True)
    if report.conflicts:
        sys.exit(1)


@content_cli.command("assign")
@click.argument("course")
@click.argument("email")
def assign(course: str, email: str) -> None:
    """Let the instructor with EMAIL edit COURSE in the browser (as an admin can on the course's page)."""
    with session_scope(current_app) as session:
        try:
            user = authoring.assign_editor(session, course, email, OPERATOR)
        except ServiceError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{user.name} ({user.email}) can now edit {course}.")
