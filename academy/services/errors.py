"""Errors a service raises for a view or command to turn into a message; never a bare 500.

The web turns any of them into a page (or JSON for scripts) with its status and sentence, in one
app-level handler (``web/errors.py``); a view that shows a form puts ``field_errors`` beside its
fields with ``web.forms.attach_errors``; the CLI prints them.
"""


class ServiceError(Exception):
    """Base: ``str(error)`` is a sentence fit to show the person who caused it.

    ``field_errors`` maps form fields (or command options) to messages; empty when the refusal
    concerns no field in particular.
    """

    status = 400

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.field_errors: dict[str, list[str]] = field_errors or {}


class InvalidInput(ServiceError):
    """The input breaks a rule."""


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
