"""Measures as executable rules: dated parameters, facts in, an amount or decision out, with its trace.

Pure Python (no database, no web), in the spirit of OpenFisca's dated parameters: a cap or rate has a value
from a date on, and an evaluation "as of" a date uses the value then in force. Every step that decides the
outcome is recorded as a trace line (an English msgid with parameters, translated where it is shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("1e15")


class RuleKind(StrEnum):
    capped = "capped"  # the assessed amount, up to a cap
    rate_capped = "rate_capped"  # a rate of the eligible cost, up to a cap
    threshold_listing = "threshold_listing"  # listed when a share exceeds a threshold
    authority_amount = "authority_amount"  # "一定补助": the authority sets the amount
    listing = "listing"  # put on a list (often through a yearly selection)
    recommendation = "recommendation"  # recommended to another programme
    procurement = "procurement"  # a procurement preference
    support = "support"  # support without a stated amount or list


class Outcome(StrEnum):
    money = "money"
    listed = "listed"
    recommended = "recommended"
    preferred = "preferred"
    supported = "supported"


OUTCOME_OF = {
    RuleKind.capped: Outcome.money,
    RuleKind.rate_capped: Outcome.money,
    RuleKind.authority_amount: Outcome.money,
    RuleKind.threshold_listing: Outcome.listed,
    RuleKind.listing: Outcome.listed,
    RuleKind.recommendation: Outcome.recommended,
    RuleKind.procurement: Outcome.preferred,
    RuleKind.support: Outcome.supported,
}


class FactError(AvbaseError):
    """The facts given cannot be evaluated (unknown, missing, malformed): bad input, not ineligibility."""

    status_code = 422


@dataclass(frozen=True)
class FactSpec:
    name: str
    kind: str  # money | choice | flag | number
    choices: tuple[str, ...] = ()  # choice: the values that may be given
    eligible: tuple[str, ...] = ()  # choice: the values that qualify (others are refused with a reason)
    required: bool = True
    must_be_true: bool = False  # flag: the measure applies only when it is true
    positive: bool = False  # money: the measure applies only when it is above zero


@dataclass(frozen=True)
class Parameter:
    """One value of a named parameter, in force from ``effective_from`` until the next one."""

    name: str  # cap | rate | share
    value: Decimal
    effective_from: date
    note: str = ""


@dataclass(frozen=True)
class Rule:
    measure_id: str
    kind: RuleKind
    in_force_from: date
    in_force_until: date | None
    facts: tuple[FactSpec, ...]
    parameters: tuple[Parameter, ...]
    group: str | None = None  # non-cumulation group (HN closing clause: 不重复享受, 就高原则)
    numerator: str = ""  # threshold_listing: e.g. rnd_expense
    denominator: str = ""  # threshold_listing: e.g. revenue

    def parameter(self, name: str, on: date) -> Parameter | None:
        """The value of ``name`` in force on ``on`` (the latest that took effect by then)."""
        found = [p for p in self.parameters if p.name == name and p.effective_from <= on]
        return max(found, key=lambda p: p.effective_from) if found else None


@dataclass(frozen=True)
class Step:
    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass
class Quote:
    measure_id: str
    on: date
    eligible: bool
    outcome: Outcome
    amount: Decimal | None = None
    reason: Step | None = None
    trace: list[Step] = field(default_factory=list)

    def refuse(self, msgid: str, **params: object) -> Quote:
        self.eligible = False
        self.amount = None
        self.reason = Step(msgid, params)
        self.trace.append(self.reason)
        return self

    def note(self, msgid: str, **params: object) -> None:
        self.trace.append(Step(msgid, params))


def yuan(value: Decimal) -> str:
    """12345.6 → "12,345.60" for trace lines."""
    return f"{value:,.2f}"


# --- facts -------------------------------------------------------------------------------------------


def _money(name: str, raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise FactError("The fact {name} must be an amount in yuan.", field=name, name=name)
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise FactError("The fact {name} must be an amount in yuan.", field=name, name=name) from None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise FactError("The fact {name} must be an amount in yuan.", field=name, name=name)
    if value < 0:
        raise FactError("The fact {name} must not be negative.", field=name, name=name)
    return value.quantize(FEN, ROUND_HALF_UP)


def _flag(name: str, raw: object) -> bool:
    text = str(raw).strip().lower()
    if text in ("true", "yes", "1", "y", "是"):
        return True
    if text in ("false", "no", "0", "n", "否"):
        return False
    raise FactError("The fact {name} must be true or false.", field=name, name=name)


def parse_facts(rule: Rule, raw: Mapping[str, object]) -> dict[str, object]:
    """Checks names and values against the rule's fact specs; raises :class:`FactError` on bad input."""
    specs = {spec.name: spec for spec in rule.facts}
    unknown = sorted(set(raw) - specs.keys())
    if unknown:
        raise FactError(
            "Unknown fact {name} for {measure}; it takes: {known}.",
            field=unknown[0],
            name=unknown[0],
            measure=rule.measure_id,
            known=", ".join(specs) or "—",
        )
    facts: dict[str, object] = {}
    for name, spec in specs.items():
        if name not in raw:
            if spec.required:
                raise FactError("The fact {name} is required.", field=name, name=name)
            continue
        value = raw[name]
        if spec.kind == "money":
            facts[name] = _money(name, value)
        elif spec.kind == "flag":
            facts[name] = _flag(name, value)
        elif spec.kind == "choice":
            text = str(value).strip()
            if text not in spec.choices:
                raise FactError(
                    "The fact {name} must be one of: {choices}.",
                    field=name,
                    name=name,
                    choices=", ".join(spec.choices),
                )
            facts[name] = text
        else:
            facts[name] = _money(name, value)
    return facts


