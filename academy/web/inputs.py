"""Bounds on what a request may carry, applied once for every route instead of view by view.

- ``<int:...>`` in a URL matches only numbers a database column can hold (1 to 2^31-1); anything
  larger is simply no such page (404), never an overflow in the database driver (500).
- A text part of a URL (``<slug>``, ``<token>``, ``<path:...>``) carrying a control character (NUL,
  which PostgreSQL refuses in text, or CR/LF) matches no route (404) instead of reaching a query.
- ``request.args.get(name, type=int)`` gives the default for a number out of that range, as it
  already does for a value that is not a number.
- A form field that expects text never receives a file part: file parts are passed to a form only
  for its file fields (see :class:`academy.web.forms.BaseForm`).
"""

from __future__ import annotations

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

#: The largest id or number a URL or query parameter may carry: PostgreSQL's INTEGER.
MAX_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter with 1 to :data:`MAX_INT` as the default range."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_INT if max is None else max,
                         signed=signed)


def _refuse_controls(value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError()  # the rule does not match: 404, like any other unknown address
    return value


class PlainStringConverter(UnicodeConverter):
    """Werkzeug's default converter, without control characters."""

    def to_python(self, value: str) -> str:
        return _refuse_controls(super().to_python(value))


class PlainPathConverter(PathConverter):
    """Werkzeug's ``path`` converter, without control characters."""

    def to_python(self, value: str) -> str:
        return _refuse_controls(super().to_python(value))


def bounded_int(value: str) -> int:
    """``int(value)`` for a whole number within +-:data:`MAX_INT`; ValueError otherwise."""
    text = value.strip()
    if len(text) > 11:
        raise ValueError("too long")
    number = int(text)
    if abs(number) > MAX_INT:
        raise ValueError("out of range")
    return number


class BoundedArgs(ImmutableMultiDict):
    """Query parameters where ``type=int`` refuses numbers out of range like it refuses words."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's name)
        return super().get(key, default, bounded_int if type is int else type)


class AcademyRequest(Request):
    parameter_storage_class = BoundedArgs


def init_app(app: Flask) -> None:
    """Install the bounds; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = PlainStringConverter
    app.url_map.converters["string"] = PlainStringConverter
    app.url_map.converters["path"] = PlainPathConverter
    app.request_class = AcademyRequest
