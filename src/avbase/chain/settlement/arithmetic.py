"""Money arithmetic of revenue sharing: half-up to the fen at each step, splits that add up exactly.

Pure: Decimal in, Decimal out. A split hands each part its rounded share and gives the last part what is
left, so the parts always add up to the whole to the fen.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def fen(value: Decimal) -> Decimal:
    """Rounds half-up to the fen (0.005 → 0.01, -0.005 → -0.01)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def times(amount: Decimal, rate: Decimal) -> Decimal:
    return fen(amount * rate)


def split(whole: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``whole`` divided in proportion to ``weights``; the last part takes the remainder."""
    if not weights:
        return []
    total = sum(weights, Decimal(0))
    if total == 0:
        raise ValueError("weights add up to zero")
    parts = [fen(whole * weight / total) for weight in weights[:-1]]
    parts.append(whole - sum(parts, ZERO))
    return parts
