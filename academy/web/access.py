"""Who may use which route: every view declares it, and undeclared routes are refused.

Views are marked with :func:`public`, :func:`signed_in`, :func:`roles` or (the token API)
:func:`api_token`. A before-request hook
enforces the mark; a route without one answers 403 to everyone (deny by default), and
``check_all_routes_declared`` makes the factory fail fast when a developer forgets.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from academy.models import Role

PUBLIC = "public"
#: Token API routes: no browser session counts; the API blueprint checks the bearer token itself.
API_TOKEN = "api-token"  # noqa: S105 (an access mark, not a secret)
ALL_ROLES = frozenset(r.value for r in Role)


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    view.access = PUBLIC
    return view


def signed_in(view: Callable) -> Callable:
    """Any signed-in account."""
    view.access = ALL_ROLES
    return view


def roles(*allowed: str) -> Callable[[Callable], Callable]:
    """Only these roles (admins are not implied: list them)."""
    def mark(view: Callable) -> Callable:
        view.access = frozenset(str(r) for r in allowed)
        return view
    return mark


def api_token(view: Callable) -> Callable:
    """API clients presenting a bearer token (checked by the API's own before-request hook)."""
    view.access = API_TOKEN
    return view


def access_of(app: Flask, endpoint: str):
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    # Class-based views keep the mark on view_class.
    return getattr(view, "access", getattr(getattr(view, "view_class", None), "access", None))


def enforce() -> object | None:
    """before_request: let the request through, send it to sign-in, or refuse it."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the 404/405 handler answers
        return None
    if endpoint == "static":
        return None
    access = access_of(current_app, endpoint)
    if access is None:
        current_app.logger.error("route %s declares no access rule; refused", endpoint)
        abort(403)
    if access in (PUBLIC, API_TOKEN):
        return None
    if not current_user.is_authenticated:
        if request.method == "GET" and not request.path.startswith("/api/"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    if current_user.role not in access:
        abort(403)
    return None


def check_all_routes_declared(app: Flask) -> None:
    """Fail at start-up if a route has no access rule (so tests catch it, not users)."""
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint != "static" and access_of(app, rule.endpoint) is None]
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(sorted(missing))}")


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it stays on this site (a path), else ``fallback``: no open redirects."""
    if not target:
        return fallback
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