# --- evaluation --------------------------------------------------------------------------------------


def evaluate(rule: Rule, raw_facts: Mapping[str, object], *, on: date) -> Quote:
    """What the measure gives for these facts on ``on``: eligible or not (with the reason), and how much."""
    facts = parse_facts(rule, raw_facts)
    quote = Quote(rule.measure_id, on, True, OUTCOME_OF[rule.kind])
    if on < rule.in_force_from:
        return quote.refuse(
            "Not in force yet on {on}: the measure applies from {start}.",
            on=on.isoformat(),
            start=rule.in_force_from.isoformat(),
        )
    if rule.in_force_until is not None and on > rule.in_force_until:
        return quote.refuse(
            "Expired: the measure was in force until {end}.", end=rule.in_force_until.isoformat()
        )
    quote.note("In force on {on} (from {start}).", on=on.isoformat(), start=rule.in_force_from.isoformat())
    for spec in rule.facts:
        value = facts.get(spec.name)
        if spec.kind == "choice" and spec.eligible and value is not None and value not in spec.eligible:
            return quote.refuse(
                "{name} is {value}; the measure requires one of: {eligible}.",
                name=spec.name,
                value=value,
                eligible=", ".join(spec.eligible),
            )
        if spec.kind == "flag" and spec.must_be_true and value is False:
            return quote.refuse("{name} is false; the measure requires it.", name=spec.name)
        if spec.positive and value is not None and _decimal(value) <= 0:
            return quote.refuse("{name} is zero; the measure requires more.", name=spec.name)
    handler = _HANDLERS[rule.kind]
    return handler(rule, facts, quote)


def _capped(rule: Rule, facts: Mapping[str, object], quote: Quote) -> Quote:
    assessed = _decimal(facts["assessed_amount"])
    cap = _require(rule, "cap", quote.on)
    quote.note("Assessed amount {amount} yuan.", amount=yuan(assessed))
    return _apply_cap(quote, assessed, cap)


def _rate_capped(rule: Rule, facts: Mapping[str, object], quote: Quote) -> Quote:
    cost = _decimal(facts["eligible_cost"])
    rate = _require(rule, "rate", quote.on)
    cap = _require(rule, "cap", quote.on)
    share = (cost * rate.value).quantize(FEN, ROUND_HALF_UP)
    quote.note(
        "Eligible cost {cost} yuan × rate {rate} % (in force from {since}) = {amount} yuan.",
        cost=yuan(cost),
        rate=f"{rate.value * 100:g}",
        since=rate.effective_from.isoformat(),
        amount=yuan(share),
    )
    return _apply_cap(quote, share, cap)


def _apply_cap(quote: Quote, amount: Decimal, cap: Parameter) -> Quote:
    if amount > cap.value:
        quote.note(
            "Capped at {cap} yuan (cap in force from {since}).",
            cap=yuan(cap.value),
            since=cap.effective_from.isoformat(),
        )
        amount = cap.value
    else:
        quote.note(
            "Within the cap of {cap} yuan (in force from {since}).",
            cap=yuan(cap.value),
            since=cap.effective_from.isoformat(),
        )
    if amount <= 0:
        return quote.refuse("The amount is zero: nothing to grant.")
    quote.amount = amount.quantize(FEN, ROUND_HALF_UP)
    quote.note("Amount: {amount} yuan.", amount=yuan(quote.amount))
    return quote


def _threshold(rule: Rule, facts: Mapping[str, object], quote: Quote) -> Quote:
    numerator, denominator = _decimal(facts[rule.numerator]), _decimal(facts[rule.denominator])
    share = _require(rule, "share", quote.on)
    if denominator <= 0:
        return quote.refuse("{name} is zero: the share cannot be computed.", name=rule.denominator)
    actual = numerator / denominator
    quote.note(
        "{numerator} / {denominator} = {actual} % (threshold {share} %, in force from {since}).",
        numerator=rule.numerator,
        denominator=rule.denominator,
        actual=f"{actual * 100:.2f}",
        share=f"{share.value * 100:g}",
        since=share.effective_from.isoformat(),
    )
    if actual <= share.value:
        return quote.refuse(
            "{actual} % is not above {share} %: not listed.",
            actual=f"{actual * 100:.2f}",
            share=f"{share.value * 100:g}",
        )
    quote.note("Above the threshold: listed.")
    return quote


