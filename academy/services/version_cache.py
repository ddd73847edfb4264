"""What each worker keeps of a published version: read once, reused until it is least recently used.

A course or quiz version never changes once published, so anything derived from it alone (a course
outline, a parsed quiz definition, a course's certification rules) stays right for as long as it is
kept; a new publication is a new version id, so it shows at once without invalidation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class VersionCache(Generic[T]):
    """Values by version id, least recently used dropped first; thread-safe (gunicorn threads)."""

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict[int, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version_id: int, load: Callable[[], T]) -> T:
        """The value kept for ``version_id``, or ``load()``'s, kept from now on."""
        with self._lock:
            if version_id in self._items:
                self._items.move_to_end(version_id)
                return self._items[version_id]
        value = load()
        with self._lock:
            self._items[version_id] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


def cached(session: Session | None, name: str, size: int, version_id: int, load: Callable[[], T]) -> T:
    """``load()`` through the session's app's cache called ``name`` (made on first use); outside an
    app (a bare session in a script) it is simply loaded."""
    app = session.info.get("academy.app") if session is not None else None
    if app is None:
        return load()
    cache = app.extensions.get(name)
    if cache is None:
        cache = app.extensions.setdefault(name, VersionCache(size))
    return cache.get(version_id, load)
