"""A per-worker cache of live login sessions, so a signed-in page needs no database round trip to
know who is asking.

An entry is what the database said about a login session (its id, its user's columns, when it
started and was last seen), keyed by the hash of the cookie's token, and trusted for
``recheck_seconds`` (``ACADEMY_SESSION_RECHECK_SECONDS``, default 30) after it was read; then the
next request reads the database again. So:

- on the host (worker process) that signs out, changes a password, deactivates an account or
  changes a role, the change applies at once: a commit that touches ``users`` or
  ``login_sessions`` drops the entries it affects (the session events below);
- on every other host it applies within ``recheck_seconds``;
- ``recheck_seconds = 0`` turns the cache off (every request reads the database, as before).

A host runs several workers, each with its own cache. So that people see their own changes (a new
name, an organisation joined) at once whichever worker answers next, an entry also carries the
account *revision* the browser's signed session cookie named when it was read: the web layer gives
the cookie a new revision whenever a request commits a change to the signed-in user's own row (see
``listeners``), and an entry read under another revision is not used.

The idle and absolute time-outs are still checked on every request against the cached times, and
an entry whose idle clock needs its once-a-minute refresh goes back to the database.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from academy.models import LoginSession, User

#: session.info key: what the current transaction's commit must drop from the cache.
_PENDING = "academy.login_cache.pending"
#: Execution option a bulk UPDATE/DELETE on users or login_sessions may carry to say whose entries
#: it affects: ("users", ids) or ("tokens", token hashes). Without it, every entry is dropped.
FORGET = "academy_login_cache_forget"
_WATCHED = frozenset({User.__tablename__, LoginSession.__tablename__})
_ALL = object()


@dataclass(frozen=True)
class Entry:
    session_id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    #: The user's columns as read, detached; merged (not loaded) into each request's session.
    user: User
    #: ``clock()`` when the database was read.
    checked_at: float
    #: The account revision the session cookie carried when the database was read.
    revision: str = ""


def snapshot(user: User) -> User:
    """A detached copy of ``user``'s columns that no request can change."""
    copy = User(**{attr.key: getattr(user, attr.key) for attr in User.__mapper__.column_attrs})
    make_transient_to_detached(copy)
    return copy


class LoginSessionCache:
    """Login sessions by token hash, least recently used dropped first; thread-safe."""

    def __init__(self, recheck_seconds: float, *, size: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.recheck_seconds = recheck_seconds
        self.size = size
        #: Seconds, monotonic; tests replace it to move time on.
        self.clock = clock
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()
        #: Called after a commit with the ids of the users it changed (None: possibly anyone).
        self.listeners: list[Callable[[set[int] | None], None]] = []

    @property
    def enabled(self) -> bool:
        return self.recheck_seconds > 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, token_hash: str, revision: str = "") -> Entry | None:
        """The entry for ``token_hash`` if it was read from the database less than ``recheck_seconds``
        ago, under the same account ``revision``."""
        if not self.enabled:
            return None
        with self._lock:
            entry = self._items.get(token_hash)
            if entry is None:
                return None
            if entry.revision != revision or self.clock() - entry.checked_at >= self.recheck_seconds:
                del self._items[token_hash]
                return None
            self._items.move_to_end(token_hash)
            return entry

    def put(self, token_hash: str, row: LoginSession, *, last_seen_at: datetime, revision: str = "") -> None:
        """Remember ``row`` (just read from the database, with its user) under ``revision``."""
        if not self.enabled:
            return
        entry = Entry(row.id, row.user_id, row.created_at, last_seen_at, snapshot(row.user), self.clock(),
                      revision)
        with self._lock:
            self._items[token_hash] = entry
            self._items.move_to_end(token_hash)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget_tokens(self, token_hashes: Iterable[str]) -> None:
        with self._lock:
            for token_hash in token_hashes:
                self._items.pop(token_hash, None)

    def forget_users(self, user_ids: Iterable[int]) -> None:
        ids = set(user_ids)
        if not ids:
            return
        with self._lock:
            for key in [k for k, e in self._items.items() if e.user_id in ids]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    # --- invalidation on this host ----------------------------------------------------------------

    def watch(self, factory: sessionmaker) -> None:
        """Drop the entries a committed transaction of ``factory``'s sessions affected."""
        event.listen(factory, "after_flush", self._note_flush)
        event.listen(factory, "do_orm_execute", self._note_execute)
        event.listen(factory, "after_commit", self._apply)
        event.listen(factory, "after_soft_rollback", self._discard)

    @staticmethod
    def _pending(session: Session) -> dict:
        return session.info.setdefault(_PENDING, {"users": set(), "tokens": set(), "all": False})

    def _note_flush(self, session: Session, _context) -> None:
        users = {obj.id for obj in (*session.dirty, *session.deleted) if isinstance(obj, User)}
        users |= {obj.user_id for obj in (*session.dirty, *session.deleted) if isinstance(obj, LoginSession)}
        if users:
            self._pending(session)["users"] |= users

    def _note_execute(self, state) -> None:
        if not (state.is_update or state.is_delete):
            return
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in _WATCHED:
            return
        forget = state.execution_options.get(FORGET)
        pending = self._pending(state.session)
        if forget is None:
            pending["all"] = True
        else:
            kind, values = forget
            pending[kind] |= set(values)

    def _apply(self, session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        if pending["all"]:
            self.clear()
        else:
            self.forget_users(pending["users"])
            self.forget_tokens(pending["tokens"])
        changed = None if pending["all"] else pending["users"]
        if changed is None or changed:
            for listener in self.listeners:
                listener(changed)

    @staticmethod
    def _discard(session: Session, previous_transaction) -> None:
        if previous_transaction.parent is None:
            session.info.pop(_PENDING, None)
