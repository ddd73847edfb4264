"""Errors a service raises for a view or command to turn into a message; never a bare 500."""


class ServiceError(Exception):
    """Base: ``str(error)`` is a sentence fit to show the person who caused it."""

    status = 400


class InvalidInput(ServiceError):
    """The input breaks a rule; ``field_errors`` maps form fields to messages."""

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.field_errors = field_errors or {}


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
