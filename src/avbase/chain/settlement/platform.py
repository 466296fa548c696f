"""Platform revenue models for online films, series and micro-dramas (网络电影, 网络剧, 微短剧).

- ``member-hours``: members' effective viewing hours × a price per hour, tiered by the title's total hours
  (marginal: each tier's price for the hours inside it; whole: the tier reached prices every hour);
- ``effective-views``: effective views × the price of the title's grade (S/A/B…);
- ``revenue-share``: shares of the member revenue and of the advertising revenue the title brought.

Each may add a bonus per new member the title brought (会员拉新), then runs the producer tail (distribution
fee, 保底, recoupment, investors). A platform's published rule is a dated parameter set (``rules``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from avbase.chain.settlement.arithmetic import ZERO, times
from avbase.chain.settlement.params import ParameterError, Params, ParamSpec, resolve
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


@dataclass(frozen=True)
class RuleSet:
    """A platform's published sharing rule: which model, which content, from when, the values, the source."""

    name: str
    platform: str
    content: str  # 网络电影 | 网络剧 | 微短剧
    model: str
    effective_from: date
    effective_until: date | None
    values: Mapping[str, str]
    source: str


RULE_SETS: dict[str, RuleSet] = {
    rule.name: rule
    for rule in (
        RuleSet(
            "iqiyi-online-film-2024",
            "爱奇艺",
            "网络电影",
            "member-hours",
            date(2024, 10, 1),
            None,
            {"price_tiers": "0:1,200万:2,600万:3", "tier_mode": "marginal"},
            "爱奇艺网络电影分账时长阶梯调整（2024年9月公布，10月1日起对独家网络电影施行）：会员观看时长"
            "低于200万、超200万、超600万小时三档，每小时分账单价1元、2元、3元，收益为各阶梯之和"
            "（ITBEAR 2024-09-20 等报道）",
        ),
        RuleSet(
            "iqiyi-online-film-2022",
            "爱奇艺",
            "网络电影",
            "member-hours",
            date(2022, 1, 1),
            date(2024, 9, 30),
            {"price_tiers": "0:1,600万:2,1000万:3", "tier_mode": "marginal"},
            "2024年调整前的爱奇艺网络电影时长阶梯：低于600万、超600万、超1000万小时三档（报道只给出门槛；"
            "单价按调整后同为1/2/3元记，生效日期按2022年记，使用前请以平台原文核对）",
        ),
    )
}

BONUS_SPECS = (
    ParamSpec("new_members", "number", N_("New members the title brought in the period (会员拉新)"), "0"),
    ParamSpec("new_member_bonus", "money", N_("Bonus per new member"), "0"),
    ParamSpec("rules", "choice", N_("A platform's published rule set"), choices=tuple(RULE_SETS)),
)

MEMBER_HOURS: tuple[ParamSpec, ...] = (
    ParamSpec("hours", "number", N_("Members' effective viewing hours in the period"), required=True),
    ParamSpec("hours_before", "number", N_("The title's member hours before this period"), "0"),
    ParamSpec("price", "money", N_("Price per member hour (when there are no tiers)")),
    ParamSpec("price_tiers", "tiers", N_("Price per hour by the title's total hours (0:1,200万:2,600万:3)")),
    ParamSpec(
        "tier_mode",
        "choice",
        N_("marginal: each tier's price for the hours inside it; whole: the tier reached prices every hour"),
        "marginal",
        choices=("marginal", "whole"),
    ),
    *BONUS_SPECS,
    *TAIL_SPECS,
)

EFFECTIVE_VIEWS: tuple[ParamSpec, ...] = (
    ParamSpec("views", "number", N_("Effective views in the period"), required=True),
    ParamSpec("grade", "text", N_("The title's grade (S, A, B …)")),
    ParamSpec("grade_prices", "prices", N_("Price per effective view by grade (S:3,A:2,B:1)")),
    ParamSpec("price", "money", N_("Price per effective view (when there are no grades)")),
    *BONUS_SPECS,
    *TAIL_SPECS,
)

REVENUE_SHARE: tuple[ParamSpec, ...] = (
    ParamSpec("member_revenue", "money", N_("Member revenue attributed to the title"), "0"),
    ParamSpec("member_share", "rate", N_("The producer's share of member revenue"), "0"),
    ParamSpec("ad_revenue", "money", N_("Advertising revenue of the title"), "0"),
    ParamSpec("ad_share", "rate", N_("The producer's share of advertising revenue"), "0"),
    *BONUS_SPECS,
    *TAIL_SPECS,
)


