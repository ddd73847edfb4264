"""Role-aware navigation: each blueprint registers its own entries here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request, url_for

from .access import PUBLIC


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    order: int
    #: Shown only when this returns True for the user (None when anonymous); the access rule still applies.
    when: Callable[[object], bool] | None = None


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


_ENTRIES: list[NavEntry] = []


def register(label: str, endpoint: str, order: int = 50, when: Callable[[object], bool] | None = None) -> None:
    """Show ``endpoint`` in the header to whoever may open it (its access rule decides, and ``when``)."""
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(NavEntry(label, endpoint, order, when))


def items_for(user) -> list[NavItem]:
    """The entries ``user`` (None when anonymous) may open, in order."""
    from .access import access_of
    found = []
    current_blueprint = (request.endpoint or "").split(".", 1)[0]
    for entry in sorted(_ENTRIES, key=lambda e: e.order):
        if entry.endpoint not in current_app.view_functions:
            continue
        access = access_of(current_app, entry.endpoint)
        allowed = access == PUBLIC or (user is not None and access is not None and user.role in access)
        if allowed and entry.when is not None:
            allowed = entry.when(user)
        if allowed:
            found.append(NavItem(entry.label, url_for(entry.endpoint),
                                 entry.endpoint.split(".", 1)[0] == current_blueprint))
    return found


def url_if(endpoint: str, **values) -> str | None:
    """The URL of ``endpoint`` if the app has it (features register themselves), else None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


_ADMIN_SECTIONS: list[tuple[int, str, str]] = []


def register_admin_section(label: str, endpoint: str, order: int = 50) -> None:
    """Add a tab to the admin area's sub-navigation (certificates, exports, audit log, ...)."""
    if all(e != endpoint for _, _, e in _ADMIN_SECTIONS):
        _ADMIN_SECTIONS.append((order, label, endpoint))
        _ADMIN_SECTIONS.sort()


def admin_sections() -> list[tuple[str, str]]:
    return [(label, endpoint) for _, label, endpoint in _ADMIN_SECTIONS if endpoint in current_app.view_functions]
