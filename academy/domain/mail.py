"""Email as plain values: the MIME message, the SMTP setting, back-off and reminder periods.

No Flask, no database: the outbox service stores what :class:`Outgoing` holds and the sender turns
it into bytes with :func:`build_message`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

#: Expiry reminders go this many days before a certificate expires (the largest first).
EXPIRY_REMINDER_DAYS = (90, 30, 7)
#: An expiry older than this is not announced: a first scan on an old database stays quiet.
EXPIRED_NOTICE_WINDOW = timedelta(days=30)
#: Temporary failures: wait BACKOFF_BASE * 2**(attempts-1), at most BACKOFF_MAX, and give up after MAX_ATTEMPTS.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=2)
MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class Outgoing:
    """One message as stored in the outbox."""

    sender: str
    recipient: str
    recipient_name: str
    subject: str
    text: str
    html: str
    message_id: str
    date: datetime
    unsubscribe_url: str | None = None


def new_message_id(sender: str) -> str:
    """A Message-ID on the sender's domain, fixed when the message is queued."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


def build_message(outgoing: Outgoing) -> EmailMessage:
    """A multipart/alternative message (plain text, then HTML) with the headers a client expects."""
    message = EmailMessage()
    message["From"] = outgoing.sender
    message["To"] = Address(display_name=outgoing.recipient_name, addr_spec=outgoing.recipient)
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(outgoing.date)
    message["Message-ID"] = outgoing.message_id
    if outgoing.unsubscribe_url:
        # RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to this address.
        message["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(outgoing.text)
    message.add_alternative(outgoing.html, subtype="html")
    return message


def console_text(*, recipient: str, subject: str, text_body: str, queued_at: str) -> str:
    """A queued message as the console shows it when no SMTP server is set (like Django's console backend)."""
    rule = "-" * 72
    return f"{rule}\nTo: {recipient}\nSubject: {subject}\nQueued: {queued_at}\n\n{text_body.rstrip()}\n{rule}"


def one_line(value: str, limit: int) -> str:
    """A header value: whitespace (line breaks included) collapsed, at most ``limit`` characters."""
    return " ".join(value.split())[:limit]


# --- the SMTP setting ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    """``ACADEMY_SMTP_URL`` taken apart."""

    host: str
    port: int
    #: "tls" (smtps://: TLS from the first byte) or "starttls" (smtp://: upgraded when offered).
    security: str
    username: str | None = None
    password: str | None = None
    #: STARTTLS must succeed (``?starttls=required``); always true when a password is given.
    require_tls: bool = False
    #: A CA bundle to trust besides the system's (``?cafile=/path``), e.g. a private CA.
    cafile: str | None = None
    timeout: float = 20.0


class BadSmtpUrl(ValueError):
    """ACADEMY_SMTP_URL cannot be understood; the message says why."""


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://user:pw@host:587`` (STARTTLS) or ``smtps://user:pw@host:465`` (TLS); user and password
    are percent-decoded, so ``p%40ss`` is ``p@ss``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise BadSmtpUrl(f"ACADEMY_SMTP_URL must start with smtp:// or smtps://, not {parts.scheme or '(none)'}://")
    if not parts.hostname:
        raise BadSmtpUrl("ACADEMY_SMTP_URL names no host.")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError as exc:
        raise BadSmtpUrl(f"ACADEMY_SMTP_URL has a port that is not a number: {exc}") from exc
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    try:
        timeout = float(query.get("timeout", 20))
    except ValueError as exc:
        raise BadSmtpUrl("ACADEMY_SMTP_URL's timeout must be a number of seconds.") from exc
    return SmtpSettings(
        host=parts.hostname, port=port, security="tls" if parts.scheme == "smtps" else "starttls",
        username=username, password=password,
        require_tls=query.get("starttls") == "required" or password is not None,
        cafile=query.get("cafile"), timeout=timeout,
    )


# --- retries ---------------------------------------------------------------------------------------

def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, ... at most 2 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


# --- certificate expiry ----------------------------------------------------------------------------

def expiry_reminder_due(expires_at: datetime, now: datetime) -> int | None:
    """The reminder period (90, 30 or 7 days before) a certificate expiring at ``expires_at`` is in.

    Only the nearest period is due, so a certificate first seen 20 days from expiry gets the
    30-day reminder, not the 90-day one as well. None once expired or further than 90 days.
    """
    left = expires_at - now
    if left <= timedelta(0):
        return None
    due = [days for days in EXPIRY_REMINDER_DAYS if left <= timedelta(days=days)]
    return min(due) if due else None


def expired_notice_due(expires_at: datetime, now: datetime) -> bool:
    """Whether the "your certificate has expired" notice is due (expired, not long ago)."""
    return expires_at <= now < expires_at + EXPIRED_NOTICE_WINDOW


def date_in_words(value: date | datetime | None) -> str:
    """``7 March 2027`` for a date or a timestamp (its UTC day); empty for None."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"
