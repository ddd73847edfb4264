"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, g, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _signed_in() -> bool:
    # Only look at a user that this request already loaded: never query the database here.
    user = g.get("_login_user")
    return bool(user is not None and getattr(user, "is_authenticated", False))


def init_app(app: Flask) -> None:
    secure = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("X-Frame-Options", "DENY")  # the outbox shows a message in a same-origin frame
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static" and (_signed_in() or request.path.startswith(("/admin", "/api"))):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response



