"""Mail as plain values: the SMTP setting, back-off, reminder periods, the MIME message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from academy.domain.mail import (
    BadSmtpUrl,
    Outgoing,
    backoff,
    build_message,
    date_in_words,
    expired_notice_due,
    expiry_reminder_due,
    new_message_id,
    parse_smtp_url,
)

NOW = datetime(2027, 3, 7, 9, 0, tzinfo=UTC)


def test_smtp_url_with_starttls_and_a_percent_encoded_password():
    settings = parse_smtp_url("smtp://mailer%40academy.example:p%40ss%3Aword@mail.example:587")
    assert (settings.host, settings.port, settings.security) == ("mail.example", 587, "starttls")
    assert (settings.username, settings.password) == ("mailer@academy.example", "p@ss:word")
    assert settings.require_tls  # a password is never sent in clear


def test_smtps_url_defaults_to_port_465_and_options_come_from_the_query():
    settings = parse_smtp_url("smtps://mail.example?cafile=/etc/ca.pem&timeout=5")
    assert (settings.port, settings.security, settings.cafile, settings.timeout) == (465, "tls", "/etc/ca.pem", 5.0)
    assert parse_smtp_url("smtp://relay.internal").port == 25
    assert not parse_smtp_url("smtp://relay.internal").require_tls
    assert parse_smtp_url("smtp://relay.internal?starttls=required").require_tls


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example:notaport",
                                 "smtp://mail.example?timeout=soon"])
def test_a_malformed_smtp_url_is_refused_with_a_reason(url):
    with pytest.raises(BadSmtpUrl, match="ACADEMY_SMTP_URL"):
        parse_smtp_url(url)


def test_back_off_doubles_from_thirty_seconds_up_to_two_hours():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == timedelta(hours=2)


@pytest.mark.parametrize(("days_left", "due"), [(120, None), (90, 90), (45, 90), (30, 30), (8, 30), (7, 7),
                                                (0.5, 7), (0, None), (-1, None)])
def test_the_nearest_expiry_reminder_period_is_due(days_left, due):
    assert expiry_reminder_due(NOW + timedelta(days=days_left), NOW) == due


def test_the_expired_notice_is_due_only_soon_after_expiry():
    assert expired_notice_due(NOW - timedelta(days=1), NOW)
    assert not expired_notice_due(NOW + timedelta(days=1), NOW)
    assert not expired_notice_due(NOW - timedelta(days=31), NOW)


def test_dates_are_written_in_words():
    assert date_in_words(date(2027, 3, 7)) == "7 March 2027"
    assert date_in_words(NOW) == "7 March 2027"
    assert date_in_words(None) == ""


def test_the_message_is_multipart_alternative_with_its_headers():
    outgoing = Outgoing(sender="MIM Academy <no-reply@academy.example>", recipient="eleni@example.com",
                        recipient_name="Papadopoulou, Eleni", subject="Ünïcode subject", text="Plain",
                        html="<p>Rich</p>", message_id=new_message_id("MIM Academy <no-reply@academy.example>"),
                        date=NOW, unsubscribe_url="https://academy.example/mail/preferences/t")
    message = build_message(outgoing)
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == '"Papadopoulou, Eleni" <eleni@example.com>'  # the comma is quoted
    assert message["Message-ID"].endswith("@academy.example>")
    assert message["List-Unsubscribe"] == "<https://academy.example/mail/preferences/t>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"] == "Ünïcode subject"
    assert message.get_body(("plain",)).get_content().strip() == "Plain"
    assert message.get_body(("html",)).get_content().strip() == "<p>Rich</p>"
