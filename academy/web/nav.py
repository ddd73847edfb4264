"""Role-aware navigation: the header's entries and the admin area's tabs, listed here in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request, url_for

from .access import PUBLIC, access_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool
    #: A menu's entries (the header shows the item as a disclosure); empty for a plain link.
    children: tuple[NavItem, ...] = ()


def _manages_an_organisation(user) -> bool:
    from .manage import is_manager  # the manage blueprint imports this module

    return is_manager(user)


#: The header, left to right: each entry shows to whoever may open its endpoint (its access rule
#: decides) and, where a third element is given, for whom that function says yes.
HEADER: tuple[tuple[str, str] | tuple[str, str, Callable[[object], bool]], ...] = (
    ("Dashboard", "main.dashboard"),
    ("Courses", "learn.catalogue"),
    ("Certificates", "certificates.mine"),
    ("Authoring", "author.index"),
    ("My organisation", "manage.index", _manages_an_organisation),
    ("Analytics", "analytics.overview"),
    ("Admin", "admin.users"),
)

#: The admin area's tabs after Users and Organisations (``templates/admin/_nav.html``).
ADMIN_SECTIONS = (
    ("Certificates", "admin_certificates.index"),
    ("Exports", "exports.index"),
    ("Audit log", "admin.audit"),
    ("Outbox", "mail.outbox_index"),
    ("API tokens", "admin.tokens"),
)


#: Where an admin-area tab's name would repeat a header entry beside it ("Certificates" is also the
#: admin's own certificates), the header's Admin menu names it more fully.
MENU_LABELS = {"admin_certificates.index": "Issued certificates"}


#: For an admin (who has the most entries), these gather under one "Admin" menu in the header,
#: followed by the admin area's own tabs, so the header stays one line.
ADMIN_MENU = ("author.index", "analytics.overview", "admin.users")


def items_for(user) -> list[NavItem]:
    """The header entries ``user`` (None when anonymous) may open, in order.

    Every page draws the header, and its entries depend only on the viewer's role, whether they
    manage an organisation and the page's endpoint: so each combination is built once per worker
    (a few dozen at most) and reused, instead of an access check and a URL build per entry per page.
    """
    role = None if user is None else str(user.role)
    key = (role, role is not None and _manages_an_organisation(user), request.endpoint, request.script_root)
    cache: dict = current_app.extensions.setdefault("academy.nav", {})
    items = cache.get(key)
    if items is None:
        items = cache[key] = tuple(_build_items(user))
    return list(items)


def _build_items(user) -> list[NavItem]:
    found: list[tuple[str, NavItem]] = []
    current_blueprint = (request.endpoint or "").split(".", 1)[0]
    for label, endpoint, *when in HEADER:
        access = access_of(current_app, endpoint)
        allowed = access == PUBLIC or (user is not None and access is not None and user.role in access)
        if allowed and when:
            allowed = when[0](user)
        if allowed:
            found.append((endpoint, NavItem(label, url_for(endpoint),
                                            endpoint.split(".", 1)[0] == current_blueprint)))
    grouped = [item for endpoint, item in found if endpoint in ADMIN_MENU]
    if len(grouped) < len(ADMIN_MENU):
        return [item for _, item in found]
    area = [("Users", "admin.users"), ("Organisations", "admin.organisations"), *ADMIN_SECTIONS]
    children = (*(item for item in grouped if item.label != "Admin"),
                *(NavItem(MENU_LABELS.get(endpoint, label), url_for(endpoint), request.endpoint == endpoint)
                  for label, endpoint in area))
    menu = NavItem("Admin", url_for("admin.users"),
                   any(item.current for item in grouped)
                   or any(endpoint.split(".", 1)[0] == current_blueprint for _, endpoint in area), children)
    return [item for endpoint, item in found if endpoint not in ADMIN_MENU] + [menu]


def url_if(endpoint: str, **values) -> str | None:
    """The URL of ``endpoint`` if the app has it, else None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def admin_sections() -> tuple[tuple[str, str], ...]:
    return ADMIN_SECTIONS
