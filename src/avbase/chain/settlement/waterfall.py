"""A quote: the steps of a revenue model from the whole to each party's part, each with its trace.

Every line carries an English msgid with its parameters (translated where shown) and, where the line is
money paid to someone, the party it goes to. The parts of a quote add up exactly to its base.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from avbase.chain.settlement.arithmetic import ZERO, split, times
from avbase.chain.settlement.params import Params, ParamSpec, Tiers
from avbase.core.i18n import N_


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Line:
    key: str
    msgid: str
    amount: Decimal
    params: Mapping[str, str] = field(default_factory=dict)
    party: str | None = None  # set when the amount is a part paid to this party (a contract role)


@dataclass
class Quote:
    model: str
    on: date
    base: Decimal  # what the parts add up to (the period's gross box office or platform revenue)
    lines: list[Line] = field(default_factory=list)
    parameters: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (value, source)

    def step(
        self, key: str, msgid: str, amount: Decimal, *, party: str | None = None, **params: Any
    ) -> Decimal:
        shown = {name: _show(value) for name, value in params.items()}
        self.lines.append(Line(key, msgid, amount, shown | {"amount": yuan(amount)}, party))
        return amount

    def amount(self, key: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.key == key), ZERO)

    @property
    def parts(self) -> dict[str, Decimal]:
        """Each party's part, in the order they first appear."""
        parts: dict[str, Decimal] = {}
        for line in self.lines:
            if line.party is not None:
                parts[line.party] = parts.get(line.party, ZERO) + line.amount
        return parts


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return yuan(value) if value.as_tuple().exponent == -2 else f"{value.normalize():,f}"
    return str(value)


def record_parameters(quote: Quote, params: Params) -> None:
    for name, value in params.values.items():
        if value is None:
            continue
        if isinstance(value, tuple):
            text = ",".join(f"{k}:{_show(v)}" for k, v in value)
        elif isinstance(value, Decimal):
            text = f"{value.normalize():f}"
        else:
            text = str(value)
        quote.parameters[name] = (text, params.sources.get(name, ""))


def tier_value(tiers: Tiers, level: Decimal, *, above: bool = False) -> Decimal:
    """The value of the highest tier whose threshold ``level`` has reached (``above``: has passed, so a level
    equal to a threshold stays in the tier below, as in rules written "50万 < index ≤ 100万")."""
    reached = [
        value for threshold, value in tiers[1:] if threshold < level or (threshold == level and not above)
    ]
    return reached[-1] if reached else tiers[0][1]


def tier_slices(tiers: Tiers, before: Decimal, quantity: Decimal) -> list[tuple[Decimal, Decimal, Decimal]]:
    """``quantity`` on top of ``before`` cut at the tier thresholds: (from, amount in slice, tier value)."""
    slices = []
    start, end = before, before + quantity
    bounds = [threshold for threshold, _ in tiers] + [None]
    for (threshold, value), upper in zip(tiers, bounds[1:], strict=True):
        low = max(start, threshold)
        high = end if upper is None else min(end, upper)
        if high > low:
            slices.append((low, high - low, value))
    return slices


# --- the producer's side, shared by every model: fee, guarantee, recoupment, investors ------------------

TAIL_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec(
        "distribution_fee_rate", "rate", N_("Distribution fee, a rate of the producer's receipts"), "0"
    ),
    ParamSpec("guarantee", "money", N_("Minimum guarantee (保底) the guarantor pays the producer"), "0"),
    ParamSpec(
        "guarantor_share_above", "rate", N_("The guarantor's share of receipts above the guarantee"), "0"
    ),
    ParamSpec("receipts_before", "money", N_("The producer's receipts settled in earlier periods"), "0"),
    ParamSpec("costs", "money", N_("P&A and other costs recouped before any profit is shared"), "0"),
    ParamSpec("recouped_before", "money", N_("Costs already recouped in earlier periods"), "0"),
    ParamSpec("costs_to", "text", N_("The party that recoups the costs"), "producer"),
    ParamSpec("investors", "shares", N_("Investors and their shares of the profit (A:60%,B:40%)")),
)


def producer_tail(quote: Quote, receipts: Decimal, params: Params) -> None:
    """From what reaches the producer's side: distribution fee, 保底, recoupment, then the investors."""
    fee_rate: Decimal = params["distribution_fee_rate"]
    fee = times(receipts, fee_rate)
    quote.step(
        "distribution_fee",
        N_("Distribution fee {rate} of {base}: {amount}"),
        fee,
        party="distributor",
        rate=percent(fee_rate),
        base=receipts,
    )
    receipts -= fee
    quote.step("receipts", N_("Producer's receipts: {amount}"), receipts)
    guarantee: Decimal = params["guarantee"]
    if guarantee > 0:
        receipts = _guarantee(quote, receipts, guarantee, params)
    costs: Decimal = params["costs"]
    if costs > 0:
        outstanding = max(ZERO, costs - params["recouped_before"])
        recouped = min(receipts, outstanding)
        quote.step(
            "recoupment",
            N_("Costs recouped: {amount} of {outstanding} outstanding (of {costs})"),
            recouped,
            party=params["costs_to"],
            outstanding=outstanding,
            costs=costs,
        )
        receipts -= recouped
        quote.step("profit", N_("Profit to share: {amount}"), receipts)
    investors = params["investors"]
    if investors:
        for (name, share), amount in zip(investors, split(receipts, [s for _, s in investors]), strict=True):
            quote.step(
                "investor",
                N_("{investor}'s share {share} of the profit: {amount}"),
                amount,
                party=name,
                investor=name,
                share=percent(share),
            )
    else:
        quote.step("producer", N_("To the producer: {amount}"), receipts, party="producer")


def _guarantee(quote: Quote, receipts: Decimal, guarantee: Decimal, params: Params) -> Decimal:
    """The guarantor owes the producer the guarantee, plus its own share's complement above it."""
    share_above: Decimal = params["guarantor_share_above"]
    before: Decimal = params["receipts_before"]

    def owed(total: Decimal) -> Decimal:
        return guarantee + times(max(ZERO, total - guarantee), 1 - share_above)

    due = owed(before + receipts) - (owed(before) if before > 0 else ZERO)
    quote.step(
        "guarantee",
        N_(
            "Guarantee {guarantee}; on receipts of {total} to date the producer is owed {owed}, "
            "{earlier} of it in earlier periods; the guarantor takes {share} above the guarantee"
        ),
        due,
        guarantee=guarantee,
        total=before + receipts,
        owed=owed(before + receipts),
        earlier=owed(before) if before > 0 else ZERO,
        share=percent(share_above),
    )
    quote.step(
        "guarantor",
        N_("The guarantor's result (negative: paid from its own pocket): {amount}"),
        receipts - due,
        party="guarantor",
    )
    return due
