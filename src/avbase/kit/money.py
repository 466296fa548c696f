"""Money: Decimal yuan in Python, integer fen in the database, rounded half-up at two places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Dialect
from sqlalchemy.types import TypeDecorator

FEN = Decimal("0.01")
YI = Decimal(100_000_000)  # 亿
WAN = Decimal(10_000)  # 万


def to_yuan(value: object) -> Decimal:
    """Parses a number (str, int, Decimal; never float) into yuan rounded half-up to the fen."""
    if isinstance(value, float):
        value = repr(value)  # the shortest repr round-trips, unlike Decimal(float)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    try:
        return amount.quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the context holds (1e40 and the like)
        raise ValueError(f"not an amount: {value!r}") from exc


class Money(TypeDecorator[Decimal]):
    """Stores yuan as integer fen, so sums are exact on SQLite and PostgreSQL alike."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(to_yuan(value) * 100)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(FEN)


def in_yi(amount: Decimal | None) -> Decimal:
    """Yuan → 亿 with two decimals, for display only."""
    return ((amount or Decimal(0)) / YI).quantize(FEN, rounding=ROUND_HALF_UP)
