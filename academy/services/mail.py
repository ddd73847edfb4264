"""Queuing email: written to the outbox in the caller's transaction, delivered later by a sender.

:func:`enqueue` is the one way any area sends mail. It renders ``templates/email/<template>.txt``
and ``.html`` at once (so what is queued is exactly what will be sent, whenever that is) and
inserts one outbox row, unless the same (recipient, kind, key) is already there or the message is
a reminder its recipient has turned off. The caller commits: the message exists if and only if
the event that caused it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from academy.domain.mail import console_text, new_message_id, one_line
from academy.links import Links
from academy.models import MailPreference, OutboxMessage, User, utcnow

from .errors import NotFound

_PREFERENCES_SALT = "mail-preferences"
#: Kinds whose body holds a one-time link (a bearer secret): emptied once delivered, so neither the
#: outbox page nor a database copy keeps a working link. Areas that send such mail add their kind.
SECRET_KINDS = {"password-reset", "invitation", "signup"}
REDACTED = "(Removed after delivery: this message held a one-time link.)"


@dataclass(frozen=True)
class Recipient:
    """Who a message is for, as templates see it."""

    email: str
    name: str
    user_id: int | None


def app_of(session: Session) -> Flask:
    """The app whose settings and templates this session's mail uses (set by :mod:`academy.db`)."""
    app = session.info.get("academy.app")
    return app if app is not None else current_app._get_current_object()


@dataclass
class Queued:
    """What a reminder scanner must not queue again, read in two queries for the whole scan rather
    than two per candidate: the (recipient, kind, key) of every message of the scanner's kinds
    already in the outbox, and the accounts that turned reminders off. Pass it to :func:`enqueue`
    as ``known``; it learns what that call queues."""

    keys: set[tuple[str, str, str]]
    muted: set[int]

    @classmethod
    def load(cls, session: Session, *kinds: str) -> Queued:
        keys = {tuple(row) for row in session.execute(
            select(OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.key)
            .where(OutboxMessage.kind.in_(kinds)))}
        muted = set(session.scalars(select(MailPreference.user_id).where(MailPreference.reminders.is_(False))))
        return cls(keys, muted)


def enqueue(session: Session, *, to_email: str, to_name: str, kind: str, key: str, template: str,
            context: dict[str, Any], user_id: int | None = None, reminder: bool = False,
            subject: str, known: Queued | None = None) -> bool:
    """Queue one message in the caller's transaction (the caller commits).

    Renders ``email/<template>.txt`` and ``.html`` with ``context``, ``links`` (absolute links
    from ACADEMY_BASE_URL) and ``recipient``. Returns False, inserting nothing, when the same
    (recipient, kind, key) is already queued or sent, or when ``reminder`` is set and the
    recipient has turned reminders off. Security mail (``reminder=False``) is never suppressed.
    ``known`` (a scanner's :class:`Queued`) answers both questions without a query; the unique
    (recipient, kind, key) still refuses a message another scan queued since it was read.
    """
    app = app_of(session)
    email = to_email.strip().lower()
    subject, to_name = one_line(subject, 300), one_line(to_name, 200)  # headers: no line breaks
    if user_id is None:
        user_id = session.scalar(select(User.id).where(User.email == email))
    if known is not None:
        if (reminder and user_id in known.muted) or (email, kind, key) in known.keys:
            return False
    elif (reminder and not reminders_wanted(session, user_id)) or _exists(session, email, kind, key):
        return False
    recipient = Recipient(email=email, name=to_name, user_id=user_id)
    links = Links(app)
    unsubscribe_url = preferences_url(app, user_id) if reminder and user_id is not None else None
    variables = {**context, "links": links, "recipient": recipient, "subject": subject,
                 "preferences_url": unsubscribe_url}
    row = OutboxMessage(
        recipient=email, recipient_name=to_name, user_id=user_id, kind=kind, key=key, reminder=reminder,
        subject=subject,
        text_body=app.jinja_env.get_template(f"email/{template}.txt").render(variables),
        html_body=app.jinja_env.get_template(f"email/{template}.html").render(variables),
        message_id=new_message_id(app.config["MAIL_FROM"]), unsubscribe_url=unsubscribe_url,
        next_attempt_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another transaction queued the same (recipient, kind, key) between our check and insert.
        if row in session:
            session.expunge(row)
        return False
    if known is not None:
        known.keys.add((email, kind, key))
    if app.debug and not app.config.get("SMTP_URL"):
        # `flask run --debug` (make dev) has no mail worker: show the message where the developer looks.
        app.logger.info("Queued (ACADEMY_SMTP_URL is not set, so it stays in the outbox):\n%s",
                        console_text(recipient=email, subject=subject, text_body=row.text_body, queued_at="now"))
    return True


def _exists(session: Session, email: str, kind: str, key: str) -> bool:
    return session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient == email, OutboxMessage.kind == kind, OutboxMessage.key == key)) > 0


# --- reminder preferences --------------------------------------------------------------------------

def reminders_wanted(session: Session, user_id: int | None) -> bool:
    """Whether reminder mail may go to this account (on unless turned off)."""
    if user_id is None:
        return True
    preference = session.get(MailPreference, user_id)
    return preference is None or preference.reminders


def set_reminders(session: Session, user_id: int, wanted: bool) -> None:
    """Turn reminder mail on or off for an account. Commits."""
    preference = session.get(MailPreference, user_id)
    if preference is None:
        preference = MailPreference(user_id=user_id)
        session.add(preference)
    preference.reminders = wanted
    preference.updated_at = utcnow()
    session.commit()


def _serializer(app: Flask) -> URLSafeSerializer:
    return URLSafeSerializer(app.config["SECRET_KEY"], salt=_PREFERENCES_SALT)


def preferences_token(app: Flask, user_id: int) -> str:
    """A signed token naming the account: the key to its preferences page, without signing in."""
    return _serializer(app).dumps({"u": user_id})


def preferences_url(app: Flask, user_id: int) -> str:
    return Links(app).url("mail.preferences", token=preferences_token(app, user_id))


def user_for_token(session: Session, app: Flask, token: str) -> User:
    """The account a preferences token names, or NotFound with a sentence for the visitor."""
    try:
        data = _serializer(app).loads(token)
    except BadSignature:
        data = None
    user = session.get(User, data["u"]) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None:
        raise NotFound("This link is not valid. Open the link from your most recent email again.")
    return user
