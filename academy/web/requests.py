"""What views read from the current request besides its form: who is asking, and from where."""

from __future__ import annotations

from flask import request


def client_ip() -> str | None:
    """The client's address (behind trusted proxies, ProxyFix has already put the real one here)."""
    return request.remote_addr
