"""Refusing a request with a sentence for the person who sent it.

``abort(400)`` shows the generic text for its status; :func:`refuse` shows the given message
instead, on the error page or in the API's problem document (see ``web/errors.py``).
"""

from __future__ import annotations

from typing import NoReturn

from werkzeug.exceptions import default_exceptions


def refuse(code: int, message: str) -> NoReturn:
    """Abort with status ``code`` and ``message`` as the detail shown to the visitor."""
    exc = default_exceptions[code](description=message)
    exc.show_detail = True
    raise exc
