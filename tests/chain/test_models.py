"""Revenue models against settlements computed by hand, to the fen (every figure below done on paper)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from avbase.chain.settlement.arithmetic import split
from avbase.chain.settlement.params import ParameterError
from avbase.chain.settlement.revenue_models import quote
from avbase.chain.settlement.waterfall import Quote

ON = date(2024, 11, 1)


def amounts(result: Quote) -> dict[str, D]:
    return {line.key: line.amount for line in result.lines}


def assert_parts_add_up(result: Quote) -> None:
    assert sum(result.parts.values()) == result.base


def test_split_gives_the_remainder_to_the_last_part() -> None:
    assert split(D("100.00"), [D(1), D(1), D(1)]) == [D("33.33"), D("33.33"), D("33.34")]
    assert split(D("0.05"), [D("0.5"), D("0.5")]) == [D("0.03"), D("0.02")]  # 0.025 rounds half-up


def test_theatrical_every_step_to_the_fen() -> None:
    result = quote(
        "cn-theatrical",
        {"gross": "12345678.90", "distribution_fee_rate": "10%", "agency_fee_rate": "0.01"},
        on=ON,
    )
    steps = amounts(result)
    assert steps["fund"] == D("617283.95")  # 617,283.945 half-up
    assert steps["tax"] == D("407407.40")  # 407,407.4037
    assert steps["net"] == D("11320987.55")
    assert steps["producer_side"] == D("4868024.65")  # 43 % of net: 4,868,024.6465
    assert steps["exhibition"] == D("6452962.90")  # the remainder of net
    assert steps["agency_fee"] == D("113209.88")  # 1 % of net: 113,209.8755
    assert steps["distribution_fee"] == D("475481.48")  # 10 % of 4,754,814.77
    assert steps["producer"] == D("4279333.29")
    assert result.parts == {
        "fund": D("617283.95"),
        "tax": D("407407.40"),
        "exhibitor": D("6452962.90"),
        "agency": D("113209.88"),
        "distributor": D("475481.48"),
        "producer": D("4279333.29"),
    }
    assert_parts_add_up(result)
    assert result.parameters["fund_rate"][1].startswith("《国家电影事业发展专项资金征收使用管理办法》")


@pytest.mark.parametrize(
    ("on", "fund", "tax"),
    [
        (date(2019, 12, 31), D("50000.00"), D("33000.00")),
        (date(2020, 6, 1), D("0.00"), D("0.00")),  # the 2020 exemptions
        (date(2021, 1, 1), D("50000.00"), D("33000.00")),
    ],
)
def test_fund_and_tax_are_dated(on: date, fund: D, tax: D) -> None:
    steps = amounts(quote("cn-theatrical", {"gross": "1000000"}, on=on))
    assert (steps["fund"], steps["tax"]) == (fund, tax)


def test_a_given_rate_overrides_the_dated_default() -> None:
    steps = amounts(quote("cn-theatrical", {"gross": "1000000", "tax_rate": "3%"}, on=date(2020, 6, 1)))
    assert steps["tax"] == D("30000.00")


def test_tiers_whole_volume_and_marginal() -> None:
    tiers = {"gross": "1亿", "total_before": "2.5亿", "producer_share_tiers": "0:43%,3亿:45%,8亿:47%"}
    whole = amounts(quote("cn-theatrical", tiers, on=ON))
    assert whole["net"] == D("91700000.00")
    assert whole["producer_side"] == D("41265000.00")  # 45 %: the film's total reached 3.5亿
    marginal = quote("cn-theatrical", tiers | {"tier_mode": "marginal"}, on=ON)
    # 0.5亿 of gross below 3亿 at 43 %, 0.5亿 above at 45 %; each half carries 45,850,000 of net.
    assert [line.amount for line in marginal.lines if line.key == "producer_tier"] == [
        D("19715500.00"),
        D("20632500.00"),
    ]
    assert amounts(marginal)["producer_side"] == D("40348000.00")
    assert_parts_add_up(marginal)


def test_minimum_guarantee_across_two_periods() -> None:
    deal = {"gross": "1亿", "guarantee": "3000万", "guarantor_share_above": "70%"}
    first = quote("cn-theatrical", deal, on=ON)
    assert amounts(first)["receipts"] == D("39431000.00")
    # Owed: the guarantee plus 30 % of the 9,431,000 above it.
    assert amounts(first)["guarantee"] == D("32829300.00")
    assert first.parts["guarantor"] == D("6601700.00")
    assert first.parts["producer"] == D("32829300.00")
    second = quote("cn-theatrical", deal | {"receipts_before": "39431000"}, on=ON)
    assert amounts(second)["guarantee"] == D("11829300.00")  # 30 % of the whole period, all above it
    assert second.parts["guarantor"] == D("27601700.00")
    assert_parts_add_up(second)


def test_guarantee_not_reached_is_paid_by_the_guarantor() -> None:
    result = quote(
        "cn-theatrical", {"gross": "1亿", "guarantee": "5000万", "guarantor_share_above": "0.7"}, on=ON
    )
    assert result.parts["producer"] == D("50000000.00")
    assert result.parts["guarantor"] == D("-10569000.00")
    assert_parts_add_up(result)


def test_recoupment_before_the_investors_share_the_profit() -> None:
    result = quote(
        "cn-theatrical",
        {
            "gross": "1亿",
            "costs": "1000万",
            "recouped_before": "400万",
            "costs_to": "甲",
            "investors": "甲:60%,乙:40%",
        },
        on=ON,
    )
    steps = amounts(result)
    assert steps["recoupment"] == D("6000000.00")
    assert steps["profit"] == D("33431000.00")
    assert result.parts == {
        "fund": D("5000000.00"),
        "tax": D("3300000.00"),
        "exhibitor": D("52269000.00"),
        "agency": D("0.00"),
        "distributor": D("0.00"),
        "甲": D("26058600.00"),
        "乙": D("13372400.00"),
    }
    assert_parts_add_up(result)


def test_recoupment_takes_everything_while_costs_are_outstanding() -> None:
    result = quote("cn-theatrical", {"gross": "100", "costs": "1000", "investors": "甲:50%,乙:50%"}, on=ON)
    assert amounts(result)["recoupment"] == D("39.43")
    assert result.parts["甲"] == result.parts["乙"] == D("0.00")


def test_member_hours_iqiyi_2024_marginal_and_whole() -> None:
    params = {"hours": "1000000", "hours_before": "1500000", "rules": "iqiyi-online-film-2024"}
    result = quote("member-hours", params, on=ON)
    # 500,000 hours up to 2,000,000 at 1 yuan, 500,000 above at 2 yuan.
    assert [line.amount for line in result.lines if line.key == "hours_tier"] == [
        D("500000.00"),
        D("1000000.00"),
    ]
    assert result.base == D("1500000.00") and result.parts == {
        "distributor": D("0.00"),
        "producer": D("1500000.00"),
    }
    assert result.parameters["price_tiers"][1].startswith("iqiyi-online-film-2024: 爱奇艺")
    whole = quote("member-hours", params | {"tier_mode": "whole"}, on=ON)
    assert whole.base == D("2000000.00")


def test_a_rule_set_out_of_force_is_refused() -> None:
    with pytest.raises(ParameterError) as raised:
        quote("member-hours", {"hours": "1", "rules": "iqiyi-online-film-2024"}, on=date(2024, 9, 30))
    assert raised.value.field == "rules"


def test_effective_views_with_grade_bonus_and_fee() -> None:
    result = quote(
        "effective-views",
        {
            "views": "123457",
            "grade": "A",
            "grade_prices": "S:3,A:2.5,B:1",
            "new_members": "100",
            "new_member_bonus": "8",
            "distribution_fee_rate": "15%",
        },
        on=ON,
    )
    steps = amounts(result)
    assert steps["views"] == D("308642.50")
    assert steps["bonus"] == D("800.00")
    assert result.base == D("309442.50")
    assert result.parts == {"distributor": D("46416.38"), "producer": D("263026.12")}  # 46,416.375 half-up


def test_member_and_advertising_revenue_shares() -> None:
    result = quote(
        "revenue-share",
        {"member_revenue": "1000000.05", "member_share": "60%", "ad_revenue": "333333.33", "ad_share": "30%"},
        on=ON,
    )
    steps = amounts(result)
    assert steps["member_revenue"] == D("600000.03")
    assert steps["ad_revenue"] == D("100000.00")  # 99,999.999
    assert result.base == D("700000.03")


@pytest.mark.parametrize(
    ("model", "params", "field"),
    [
        ("cn-theatrical", {"gross": "1", "producer_cut": "1"}, "producer_cut"),
        ("cn-theatrical", {}, "gross"),
        ("cn-theatrical", {"gross": "-5"}, "gross"),
        ("cn-theatrical", {"gross": "1", "producer_share": "143%"}, "producer_share"),
        ("cn-theatrical", {"gross": "1", "producer_share_tiers": "3亿:45%"}, "producer_share_tiers"),
        ("cn-theatrical", {"gross": "1", "investors": "甲:60%,乙:30%"}, "investors"),
        ("cn-theatrical", {"gross": "1", "tier_mode": "sometimes"}, "tier_mode"),
        ("effective-views", {"views": "1", "grade": "Z", "grade_prices": "S:3"}, "grade"),
        ("member-hours", {"hours": "1"}, "price"),
        ("box-office", {}, "model"),
    ],
)
def test_bad_parameters_are_named(model: str, params: dict[str, str], field: str) -> None:
    with pytest.raises(ParameterError) as raised:
        quote(model, params, on=ON)
    assert raised.value.field == field
