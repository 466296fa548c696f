"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a mod-31 check character."""

from __future__ import annotations

from avbase.core.errors import InvalidValue

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # I, O, S, V and Z are never used
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class CreditCodeError(InvalidValue):
    """Why a code is not valid; ``msgid`` and ``params`` are ready for translation."""


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    """Upper-cases and strips the code, then checks length, alphabet and check character."""
    code = raw.strip().upper()
    if len(code) != 18:
        raise CreditCodeError("A unified social credit code has 18 characters, not {count}.", count=len(code))
    for position, char in enumerate(code, start=1):
        if char not in CHARSET:
            raise CreditCodeError(
                "Character {position} ({char}) is not allowed in a unified social credit code.",
                position=position,
                char=char,
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            "The check character is wrong: the 18th character should be {expected}, not {actual}.",
            expected=expected,
            actual=code[17],
        )
    return code


def make_credit_code(region_code: str, serial: int, *, registrar: str = "9", kind: str = "1") -> str:
    """A well-formed code for demo and test data: registrar, kind, region, a 9-character body, check."""
    body = ""
    for _ in range(9):
        serial, digit = divmod(serial, 31)
        body = CHARSET[digit] + body
    first17 = registrar + kind + region_code + body
    return first17 + check_character(first17)
