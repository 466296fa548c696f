"""Each numeric measure against hand-computed values, at and around its cap and its dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.policy import service
from avbase.policy.rules import FactError

IN_FORCE = date(2025, 6, 1)


def amount(db: Session, measure: str, on: date = IN_FORCE, **facts: object) -> Decimal | None:
    result = service.quote(db, measure, facts, on=on)
    return result.amount if result.eligible else None


@pytest.mark.parametrize(
    ("assessed", "expected"),
    [
        ("4999999.99", "4999999.99"),
        ("5000000", "5000000.00"),
        ("5000000.01", "5000000.00"),
        ("8000000", "5000000.00"),
    ],
)
def test_rnd_centre_award_is_capped_at_five_million(catalogue: Session, assessed: str, expected: str) -> None:
    got = amount(catalogue, "hn2023.4.rnd-center", recognition_level="national", assessed_amount=assessed)
    assert got == Decimal(expected)


def test_rnd_centre_needs_provincial_recognition_and_the_five_years(catalogue: Session) -> None:
    municipal = service.quote(
        catalogue,
        "hn2023.4.rnd-center",
        {"recognition_level": "municipal", "assessed_amount": 100},
        on=IN_FORCE,
    )
    assert not municipal.eligible and municipal.reason is not None
    assert municipal.reason.params["eligible"] == "provincial, national"
    facts = {"recognition_level": "provincial", "assessed_amount": 100}
    assert amount(catalogue, "hn2023.4.rnd-center", date(2023, 12, 26), **facts) is None  # before issue
    assert amount(catalogue, "hn2023.4.rnd-center", date(2023, 12, 27), **facts) == Decimal(100)
    assert amount(catalogue, "hn2023.4.rnd-center", date(2028, 12, 26), **facts) == Decimal(100)  # last day
    expired = service.quote(catalogue, "hn2023.4.rnd-center", facts, on=date(2028, 12, 27))
    assert (
        not expired.eligible and expired.reason is not None and expired.reason.params["end"] == "2028-12-26"
    )


@pytest.mark.parametrize(
    ("measure", "extra", "cap"),
    [("hn2023.6.demonstration", {}, "1000000"), ("hn2023.8.course", {"in_training_plan": "true"}, "1000000")],
)
def test_one_million_caps(catalogue: Session, measure: str, extra: dict[str, str], cap: str) -> None:
    assert amount(catalogue, measure, assessed_amount="999999.99", **extra) == Decimal("999999.99")
    assert amount(catalogue, measure, assessed_amount=cap, **extra) == Decimal(cap)
    assert amount(catalogue, measure, assessed_amount="1000000.01", **extra) == Decimal(cap)


def test_a_course_outside_the_training_plan_gets_nothing(catalogue: Session) -> None:
    result = service.quote(
        catalogue, "hn2023.8.course", {"in_training_plan": "false", "assessed_amount": 10}, on=IN_FORCE
    )
    assert not result.eligible


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("1000000", "300000.00"),  # 30 %
        ("6666666.66", "1999999.998"),  # 30 % = 1,999,999.998 → rounds half-up to 2,000,000.00
        ("6666666.67", "2000000.00"),  # 2,000,000.001 → over the cap
        ("10000000", "2000000.00"),  # capped
    ],
)
def test_training_base_is_thirty_percent_up_to_two_million(
    catalogue: Session, cost: str, expected: str
) -> None:
    got = amount(catalogue, "hn2023.8.training-base", eligible_cost=cost)
    assert got == Decimal(expected).quantize(Decimal("0.01"))


def test_key_support_list_needs_rnd_strictly_above_five_percent_from_august_2024(catalogue: Session) -> None:
    measure = "zj2024.11.key-support-list"
    at_five = service.quote(catalogue, measure, {"rnd_expense": "5", "revenue": "100"}, on=IN_FORCE)
    assert not at_five.eligible  # 高于5%: exactly 5 % is not above
    above = service.quote(catalogue, measure, {"rnd_expense": "5.01", "revenue": "100"}, on=IN_FORCE)
    assert above.eligible and above.outcome.value == "listed"
    early = service.quote(catalogue, measure, {"rnd_expense": "50", "revenue": "100"}, on=date(2024, 7, 31))
    assert not early.eligible and early.reason is not None and early.reason.params["start"] == "2024-08-01"
    zero = service.quote(catalogue, measure, {"rnd_expense": "1", "revenue": "0"}, on=IN_FORCE)
    assert not zero.eligible


def test_an_amended_cap_applies_from_its_date_and_old_dates_keep_the_old_cap(catalogue: Session) -> None:
    from avbase.core.accounts.models import Role

    officer = Principal(1, "o", "O", Role.authority_officer, 1, "HN", "430000")
    service.amend_parameter(
        catalogue,
        officer,
        "hn2023.4.rnd-center",
        name="cap",
        value="6000000",
        effective_from=date(2026, 1, 1),
    )
    facts = {"recognition_level": "national", "assessed_amount": "9000000"}
    assert amount(catalogue, "hn2023.4.rnd-center", date(2025, 12, 31), **facts) == Decimal(5_000_000)
    result = service.quote(catalogue, "hn2023.4.rnd-center", facts, on=date(2026, 1, 1))
    assert result.amount == Decimal(6_000_000)
    capped = [step for step in result.trace if step.msgid.startswith("Capped at")]
    assert capped and capped[0].params == {"cap": "6,000,000.00", "since": "2026-01-01"}


def test_measures_of_one_group_are_not_stacked_and_the_highest_is_granted(catalogue: Session) -> None:
    quotes = service.quote_item(
        catalogue,
        {
            "hn2023.8.course": {"in_training_plan": "true", "assessed_amount": "800000"},
            "hn2023.8.training-base": {"eligible_cost": "5000000"},  # 30 % = 1,500,000
        },
        on=IN_FORCE,
    )
    granted = [q for q in quotes if q.eligible]
    assert [(q.measure_id, q.amount) for q in granted] == [("hn2023.8.training-base", Decimal("1500000.00"))]
    refused = next(q for q in quotes if not q.eligible)
    assert refused.reason is not None and refused.reason.params["winner"] == "hn2023.8.training-base"
    assert "就高原则" in refused.reason.msgid


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"recognition_level": "national", "assessed_amount": "-1"}, "assessed_amount"),
        ({"recognition_level": "national", "assessed_amount": "abc"}, "assessed_amount"),
        ({"recognition_level": "galactic", "assessed_amount": "1"}, "recognition_level"),
        ({"recognition_level": "national"}, "assessed_amount"),
        ({"recognition_level": "national", "assessed_amount": "1", "colour": "red"}, "colour"),
    ],
)
def test_bad_facts_are_refused_as_bad_input_naming_the_fact(
    catalogue: Session, facts: dict[str, str], field: str
) -> None:
    with pytest.raises(FactError) as raised:
        service.quote(catalogue, "hn2023.4.rnd-center", facts, on=IN_FORCE)
    assert raised.value.field == field


def test_a_batch_refuses_bad_claims_without_stopping_and_resolves_each_item(catalogue: Session) -> None:
    from avbase.policy.catalogue import all_rules
    from avbase.policy.rules import Claim, evaluate_batch

    rules = all_rules(catalogue)
    quotes = evaluate_batch(
        rules,
        [
            Claim(
                "a", "hn2023.8.course", {"in_training_plan": "true", "assessed_amount": "800000"}, IN_FORCE
            ),
            Claim("a", "hn2023.8.training-base", {"eligible_cost": "5000000"}, IN_FORCE),
            Claim(
                "b", "hn2023.8.course", {"in_training_plan": "true", "assessed_amount": "800000"}, IN_FORCE
            ),
            Claim(
                "c",
                "hn2023.4.rnd-center",
                {"recognition_level": "national", "assessed_amount": "-1"},
                IN_FORCE,
            ),
            Claim("d", "no.such.measure", {}, IN_FORCE),
        ],
    )
    assert [(q.eligible, q.amount) for q in quotes] == [
        (False, None),  # item a: not stacked with the training base
        (True, Decimal("1500000.00")),
        (True, Decimal("800000.00")),  # item b: alone, granted
        (False, None),  # bad facts: refused with the reason
        (False, None),
    ]
    assert quotes[3].reason is not None and quotes[3].reason.params["name"] == "assessed_amount"
