"""Talking to the SMTP server named by ACADEMY_SMTP_URL (smtplib, from the standard library).

Failures are sorted into what the sender does next:
- :class:`ServerUnavailable`: the server could not be reached, or refused the session (connection,
  TLS, authentication, a 4xx to HELO/MAIL). Nothing is wrong with the message: try it later, and
  stop this batch, since the next message would meet the same server.
- :class:`TemporaryRefusal`: a 4xx for this message. Try it again later; carry on with the others.
- :class:`PermanentRefusal`: a 5xx for this message. It will never go: mark it failed.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from academy.domain.mail import SmtpSettings


class DeliveryError(Exception):
    """Base: ``str(error)`` is what an admin reads as the message's last error."""


class ServerUnavailable(DeliveryError):
    pass


class TemporaryRefusal(DeliveryError):
    pass


class PermanentRefusal(DeliveryError):
    pass


def _describe(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def _refusal(code: int, text: str) -> DeliveryError:
    return PermanentRefusal(text) if 500 <= code < 600 else TemporaryRefusal(text)


class SmtpTransport:
    """One SMTP session, opened on first use and kept for a batch of messages."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.cafile:
            context.load_verify_locations(cafile=self.settings.cafile)
        return context

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            try:
                smtp.ehlo()
                if s.security == "starttls":
                    if smtp.has_extn("starttls"):
                        smtp.starttls(context=self._tls_context())
                        smtp.ehlo()
                    elif s.require_tls:
                        raise ServerUnavailable(
                            f"{s.host}:{s.port} does not offer STARTTLS, and the password is not sent in clear.")
                if s.username is not None:
                    smtp.login(s.username, s.password or "")
            except BaseException:
                smtp.close()
                raise
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise ServerUnavailable(f"{s.host}:{s.port} refused the user name or password: "
                                    f"{_describe(exc.smtp_code, exc.smtp_error)}") from exc
        except smtplib.SMTPResponseException as exc:
            raise ServerUnavailable(f"{s.host}:{s.port} refused the session: "
                                    f"{_describe(exc.smtp_code, exc.smtp_error)}") from exc
        except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, TLS failed, dropped
            raise ServerUnavailable(f"could not reach {s.host}:{s.port}: {exc or type(exc).__name__}") from exc
        self._smtp = smtp
        return smtp

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        """Hand one message to the server, or raise a :class:`DeliveryError` saying what happened."""
        smtp = self._smtp or self._open()
        try:
            refused = smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _refusal(code, f"{recipient} refused: {_describe(code, text)}") from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _refusal(exc.smtp_code, _describe(exc.smtp_code, exc.smtp_error)) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise ServerUnavailable(_describe(exc.smtp_code, exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ServerUnavailable(f"the connection to {self.settings.host} failed while sending: "
                                    f"{exc or type(exc).__name__}") from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise _refusal(code, f"{recipient} refused: {_describe(code, text)}")

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