def _authority(rule: Rule, facts: Mapping[str, object], quote: Quote) -> Quote:
    quote.note("The text sets no amount (一定补助): the responsible unit sets it.")
    granted = facts.get("granted_amount")
    if granted is None:
        quote.note("Eligible; the amount is set on approval.")
        return quote
    amount = _decimal(granted)
    cap = rule.parameter("cap", quote.on)
    if cap is not None:
        return _apply_cap(quote, amount, cap)
    if amount <= 0:
        return quote.refuse("The amount is zero: nothing to grant.")
    quote.amount = amount
    quote.note("Amount set by the authority: {amount} yuan.", amount=yuan(amount))
    return quote


def _decision(rule: Rule, facts: Mapping[str, object], quote: Quote) -> Quote:
    messages = {
        RuleKind.listing: N_("Eligible: the list is decided by the responsible unit (selection)."),
        RuleKind.recommendation: N_("Eligible for recommendation by the responsible unit."),
        RuleKind.procurement: N_("Eligible for the procurement preference."),
        RuleKind.support: N_("Eligible for support; the text sets no amount."),
    }
    quote.note(messages[rule.kind])
    return quote


_HANDLERS = {
    RuleKind.capped: _capped,
    RuleKind.rate_capped: _rate_capped,
    RuleKind.threshold_listing: _threshold,
    RuleKind.authority_amount: _authority,
    RuleKind.listing: _decision,
    RuleKind.recommendation: _decision,
    RuleKind.procurement: _decision,
    RuleKind.support: _decision,
}


def _decimal(value: object) -> Decimal:
    assert isinstance(value, Decimal)
    return value


def _require(rule: Rule, name: str, on: date) -> Parameter:
    found = rule.parameter(name, on)
    if found is None:
        raise AvbaseError(
            "The measure {measure} has no {name} in force on {on}.",
            measure=rule.measure_id,
            name=name,
            on=on.isoformat(),
        )
    return found


# --- non-cumulation ----------------------------------------------------------------------------------


def grant_highest(quotes: Sequence[Quote], groups: Mapping[str, str | None]) -> list[Quote]:
    """HN closing clause: for one item, measures of the same group are not stacked; the highest amount
    is granted (就高原则). Quotes outside any group, or alone in theirs, are left as they are."""
    by_group: dict[str, list[Quote]] = {}
    for quote in quotes:
        group = groups.get(quote.measure_id)
        if group and quote.eligible and quote.amount is not None:
            by_group.setdefault(group, []).append(quote)
    for group, members in by_group.items():
        if len(members) < 2:
            continue
        best = max(members, key=lambda q: (q.amount or Decimal(0), q.measure_id))
        best.note("Highest in group {group} for this item: granted (就高原则).", group=group)
        for other in members:
            if other is not best:
                other.refuse(
                    "Not stacked with {winner} in group {group}: the higher amount, {amount} yuan, is "
                    "granted"
                    " (就高原则).",
                    winner=best.measure_id,
                    group=group,
                    amount=yuan(best.amount or Decimal(0)),
                )
    return list(quotes)


def fact_names(rules: Iterable[Rule]) -> set[str]:
    return {spec.name for rule in rules for spec in rule.facts}


@dataclass(frozen=True)
class Claim:
    """One application's claim: a measure, the facts, the date it is judged on, and the item it is for
    (claims for the same item are checked against each other for non-cumulation)."""

    item: str
    measure_id: str
    facts: Mapping[str, object]
    on: date


def evaluate_batch(rules: Mapping[str, Rule], claims: Iterable[Claim]) -> list[Quote]:
    """Quotes every claim, then applies the non-cumulation groups item by item. Bad facts do not stop
    the batch: that claim is refused with the reason."""
    quotes: list[Quote] = []
    by_item: dict[str, list[Quote]] = {}
    for claim in claims:
        rule = rules.get(claim.measure_id)
        if rule is None:
            quote = Quote(claim.measure_id, claim.on, False, Outcome.supported)
            quote.refuse("No measure has the id {id}.", id=claim.measure_id)
        else:
            try:
                quote = evaluate(rule, claim.facts, on=claim.on)
            except AvbaseError as exc:
                quote = Quote(claim.measure_id, claim.on, False, OUTCOME_OF[rule.kind])
                quote.refuse(exc.message, **exc.params)
        quotes.append(quote)
        by_item.setdefault(claim.item, []).append(quote)
    groups = {measure_id: rule.group for measure_id, rule in rules.items()}
    for item_quotes in by_item.values():
        if len(item_quotes) > 1:
            grant_highest(item_quotes, groups)
    return quotes
