"""Platform revenue models for online films, series and micro-dramas (网络电影, 网络剧, 微短剧).

- ``member-hours``: members' effective viewing hours × a price per hour, tiered by the title's total hours
  (marginal: each tier's price for the hours inside it; whole: the tier reached prices every hour) or set by
  the title's grade; with the title's runtime the hours count as complete viewings (hours ÷ runtime) and the
  prices and tiers are per complete viewing;
- ``effective-views``: effective views × the price of the title's grade (S/A/B…);
- ``revenue-share``: shares of the member revenue and of the advertising revenue the title brought, or one
  share of the title's whole revenue tiered by its total.

The member part may be multiplied by a coefficient (集数系数, 拉新系数 …); each model may add a bonus per new
member the title brought (会员拉新), then runs the producer tail (distribution fee, 保底, recoupment,
investors). A platform's published rule is a dated parameter set (``rules``): the values it sets, the
parameters it leaves to the user, and the caps it puts on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from avbase.chain.settlement.arithmetic import ZERO, fen, times
from avbase.chain.settlement.params import ParameterError, Params, ParamSpec, parse_number, resolve
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
    # What the rule leaves to the title (its runtime, its grade, a coefficient), and the most a given
    # parameter may be under the rule.
    requires: tuple[str, ...] = ()
    limits: Mapping[str, str] = field(default_factory=dict)


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
            "iqiyi-online-film-2026-exclusive",
            "爱奇艺",
            "网络电影",
            "revenue-share",
            date(2026, 1, 15),
            None,
            {"share_tiers": "0:80%,100万:100%,500万:120%", "tier_mode": "marginal"},
            "爱奇艺2026年电影分账新规（2025年12月31日公布，2026年1月15日起执行；适用于首次网络上线的网络"
            "故事片（含网络电影）与窗口期≤90天的院线电影）：分账票房=收入×分账比例，收入指扣除运营成本后的"
            "净收入（会员时长、广告收入）；独播项目按收入阶梯：≤100万元部分80%，100万–500万元部分100%，"
            "超过500万元部分120%，分账票房为各阶梯区间分账之和；分账周期自上线之日起180天，由合同起止日期"
            "体现（界面新闻 宋佳楠 2025-12-31）",
        ),
        RuleSet(
            "iqiyi-online-film-2026-non-exclusive",
            "爱奇艺",
            "网络电影",
            "revenue-share",
            date(2026, 1, 15),
            None,
            {"member_share": "80%", "ad_share": "80%"},
            "爱奇艺2026年电影分账新规（2026年1月15日起执行）：非独播项目无阶梯奖励，固定分账80%；"
            "收入指扣除运营成本后的净收入（会员时长、广告收入）；分账周期自上线之日起180天"
            "（界面新闻 宋佳楠 2025-12-31）",
        ),
        RuleSet(
            "youku-online-film-2026",
            "优酷",
            "网络电影",
            "revenue-share",
            date(2026, 1, 1),
            None,
            {"member_share": "100%"},
            "优酷2026网络故事片合作模式（2025年12月8日公布，2026年1月1日起新上线的网络故事片适用）：分账票房"
            "=会员收入×分成比例×拉新系数；独家与非独家的会员观影收入分成比例均为100%；拉新系数由平台按播出"
            "期间的会员拉新转化效果设定，最高1.2（界面新闻 2025-12-08）。报道未给出拉新系数的档位，由使用者"
            "按平台结算单给出（member_factor）",
            requires=("member_factor",),
            limits={"member_factor": "1.2"},
        ),
        RuleSet(
            "youku-series-post-grade-2022",
            "优酷",
            "网络剧",
            "member-hours",
            date(2022, 1, 17),
            None,
            {"price_tiers": "0:3,50万:10,100万:20,150万:25", "tier_mode": "whole", "tier_boundary": "above"},
            "优酷网络剧「播后定级」（2022年1月17日起上线）：指数=有效会员正片观看总时长÷剧集总时长；指数≤50万"
            "单价3元，50万<指数≤100万单价10元，100万<指数≤150万单价20元，指数>150万单价25元，所达档位的"
            "单价适用于全部指数（驱动中国 2022-01-18；TechWeb 2022-01-18）。剧集总时长由使用者给出"
            "（runtime_hours）；报道未说明晋级后是否重算此前各期，此处每期按截至该期的累计指数所达档位计价",
            requires=("runtime_hours",),
        ),
        RuleSet(
            "youku-series-pre-grade-2019",
            "优酷",
            "网络剧",
            "member-hours",
            date(2019, 4, 3),
            None,
            {"grade_prices": "S:25,A:20,B:10,C:5"},
            "优酷网络剧「播前定级」分账（优酷网络剧合作模式页，2019-04-03转载于 cxbdf.cn）：分账收入=会员观看"
            "时长分账收入+CPM分账收入；会员观看时长÷剧集正片总时长×定级单价，S级25元、A级20元、B级10元、"
            "C级5元。只计会员部分：CPM分成（S/A/B级80%，C级50%）与A级以上题材奖励20%不在本模型中；"
            "转载页未给出集数系数表，也未说明系数乘在哪一部分，须由使用者按合同给出（member_factor，"
            "此处乘在会员部分）；生效日期不详，按转载日期记",
            requires=("runtime_hours", "grade", "member_factor"),
        ),
        RuleSet(
            "tencent-micro-drama-2022",
            "腾讯视频",
            "微短剧",
            "member-hours",
            date(2022, 4, 2),
            None,
            {"grade_prices": "S:2,A:1.5,B:1"},
            "腾讯视频微短剧分账规则升级（腾讯视频官方“即日起”施行，CMNC-传媒大眼 2022-04-02 转述）：总分账"
            "收入=会员分账收入+广告分账收入+自招商分账收入（如有）；会员分账收入=会员用户有效观看时长×"
            "时长单价，S级2元/小时、A级1.5元/小时、B级1元/小时。报道未给出广告与自招商分账的比例，此处只计"
            "会员部分；生效日期按报道日期记",
            requires=("grade",),
        ),
        RuleSet(
            "tencent-online-film-2025",
            "腾讯视频",
            "网络电影",
            "effective-views",
            date(2025, 1, 1),
            None,
            {"price": "2"},
            "腾讯视频网络电影2025年规则（2026年网络故事片新政前的旧规则）：分账收益=有效观影次数×单价2元×"
            "会员开通阶梯激励系数（网易号《爱优腾新规之下，2026年网络故事片怎么拍？》2026-01-24，快播影视"
            "转载）。报道未给出激励系数的阶梯，由使用者按平台结算单给出（member_factor）；规则的起讫日期不详，"
            "按报道所称“2025年”自2025-01-01记",
            requires=("member_factor",),
        ),
        RuleSet(
            "iqiyi-micro-drama-2019",
            "爱奇艺",
            "微短剧",
            "revenue-share",
            date(2019, 3, 22),
            None,
            {"member_share": "50%", "ad_share": "50%"},
            "爱奇艺《剧情短视频付费分账合作说明》（竖屏为主，单集4–10分钟，不少于30集）：总分账金额=会员"
            "付费期分账金额+广告分账期分账金额+招商分账金额（如有招商），平台与合作方按5:5分成（PingWest品玩"
            "2019-03-22，据环球网）。此处按会员收入与广告收入各50%计，招商分账不在本模型中；报道称“近日”"
            "发布，生效日期按报道日期记",
        ),
    )
}

BONUS_SPECS = (
    ParamSpec("new_members", "number", N_("New members the title brought in the period (会员拉新)"), "0"),
    ParamSpec("new_member_bonus", "money", N_("Bonus per new member"), "0"),
    ParamSpec("rules", "choice", N_("A platform's published rule set"), choices=tuple(RULE_SETS)),
)

TIER_BOUNDARY = ParamSpec(
    "tier_boundary",
    "choice",
    N_(
        "at: a tier starts at its threshold (≥); above: only above it, the threshold staying in the tier "
        "below (≤)"
    ),
    "at",
    choices=("at", "above"),
)
MEMBER_FACTOR = ParamSpec(
    "member_factor",
    "number",
    N_("Coefficient the member revenue is multiplied by (集数系数, 拉新系数 …); 1 when there is none"),
    "1",
)

MEMBER_HOURS: tuple[ParamSpec, ...] = (
    ParamSpec("hours", "number", N_("Members' effective viewing hours in the period"), required=True),
    ParamSpec("hours_before", "number", N_("The title's member hours before this period"), "0"),
    ParamSpec(
        "runtime_hours",
        "number",
        N_(
            "The title's runtime in hours (剧集总时长): when given, hours count as complete viewings "
            "(hours ÷ runtime) and prices and tiers are per complete viewing"
        ),
    ),
    ParamSpec("price", "money", N_("Price per member hour (when there are no tiers)")),
    ParamSpec("price_tiers", "tiers", N_("Price per hour by the title's total hours (0:1,200万:2,600万:3)")),
    ParamSpec(
        "tier_mode",
        "choice",
        N_("marginal: each tier's price for the hours inside it; whole: the tier reached prices every hour"),
        "marginal",
        choices=("marginal", "whole"),
    ),
    TIER_BOUNDARY,
    ParamSpec("grade", "text", N_("The title's grade (S, A, B …)")),
    ParamSpec(
        "grade_prices",
        "prices",
        N_("Price per member hour, or per complete viewing, by grade (S:2,A:1.5,B:1)"),
    ),
    MEMBER_FACTOR,
    *BONUS_SPECS,
    *TAIL_SPECS,
)

EFFECTIVE_VIEWS: tuple[ParamSpec, ...] = (
    ParamSpec("views", "number", N_("Effective views in the period"), required=True),
    ParamSpec("grade", "text", N_("The title's grade (S, A, B …)")),
    ParamSpec("grade_prices", "prices", N_("Price per effective view by grade (S:3,A:2,B:1)")),
    ParamSpec("price", "money", N_("Price per effective view (when there are no grades)")),
    MEMBER_FACTOR,
    *BONUS_SPECS,
    *TAIL_SPECS,
)

REVENUE_SHARE: tuple[ParamSpec, ...] = (
    ParamSpec("member_revenue", "money", N_("Member revenue attributed to the title"), "0"),
    ParamSpec("member_share", "rate", N_("The producer's share of member revenue"), "0"),
    MEMBER_FACTOR,
    ParamSpec("ad_revenue", "money", N_("Advertising revenue of the title"), "0"),
    ParamSpec("ad_share", "rate", N_("The producer's share of advertising revenue"), "0"),
    ParamSpec(
        "share_tiers",
        "tiers",
        N_(
            "The producer's share of the title's whole revenue (member + advertising) by the title's total "
            "revenue (0:80%,100万:100%,500万:120%), instead of member_share and ad_share"
        ),
    ),
    ParamSpec("revenue_before", "money", N_("The title's revenue before this period"), "0"),
    ParamSpec(
        "tier_mode",
        "choice",
        N_(
            "marginal: each tier's share of the revenue inside it; whole: the tier reached sets the share "
            "of all of it"
        ),
        "marginal",
        choices=("marginal", "whole"),
    ),
    TIER_BOUNDARY,
    *BONUS_SPECS,
    *TAIL_SPECS,
)


def rule_set(name: str) -> RuleSet:
    if name not in RULE_SETS:
        raise ParameterError(
            "must be one of {choices}: {value}",
            field="rules",
            name="rules",
            choices=", ".join(RULE_SETS),
            value=name,
        )
    return RULE_SETS[name]


def _given(raw: Mapping[str, object], name: str) -> bool:
    return raw.get(name) is not None and str(raw[name]).strip() != ""


def require_left_to_contract(rule: RuleSet, raw: Mapping[str, object]) -> None:
    """What the rule leaves to the contract (a grade, a runtime) must be given, else its name is refused."""
    for name in rule.requires:
        if not _given(raw, name):
            raise ParameterError(
                "Parameter {name} is required by the rule set {rules}.",
                field=name,
                name=name,
                rules=rule.name,
            )


def _resolve(model: str, specs: tuple[ParamSpec, ...], raw: Mapping[str, object], on: date) -> Params:
    rules_name = raw.get("rules")
    if not rules_name:
        return resolve(specs, raw, on=on)
    rule = rule_set(str(rules_name))
    if rule.model != model:
        raise ParameterError(
            "rules: {rules} is a rule of the {other} model, not {model}.",
            field="rules",
            rules=rule.name,
            other=rule.model,
            model=model,
        )
    if on < rule.effective_from or (rule.effective_until is not None and on > rule.effective_until):
        if rule.effective_until is None:
            raise ParameterError(
                "rules: {rules} is not in force on {on} (from {start}).",
                field="rules",
                rules=rule.name,
                on=on.isoformat(),
                start=rule.effective_from.isoformat(),
            )
        raise ParameterError(
            "rules: {rules} is not in force on {on} (from {start} to {until}).",
            field="rules",
            rules=rule.name,
            on=on.isoformat(),
            start=rule.effective_from.isoformat(),
            until=rule.effective_until.isoformat(),
        )
    require_left_to_contract(rule, raw)
    merged = dict(rule.values) | dict(raw)
    params = resolve(specs, merged, on=on)
    for name, limit in rule.limits.items():
        value = params.get(name)
        if value is not None and value > parse_number(name, limit):
            raise ParameterError(
                "{name} is at most {limit} under the rule set {rules}: {value}",
                field=name,
                name=name,
                limit=limit,
                rules=rule.name,
                value=f"{value:f}",
            )
    for name in rule.values:
        if name not in raw:
            params.sources[name] = f"{rule.name}: {rule.source}"
    return params


def _member_factor(result: Quote, revenue: Decimal, params: Params) -> Decimal:
    factor: Decimal = params["member_factor"]
    if factor == 1:
        return revenue
    return result.step(
        "member_factor",
        N_("Member part {base} × coefficient {factor}: {amount}"),
        times(revenue, factor),
        base=revenue,
        factor=factor,
    )


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


def _viewings(value: Decimal) -> Decimal:
    """Complete viewings as shown in a trace (the amounts use the exact quotient)."""
    return fen(value)


def _grade_price(params: Params) -> Decimal:
    grade = params["grade"]
    prices = dict(params["grade_prices"])
    if grade not in prices:
        raise ParameterError("grade must be one of {grades}.", field="grade", grades=", ".join(prices))
    price: Decimal = prices[grade]
    return price


def member_hours(raw: Mapping[str, object], *, on: date) -> Quote:
    params = _resolve("member-hours", MEMBER_HOURS, raw, on)
    result = Quote(model="member-hours", on=on, base=ZERO)
    record_parameters(result, params)
    hours: Decimal = params["hours"]
    runtime: Decimal | None = params["runtime_hours"]
    if runtime is not None and runtime == 0:
        raise ParameterError("{name} must be more than 0.", field="runtime_hours", name="runtime_hours")
    if runtime is None:
        revenue = _priced_hours(result, params, hours)
    else:
        revenue = _priced_viewings(result, params, hours, runtime)
    _bonus_and_tail(result, _member_factor(result, revenue, params), params)
    return result


def _flat_price(params: Params) -> Decimal:
    price: Decimal | None = _grade_price(params) if params["grade_prices"] else params["price"]
    if price is None:
        raise ParameterError("Give price, price_tiers, or grade and grade_prices.", field="price")
    return price


def _priced_hours(result: Quote, params: Params, hours: Decimal) -> Decimal:
    tiers = params["price_tiers"]
    if not tiers:
        price = _flat_price(params)
        if params["grade_prices"]:
            return result.step(
                "hours",
                N_("{hours} member hours × {price} per hour (grade {grade}): {amount}"),
                times(hours, price),
                hours=hours,
                price=price,
                grade=params["grade"],
            )
        return result.step(
            "hours",
            N_("{hours} member hours × {price} per hour: {amount}"),
            times(hours, price),
            hours=hours,
            price=price,
        )
    if params["tier_mode"] == "whole":
        total = params["hours_before"] + hours
        price = tier_value(tiers, total, above=params["tier_boundary"] == "above")
        return result.step(
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
    return revenue


def _priced_viewings(result: Quote, params: Params, hours: Decimal, runtime: Decimal) -> Decimal:
    """Hours ÷ runtime = complete viewings, priced per viewing (by grade, flat, or by tiers of the total)."""
    viewings = hours / runtime
    before = params["hours_before"] / runtime
    tiers = params["price_tiers"]
    if not tiers:
        price = _flat_price(params)
        return result.step(
            "hours",
            N_(
                "{hours} member hours ÷ {runtime} hours of runtime = {viewings} complete viewings × {price} "
                "each (grade {grade}): {amount}"
            ),
            times(viewings, price),
            hours=hours,
            runtime=runtime,
            viewings=_viewings(viewings),
            price=price,
            grade=params["grade"] or "-",
        )
    if params["tier_mode"] == "whole":
        total = before + viewings
        price = tier_value(tiers, total, above=params["tier_boundary"] == "above")
        return result.step(
            "hours",
            N_(
                "{hours} member hours ÷ {runtime} hours of runtime = {viewings} complete viewings × {price} "
                "each (the tier the title's {total} complete viewings reached): {amount}"
            ),
            times(viewings, price),
            hours=hours,
            runtime=runtime,
            viewings=_viewings(viewings),
            price=price,
            total=_viewings(total),
        )
    revenue = ZERO
    for start, size, price in tier_slices(tiers, before, viewings):
        revenue += result.step(
            "hours_tier",
            N_("{size} complete viewings above {start} ({runtime} hours each) × {price} each: {amount}"),
            times(size, price),
            size=_viewings(size),
            start=_viewings(start),
            runtime=runtime,
            price=price,
        )
    return revenue


def effective_views(raw: Mapping[str, object], *, on: date) -> Quote:
    params = _resolve("effective-views", EFFECTIVE_VIEWS, raw, on)
    result = Quote(model="effective-views", on=on, base=ZERO)
    record_parameters(result, params)
    views: Decimal = params["views"]
    price = params["price"]
    grade = params["grade"]
    if params["grade_prices"]:
        price = _grade_price(params)
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
    _bonus_and_tail(result, _member_factor(result, revenue, params), params)
    return result


def revenue_share(raw: Mapping[str, object], *, on: date) -> Quote:
    params = _resolve("revenue-share", REVENUE_SHARE, raw, on)
    result = Quote(model="revenue-share", on=on, base=ZERO)
    record_parameters(result, params)
    if params["share_tiers"]:
        _bonus_and_tail(result, _tiered_share(result, params), params)
        return result
    member = result.step(
        "member_revenue",
        N_("Member revenue {base} × {rate}: {amount}"),
        times(params["member_revenue"], params["member_share"]),
        base=params["member_revenue"],
        rate=percent(params["member_share"]),
    )
    member = _member_factor(result, member, params)
    ads = result.step(
        "ad_revenue",
        N_("Advertising revenue {base} × {rate}: {amount}"),
        times(params["ad_revenue"], params["ad_share"]),
        base=params["ad_revenue"],
        rate=percent(params["ad_share"]),
    )
    _bonus_and_tail(result, member + ads, params)
    return result


def _tiered_share(result: Quote, params: Params) -> Decimal:
    """One share of the title's whole revenue, set by the tiers of its total to date."""
    if params["member_share"] or params["ad_share"] or params["member_factor"] != 1:
        raise ParameterError(
            "share_tiers shares the whole revenue: give no member_share, ad_share or member_factor with it.",
            field="share_tiers",
        )
    revenue = result.step(
        "title_revenue",
        N_("The title's revenue: member {member} + advertising {ads}: {amount}"),
        params["member_revenue"] + params["ad_revenue"],
        member=params["member_revenue"],
        ads=params["ad_revenue"],
    )
    tiers = params["share_tiers"]
    before: Decimal = params["revenue_before"]
    if params["tier_mode"] == "whole":
        total = before + revenue
        rate = tier_value(tiers, total, above=params["tier_boundary"] == "above")
        return result.step(
            "revenue_tier",
            N_("Revenue {base} × {rate} (the tier the title's {total} revenue reached): {amount}"),
            times(revenue, rate),
            base=revenue,
            rate=percent(rate),
            total=fen(total),
        )
    shared = ZERO
    for start, size, rate in tier_slices(tiers, before, revenue):
        shared += result.step(
            "revenue_tier",
            N_("{size} of revenue above {start} × {rate}: {amount}"),
            times(size, rate),
            size=fen(size),
            start=fen(start),
            rate=percent(rate),
        )
    return shared
