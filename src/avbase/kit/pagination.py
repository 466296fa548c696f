"""Paged, sorted listings shared by web tables and API list endpoints."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import QueryableAttribute, Session

T = TypeVar("T")

SortKey = ColumnElement[Any] | QueryableAttribute[Any]

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 20
    sort: str | None = None
    descending: bool = False

    @classmethod
    def parse(cls, page: int, per_page: int, sort: str | None) -> PageRequest:
        """``sort`` is a column key, ``-key`` for descending."""
        descending = bool(sort and sort.startswith("-"))
        return cls(
            page=min(max(page, 1), MAX_PAGE),
            per_page=min(max(per_page, 1), MAX_PER_PAGE),
            sort=sort.lstrip("-") if sort else None,
            descending=descending,
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int
    sort: str | None
    descending: bool

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def sort_param(self) -> str | None:
        if not self.sort:
            return None
        return f"-{self.sort}" if self.descending else self.sort


def paginate(
    session: Session,
    stmt: Select[T],
    request: PageRequest,
    sortable: Mapping[str, SortKey],
    default_sort: SortKey,
) -> Page[T]:
    """Run ``stmt`` for one page. Unknown sort keys fall back to the default order rather than failing."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    column = sortable.get(request.sort or "")
    sort = request.sort if column is not None else None
    if column is None:
        column = default_sort
    order = column.desc() if request.descending else column.asc()
    items = session.scalars(
        stmt.order_by(order, default_sort)
        .offset((request.page - 1) * request.per_page)
        .limit(request.per_page)
    ).all()
    return Page(items, total, request.page, request.per_page, sort, request.descending and sort is not None)


# Database keys are 32-bit on every backend we support; larger numbers can name no row.
MAX_ROW_ID = 2**31 - 1
MAX_PAGE = 1_000_000
