"""`flask --app app mail send|work|scan`: deliver the outbox and run the reminder scans.

``mail send`` delivers what is due once and exits (cron, or by hand after setting ACADEMY_SMTP_URL).
``mail work`` runs until SIGTERM or SIGINT: deliver, run the reminder scans every so often, sleep.
Run it on as many hosts as you like against one PostgreSQL: claims make each message go once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from ..domain.mail import BadSmtpUrl, parse_smtp_url
from ..models import utcnow
from ..services import outbox, reminders
from ..smtp import SmtpTransport

mail_cli = AppGroup("mail", help="Email: deliver the outbox, run reminder scans.")
log = logging.getLogger("academy.mail")


def _transport() -> SmtpTransport | None:
    url = current_app.config.get("SMTP_URL") or ""
    if not url:
        return None
    try:
        return SmtpTransport(parse_smtp_url(url))
    except BadSmtpUrl as exc:
        raise click.ClickException(str(exc)) from exc


def _deliver(session, transport: SmtpTransport, lease: timedelta, should_stop=lambda: False) -> outbox.Report:
    sender = outbox.Sender(session=session, transport=transport, mail_from=current_app.config["MAIL_FROM"],
                           lease=lease)
    return sender.deliver(should_stop=should_stop)


def _summary(report: outbox.Report) -> str:
    text = f"{report.sent} sent, {report.retrying} to retry later, {report.failed} failed."
    if report.unavailable:
        text += f" The mail server is unavailable ({report.unavailable}); the rest wait in the outbox."
    return text


LEASE_HELP = "Seconds a claimed message stays this sender's before another may take it (if this one died)."


@mail_cli.command("send")
@click.option("--lease", default=int(outbox.DEFAULT_LEASE.total_seconds()), show_default=True, help=LEASE_HELP)
def send(lease: int) -> None:
    """Deliver every message that is due, then exit (status 1 if the server was unavailable)."""
    transport = _transport()
    with session_scope(current_app) as session:
        if transport is None:
            waiting = outbox.counts(session)["queued"]
            raise click.ClickException(
                f"ACADEMY_SMTP_URL is not set, so nothing can be delivered; {waiting} message(s) stay queued "
                "and admins can read them on the outbox page.")
        report = _deliver(session, transport, timedelta(seconds=lease))
    click.echo(_summary(report))
    if report.unavailable:
        raise SystemExit(1)


@mail_cli.command("scan")
def scan() -> None:
    """Run the reminder scans once (each reminder is queued at most once, however often this runs)."""
    with session_scope(current_app) as session:
        queued = reminders.scan(session, utcnow())
    click.echo(f"{queued} reminder(s) queued.")


@mail_cli.command("work")
@click.option("--interval", default=5.0, show_default=True, help="Seconds to sleep when nothing is due.")
@click.option("--scan-every", default=600.0, show_default=True, help="Seconds between reminder scans.")
@click.option("--lease", default=int(outbox.DEFAULT_LEASE.total_seconds()), show_default=True, help=LEASE_HELP)
@click.option("--parent-pid", type=int, default=None, help="Stop when this process is gone (used by gunicorn).")
def work(interval: float, scan_every: float, lease: int, parent_pid: int | None) -> None:
    """Deliver and scan until stopped (SIGTERM or SIGINT end it after the message in flight)."""
    stop = threading.Event()
    if parent_pid is not None:
        _watch_parent(parent_pid, stop)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    transport = _transport()
    if transport is None:
        click.echo("ACADEMY_SMTP_URL is not set: mail stays queued (admins read it on the outbox page) and "
                   "the text of each message is printed here; reminder scans still run.")
    click.echo(f"Mail worker {outbox.worker_name()} started.", err=True)
    next_scan = 0.0
    pause = interval
    printed_up_to = 0  # without SMTP: the last message printed to the console
    while not stop.is_set():
        try:
            with session_scope(current_app) as session:
                if time.monotonic() >= next_scan:
                    queued = reminders.scan(session, utcnow())
                    if queued:
                        log.info("reminder scan queued %d message(s)", queued)
                    next_scan = time.monotonic() + scan_every
                if transport is not None and not stop.is_set():
                    report = _work_pass(session, transport, timedelta(seconds=lease), stop)
                    # While the server is away, wait longer each time (up to a minute) instead of knocking.
                    pause = min(max(pause * 2, interval), 60.0) if report.unavailable else interval
                elif transport is None:
                    # Like Django's console backend, so `make run` can finish a sign-up without a mail server.
                    texts, printed_up_to = outbox.console_pass(session, after_id=printed_up_to, now=utcnow())
                    for text in texts:
                        click.echo(text)
                    pause = interval
        except Exception:  # e.g. the database is away: say so, wait, and carry on
            log.exception("mail worker round failed; trying again shortly")
            pause = min(max(pause * 2, interval), 60.0)
        stop.wait(pause)
    click.echo("Mail worker stopped.", err=True)


def _watch_parent(parent_pid: int, stop: threading.Event) -> None:
    """Stop when the parent (gunicorn's master) is gone, even if it could not tell us (SIGKILL)."""
    def watch() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent_pid:
                log.warning("the process that started this mail worker is gone; stopping")
                stop.set()
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _work_pass(session, transport, lease, stop) -> outbox.Report:
    try:
        report = _deliver(session, transport, lease, should_stop=stop.is_set)
    except Exception:  # the database went away, say: log it and try again next time round
        session.rollback()
        log.exception("mail delivery pass failed")
        return outbox.Report(unavailable="delivery pass failed")
    if report.sent or report.failed or report.retrying:
        log.info(_summary(report))
    return report
