"""What views read from the current request besides its form: who is asking, and from where."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from academy.services.actors import Actor


def client_ip() -> str | None:
    """The client's address (behind trusted proxies, ProxyFix has already put the real one here)."""
    return request.remote_addr


def current_actor() -> Actor:
    """Who is acting in this request: the signed-in user (or nobody) and the client's address.

    Built once per request, and again only if the request signs someone in or out.
    """
    user_id = current_user.id if current_user.is_authenticated else None
    actor = g.get("actor")
    if actor is None or actor.user_id != user_id:
        actor = g.actor = Actor.of(current_user, client_ip()) if user_id is not None else Actor(ip=client_ip())
    return actor
