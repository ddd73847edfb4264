"""Configuration: the only module that reads ``os.environ``.

Every setting has a safe default for a laptop; production sets the ``ACADEMY_`` variables
documented in the README.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    return Path(os.environ.get("ACADEMY_INSTANCE_DIR", REPO_ROOT / "instance"))


def _secret_key(instance: Path) -> str:
    """Return ACADEMY_SECRET_KEY, or a key generated once and kept under instance/."""
    configured = os.environ.get("ACADEMY_SECRET_KEY")
    if configured:
        return configured
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start together, the first one's key wins for all.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _local_base_url() -> str:
    """Where `make run` serves when no public address is configured (its HOST and PORT)."""
    host = os.environ.get("HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - a wildcard bind is reached through the loopback
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('PORT', '5000')}"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """The environment, read once."""

    instance_dir: Path
    database_url: str
    secret_key: str
    content_dir: Path
    base_url: str
    ratelimit_storage_uri: str
    session_idle_minutes: int
    session_max_hours: int
    max_upload_mb: int
    #: Largest image an instructor may upload in the browser.
    max_asset_kb: int
    #: Largest total an imported course zip may unpack to.
    import_max_mb: int
    signing_key_dir: Path
    proxy_count: int
    #: Where mail goes (smtp://user:pw@host:587 with STARTTLS, smtps:// for TLS); empty: it stays queued.
    smtp_url: str
    #: The From header of every email.
    mail_from: str
    #: Start ``flask mail work`` beside gunicorn (``make run``); 0 where senders run on their own.
    mail_worker: bool


def load_settings() -> Settings:
    """Read the ``ACADEMY_`` environment variables into a :class:`Settings`."""
    instance = _instance_dir()
    default_db = f"sqlite:///{instance / 'academy.sqlite3'}"
    return Settings(
        instance_dir=instance,
        database_url=os.environ.get("ACADEMY_DATABASE_URL", default_db),
        secret_key=_secret_key(instance),
        content_dir=Path(os.environ.get("ACADEMY_CONTENT_DIR", REPO_ROOT)),
        base_url=os.environ.get("ACADEMY_BASE_URL", _local_base_url()).rstrip("/"),
        ratelimit_storage_uri=os.environ.get("ACADEMY_RATELIMIT_STORAGE_URI", "memory://"),
        session_idle_minutes=_int("ACADEMY_SESSION_IDLE_MINUTES", 120),
        session_max_hours=_int("ACADEMY_SESSION_MAX_HOURS", 12),
        max_upload_mb=_int("ACADEMY_MAX_UPLOAD_MB", 8),
        max_asset_kb=_int("ACADEMY_MAX_ASSET_KB", 2048),
        import_max_mb=_int("ACADEMY_IMPORT_MAX_MB", 50),
        signing_key_dir=Path(os.environ.get("ACADEMY_SIGNING_KEY_DIR", instance / "keys")),
        proxy_count=_int("ACADEMY_PROXY_COUNT", 0),
        smtp_url=os.environ.get("ACADEMY_SMTP_URL", "").strip(),
        mail_from=os.environ.get("ACADEMY_MAIL_FROM", "").strip() or "MIM Academy <no-reply@localhost>",
        mail_worker=os.environ.get("ACADEMY_MAIL_WORKER", "1") != "0",
    )


def flask_config(settings: Settings) -> dict:
    """Translate settings into the Flask and extension configuration keys."""
    secure = settings.base_url.startswith("https://")
    return {
        "SECRET_KEY": settings.secret_key,
        "ACADEMY_SETTINGS": settings,
        "DATABASE_URL": settings.database_url,
        "CONTENT_DIR": settings.content_dir,
        "BASE_URL": settings.base_url,
        "SESSION_COOKIE_NAME": "academy_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "SESSION_IDLE_MINUTES": settings.session_idle_minutes,
        "SESSION_MAX_HOURS": settings.session_max_hours,
        # The session lives at most SESSION_MAX_HOURS and is revocable on the server, so the
        # CSRF token may live as long as it: a 45-minute exam must never fail on an expired token.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": secure,
        "MAX_CONTENT_LENGTH": settings.max_upload_mb * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "MAX_ASSET_BYTES": settings.max_asset_kb * 1024,
        "IMPORT_MAX_BYTES": settings.import_max_mb * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",
        "SIGNING_KEY_DIR": settings.signing_key_dir,
        "PROXY_COUNT": settings.proxy_count,
        "SMTP_URL": settings.smtp_url,
        "MAIL_FROM": settings.mail_from,
    }
