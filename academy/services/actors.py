"""Who acts, as one plain value services receive instead of the web's ``current_user`` proxy.

The web builds it once per request (``web.requests.current_actor()``), the CLI once per command
(``OPERATOR``: no account, no address). Services read ``user_id`` and ``role`` to decide
what is allowed and ``ip`` only to write the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from academy.models import User


@dataclass(frozen=True)
class Actor:
    """The person acting (``user_id`` None: nobody signed in, or the operator at the command line)."""

    user_id: int | None = None
    role: str | None = None
    ip: str | None = None

    @classmethod
    def of(cls, user: User, ip: str | None = None) -> Actor:
        """The signed-in ``user`` acting from ``ip``."""
        return cls(user.id, str(user.role), ip)

    def as_user(self, user: User) -> Actor:
        """The same request acting as ``user`` (who has just signed in, reset a password, accepted an invitation)."""
        return replace(self, user_id=user.id, role=str(user.role))


#: The operator at the command line, or the system itself (content sync, demo data): no account, no
#: address, and a role no account has, so nobody signed out on the web is ever taken for the operator.
OPERATOR = Actor(role="operator")
