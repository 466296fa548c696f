"""``cn-theatrical``: the Chinese theatrical box-office split, from gross box office to each party.

Gross box office (ticketing service fees excluded) → the film fund (电影事业发展专项资金) and taxes, both
rates of the gross → net box office (净票房) → the exhibition side (院线 + cinema) and the producer side
(``producer_share``, by convention 43 %, or tiers by the film's total, whole-volume or marginal) → the
national digital agency fee (a rate of net box office, borne by the producer side) → the producer tail
(distribution fee, 保底, recoupment, investors).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from avbase.chain.settlement.arithmetic import ZERO, split, times
from avbase.chain.settlement.params import Dated, Params, ParamSpec, resolve
from avbase.chain.settlement.waterfall import (
    TAIL_SPECS,
    Quote,
    percent,
    producer_tail,
    record_parameters,
    tier_slices,
    tier_value,
)
from avbase.core.i18n import N_

NAME = "cn-theatrical"

FUND_2015 = "《国家电影事业发展专项资金征收使用管理办法》(财税〔2015〕91号): 按电影票房收入的5%缴纳"
FUND_2020 = "财政部 国家电影局公告2020年第26号: 2020年1月1日至12月31日免征国家电影事业发展专项资金"
FUND_2021 = FUND_2015 + " (again from 2021, after the 2020 exemption)"
TAX_2016 = (
    "Convention: VAT 3% (simplified method for film screening, 财税〔2016〕36号) plus surcharges ≈ 3.3%"
)
TAX_2020 = "财政部 税务总局公告2020年第25号: 2020年1月1日至12月31日 电影放映服务收入免征增值税"
TAX_2021 = "The 2020 exemption ended; the conventional 3.3% again"

SPECS: tuple[ParamSpec, ...] = (
    ParamSpec(
        "gross", "money", N_("Gross box office of the period, ticketing service fees excluded"), required=True
    ),
    ParamSpec(
        "fund_rate",
        "rate",
        N_("Film fund (电影事业发展专项资金), a rate of gross box office"),
        dated=(
            Dated("0.05", date(2015, 1, 1), FUND_2015),
            Dated("0", date(2020, 1, 1), FUND_2020),
            Dated("0.05", date(2021, 1, 1), FUND_2021),
        ),
    ),
    ParamSpec(
        "tax_rate",
        "rate",
        N_("Taxes (VAT and surcharges), a rate of gross box office"),
        dated=(
            Dated("0.033", date(2016, 5, 1), TAX_2016),
            Dated("0", date(2020, 1, 1), TAX_2020),
            Dated("0.033", date(2021, 1, 1), TAX_2021),
        ),
    ),
    ParamSpec("producer_share", "rate", N_("The producer side's share of net box office"), "0.43"),
    ParamSpec(
        "producer_share_tiers",
        "tiers",
        N_("Producer share by the film's total gross (0:43%,3亿:45%,8亿:47%); replaces producer_share"),
    ),
    ParamSpec(
        "tier_mode",
        "choice",
        N_(
            "whole: the tier reached applies to the whole period; "
            "marginal: each tier to the box office inside it"
        ),
        "whole",
        choices=("whole", "marginal"),
    ),
    ParamSpec("total_before", "money", N_("The film's gross box office before this period"), "0"),
    ParamSpec("agency_fee_rate", "rate", N_("National digital agency fee, a rate of net box office"), "0"),
    *TAIL_SPECS,
)


def quote(raw: Mapping[str, object], *, on: date) -> Quote:
    params = resolve(SPECS, raw, on=on)
    gross: Decimal = params["gross"]
    result = Quote(model=NAME, on=on, base=gross)
    record_parameters(result, params)
    result.step("gross", N_("Gross box office: {amount}"), gross)
    fund_rate: Decimal = params["fund_rate"]
    fund = result.step(
        "fund",
        N_("Film fund {rate} of gross: {amount}"),
        times(gross, fund_rate),
        party="fund",
        rate=percent(fund_rate),
    )
    tax_rate: Decimal = params["tax_rate"]
    tax = result.step(
        "tax",
        N_("Taxes {rate} of gross: {amount}"),
        times(gross, tax_rate),
        party="tax",
        rate=percent(tax_rate),
    )
    net = result.step("net", N_("Net box office: {amount}"), gross - fund - tax)
    producer_side = _producer_side(result, net, gross, params)
    result.step(
        "exhibition",
        N_("Exhibition side (院线 and cinema): {amount}"),
        net - producer_side,
        party="exhibitor",
    )
    agency_rate: Decimal = params["agency_fee_rate"]
    agency = result.step(
        "agency_fee",
        N_("National digital agency fee {rate} of net: {amount}"),
        times(net, agency_rate),
        party="agency",
        rate=percent(agency_rate),
    )
    producer_tail(result, producer_side - agency, params)
    return result


def _producer_side(result: Quote, net: Decimal, gross: Decimal, params: Params) -> Decimal:
    tiers = params["producer_share_tiers"]
    if not tiers:
        rate: Decimal = params["producer_share"]
        return result.step(
            "producer_side", N_("Producer side {rate} of net: {amount}"), times(net, rate), rate=percent(rate)
        )
    before: Decimal = params["total_before"]
    if params["tier_mode"] == "whole":
        rate = tier_value(tiers, before + gross)
        return result.step(
            "producer_side",
            N_("Producer side {rate} of net (the tier the film's total {total} reached): {amount}"),
            times(net, rate),
            rate=percent(rate),
            total=before + gross,
        )
    slices = tier_slices(tiers, before, gross)
    if not slices:  # no box office in the period
        return result.step("producer_side", N_("Producer side of net: {amount}"), ZERO)
    nets = split(net, [size for _, size, _ in slices])
    total = ZERO
    for (start, size, rate), slice_net in zip(slices, nets, strict=True):
        total += result.step(
            "producer_tier",
            N_("Producer side {rate} of the net {net} from the {size} of gross above {start}: {amount}"),
            times(slice_net, rate),
            rate=percent(rate),
            net=slice_net,
            size=size,
            start=start,
        )
    return result.step("producer_side", N_("Producer side of net: {amount}"), total)