def _resolve(model: str, specs: tuple[ParamSpec, ...], raw: Mapping[str, object], on: date) -> Params:
    rules_name = raw.get("rules")
    if not rules_name:
        return resolve(specs, raw, on=on)
    if str(rules_name) not in RULE_SETS:
        raise ParameterError(
            "must be one of {choices}: {value}",
            field="rules",
            name="rules",
            choices=", ".join(RULE_SETS),
            value=str(rules_name),
        )
    rule = RULE_SETS[str(rules_name)]
    if rule.model != model:
        raise ParameterError(
            "rules: {rules} is a rule of the {other} model, not {model}.",
            field="rules",
            rules=rule.name,
            other=rule.model,
            model=model,
        )
    if on < rule.effective_from or (rule.effective_until is not None and on > rule.effective_until):
        raise ParameterError(
            "rules: {rules} is not in force on {on} (from {start}).",
            field="rules",
            rules=rule.name,
            on=on.isoformat(),
            start=rule.effective_from.isoformat(),
        )
    merged = dict(rule.values) | dict(raw)
    params = resolve(specs, merged, on=on)
    for name in rule.values:
        if name not in raw:
            params.sources[name] = f"{rule.name}: {rule.source}"
    return params


def _bonus_and_tail(result: Quote, revenue: Decimal, params: Params) -> None:
    members: Decimal = params["new_members"]
    bonus_each: Decimal = params["new_member_bonus"]
    if members and bonus_each:
        revenue += result.step(
            "bonus",
            N_("New-member bonus: {members} × {price}: {amount}"),
            times(members, bonus_each),
            members=members,
            price=bonus_each,
        )
    result.base = revenue
    result.step("revenue", N_("Revenue from the platform: {amount}"), revenue)
    producer_tail(result, revenue, params)


def member_hours(raw: Mapping[str, object], *, on: date) -> Quote:
    params = _resolve("member-hours", MEMBER_HOURS, raw, on)
    result = Quote(model="member-hours", on=on, base=ZERO)
    record_parameters(result, params)
    hours: Decimal = params["hours"]
    tiers = params["price_tiers"]
    if not tiers:
        price = params["price"]
        if price is None:
            raise ParameterError("Give price or price_tiers.", field="price")
        revenue = result.step(
            "hours",
            N_("{hours} member hours × {price} per hour: {amount}"),
            times(hours, price),
            hours=hours,
            price=price,
        )
    elif params["tier_mode"] == "whole":
        total = params["hours_before"] + hours
        price = tier_value(tiers, total)
        revenue = result.step(
            "hours",
            N_(
                "{hours} member hours × {price} per hour (the tier the title's {total} hours reached): "
                "{amount}"
            ),
            times(hours, price),
            hours=hours,
            price=price,
            total=total,
        )
    else:
        revenue = ZERO
        for start, size, price in tier_slices(tiers, params["hours_before"], hours):
            revenue += result.step(
                "hours_tier",
                N_("{size} member hours above {start} × {price} per hour: {amount}"),
                times(size, price),
                size=size,
                start=start,
                price=price,
            )
    _bonus_and_tail(result, revenue, params)
    return result


def effective_views(raw: Mapping[str, object], *, on: date) -> Quote:
    params = _resolve("effective-views", EFFECTIVE_VIEWS, raw, on)
    result = Quote(model="effective-views", on=on, base=ZERO)
    record_parameters(result, params)
    views: Decimal = params["views"]
    price = params["price"]
    grade = params["grade"]
    if params["grade_prices"]:
        prices = dict(params["grade_prices"])
        if grade not in prices:
            raise ParameterError("grade must be one of {grades}.", field="grade", grades=", ".join(prices))
        price = prices[grade]
    if price is None:
        raise ParameterError("Give price, or grade and grade_prices.", field="price")
    revenue = result.step(
        "views",
        N_("{views} effective views × {price} (grade {grade}): {amount}"),
        times(views, price),
        views=views,
        price=price,
        grade=grade or "-",
    )
    _bonus_and_tail(result, revenue, params)
    return result


def revenue_share(raw: Mapping[str, object], *, on: date) -> Quote:
    params = _resolve("revenue-share", REVENUE_SHARE, raw, on)
    result = Quote(model="revenue-share", on=on, base=ZERO)
    record_parameters(result, params)
    member = result.step(
        "member_revenue",
        N_("Member revenue {base} × {rate}: {amount}"),
        times(params["member_revenue"], params["member_share"]),
        base=params["member_revenue"],
        rate=percent(params["member_share"]),
    )
    ads = result.step(
        "ad_revenue",
        N_("Advertising revenue {base} × {rate}: {amount}"),
        times(params["ad_revenue"], params["ad_share"]),
        base=params["ad_revenue"],
        rate=percent(params["ad_share"]),
    )
    _bonus_and_tail(result, member + ads, params)
    return result
