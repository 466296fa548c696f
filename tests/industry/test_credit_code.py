from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avbase.industry.credit_code import CreditCodeError, make_credit_code, normalise_credit_code


def test_a_published_code_passes_and_is_normalised() -> None:
    # The GB 32100 worked example.
    assert normalise_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "should be 3, not 4"),
        ("91350100M000100Y4", "18 characters, not 17"),
        ("91350100M00O100Y43", "Character 12 (O)"),
    ],
)
def test_bad_codes_say_what_is_wrong(code: str, fragment: str) -> None:
    with pytest.raises(CreditCodeError) as caught:
        normalise_credit_code(code)
    assert fragment in str(caught.value)


@given(st.integers(min_value=0, max_value=31**9 - 1))
def test_generated_codes_validate_and_any_single_change_of_the_check_fails(serial: int) -> None:
    code = make_credit_code("330106", serial)
    assert normalise_credit_code(code) == code
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(CreditCodeError):
        normalise_credit_code(wrong)
