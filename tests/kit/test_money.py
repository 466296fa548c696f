from __future__ import annotations

from decimal import Decimal

import pytest

from avbase.kit.money import to_yuan


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,000.005", "1000.01"), ("0.004", "0.00"), (12, "12.00"), (0.1, "0.10"), (Decimal("-2.345"), "-2.35")],
)
def test_amounts_round_half_up_to_the_fen(text: object, expected: str) -> None:
    assert to_yuan(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "1e40", ""])
def test_what_is_not_an_amount_is_refused_with_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        to_yuan(text)
