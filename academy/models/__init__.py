"""Typed SQLAlchemy 2 models, one module per area; importing this registers them all."""

from .accounts import AuditEvent, LoginSession, OneTimeToken, Organisation, Role, User
from .base import Base, utcnow

__all__ = ["AuditEvent", "Base", "LoginSession", "OneTimeToken", "Organisation", "Role", "User", "utcnow"]
