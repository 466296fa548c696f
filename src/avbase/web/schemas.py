"""Shapes shared by every API: pages of results and errors."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, Field

from avbase.kit.pagination import MAX_ROW_ID, Page

T = TypeVar("T", bound=BaseModel)

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Row id")]
RowRef = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]  # an id in a request body: fits the database's integer


class FieldError(BaseModel):
    field: str
    message: str
    type: str | None = None


class ErrorOut(BaseModel):
    detail: str
    errors: list[FieldError] = []


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int


def page_out(page: Page[Any], schema: type[T]) -> PageOut[T]:
    return PageOut[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(item) for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
        pages=page.pages,
    )
