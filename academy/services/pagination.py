"""One page of a longer list: what the admin lists (users, certificates, the audit log) return."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

T = TypeVar("T")
U = TypeVar("U")

#: Rows on a page of an admin list.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """Page ``number`` (from 1) of ``total`` items, ``size`` a page; the pager macro reads it."""

    items: list[T]
    total: int
    number: int = 1
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.total, self.number, self.size)


def paginate(session: Session, statement: Select[Any], number: int, size: int = PAGE_SIZE, *,
             key: ColumnElement[Any] | None = None, options: Sequence[ORMOption] = ()) -> Page[Any]:
    """Page ``number`` of the rows ``statement`` selects (in its order), and how many there are in all.

    With ``key`` (the listed table's id) the page is a *deferred join*: the page's keys are picked
    first, by an index that holds the sort columns and the key (``OFFSET`` then skips index entries,
    not rows), and only those rows are read, with ``options`` (eager loads) applied to them alone.
    """
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    number = max(1, number)
    offset = (number - 1) * size
    if key is None:
        rows = session.scalars(statement.options(*options).limit(size).offset(offset)).unique()
        return Page(list(rows), int(total), number, size)
    keys = list(session.scalars(statement.with_only_columns(key, maintain_column_froms=True)
                                .limit(size).offset(offset)))
    rows = session.scalars(statement.options(*options).where(key.in_(keys))).unique() if keys else []
    return Page(list(rows), int(total), number, size)
