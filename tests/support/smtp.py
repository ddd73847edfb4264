"""A real SMTP server in the test process (aiosmtpd), recording what it receives.

``MailServer`` can be stopped and started again on the same port (the server "away for a while"),
made to answer 4xx or 5xx for chosen recipients, to stall before answering DATA (so a sender can
be killed with a message in flight), and to require STARTTLS and a password (with a self-signed
certificate made here).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness.live_server import free_port


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def part(self, subtype: str) -> str:
        return self.message.get_body(preferencelist=(subtype,)).get_content()


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    #: Recipient address -> the reply to give at RCPT TO (e.g. "450 mailbox busy", "550 no such user").
    refuse: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait after storing a message and before answering 250 (the sender waits, in flight).
    stall: float = 0.0
    #: Stall only on this message (1 for the first one received), not on every one.
    stall_at: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
            ordinal = len(self.received)
        if self.stall and self.stall_at in (None, ordinal):
            await asyncio.sleep(self.stall)
        return "250 Message accepted"


class MailServer:
    """``with MailServer() as smtp: ... smtp.url ... smtp.received``."""

    def __init__(self, *, tls_dir: Path | None = None, username: str | None = None, password: str | None = None,
                 implicit_tls: bool = False):
        """``tls_dir``: STARTTLS required, with a self-signed certificate made there; with
        ``implicit_tls`` the connection is TLS from the first byte instead (smtps://)."""
        self.handler = Handler()
        self.implicit_tls = implicit_tls
        self.port = free_port()
        self.username, self.password = username, password
        self.tls_context: ssl.SSLContext | None = None
        self.cafile: Path | None = None
        if tls_dir is not None:
            self.cafile = make_certificate(tls_dir)
            self.tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls_context.load_cert_chain(tls_dir / "cert.pem", tls_dir / "key.pem")
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def url(self) -> str:
        credentials = f"{self.username}:{self.password}@" if self.username else ""
        query = f"?cafile={self.cafile}" if self.cafile else ""
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{credentials}localhost:{self.port}{query}"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.username \
            and auth_data.password.decode() == self.password
        if ok:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")

    def start(self) -> MailServer:
        options: dict = {}
        if self.tls_context is not None and self.implicit_tls:
            options |= {"ssl_context": self.tls_context}
        elif self.tls_context is not None:
            options |= {"tls_context": self.tls_context, "require_starttls": True}
        if self.username:
            options |= {"authenticator": self._authenticate, "auth_required": True,
                        # aiosmtpd cannot tell an smtps:// session is encrypted; it is, from the first byte.
                        "auth_require_tls": self.tls_context is not None and not self.implicit_tls}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ready_timeout=10, **options)
        self.controller.start()
        return self

    def stop(self) -> None:
        controller, self.controller = self.controller, None
        if controller is not None:
            controller.stop()

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return self.received
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, the server has {len(self.received)}")

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def make_certificate(directory: Path) -> Path:
    """A self-signed certificate for "localhost" (cert.pem, key.pem); returns the cert's path."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return directory / "cert.pem"
