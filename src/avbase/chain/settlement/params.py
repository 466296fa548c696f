"""Parameters of a revenue model: typed, dated where the law or a platform's rule changed, with a source.

A model declares its parameters (``ParamSpec``); ``resolve`` turns the text a user or a contract gives
(``5%``, ``3亿``, ``0:43%,3亿:45%,8亿:47%``, ``甲:60%,乙:40%``) into values, takes the default in force on
the date ``on`` for what is not given, and names the parameter in every error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from avbase.chain.settlement.arithmetic import fen
from avbase.core.errors import AvbaseError

Kind = Literal["money", "rate", "number", "date", "tiers", "shares", "prices", "choice", "text"]
Tiers = tuple[tuple[Decimal, Decimal], ...]  # (threshold, value) from the lowest threshold (0) up
Shares = tuple[tuple[str, Decimal], ...]  # (name, share), the shares adding up to 1

_SCALE = {"亿": Decimal(100_000_000), "万": Decimal(10_000), "%": Decimal("0.01")}
_NUMBER = re.compile(r"^\s*([+-]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(亿|万|%)?\s*(?:元|小时|次)?\s*$")


class ParameterError(AvbaseError):
    """A parameter is unknown, missing or malformed: bad input, exit 2 / HTTP 422, naming the parameter."""

    status_code = 422


@dataclass(frozen=True)
class Dated:
    """A default in force from ``effective_from`` on, with the text it comes from."""

    value: str
    effective_from: date
    source: str


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: Kind
    help: str
    default: str | None = None
    dated: tuple[Dated, ...] = ()
    choices: tuple[str, ...] = ()
    required: bool = False

    def default_on(self, on: date) -> Dated | None:
        found = [d for d in self.dated if d.effective_from <= on]
        if found:
            return max(found, key=lambda d: d.effective_from)
        if self.default is not None:
            return Dated(self.default, date.min, "")
        return None


@dataclass
class Params:
    """Resolved values by name, and where each came from (given, or a dated default and its source)."""

    on: date
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str) -> Any:
        return self.values.get(name)


def parse_number(name: str, raw: str) -> Decimal:
    match = _NUMBER.match(raw)
    if not match:
        raise ParameterError("not a number: {value}", field=name, name=name, value=raw)
    try:
        value = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ParameterError("not a number: {value}", field=name, name=name, value=raw) from exc
    if match.group(2):
        value *= _SCALE[match.group(2)]
    return value


def _non_negative(name: str, value: Decimal, raw: str) -> Decimal:
    if value < 0:
        raise ParameterError("must not be negative: {value}", field=name, name=name, value=raw)
    return value


def _rate(name: str, raw: str) -> Decimal:
    value = _non_negative(name, parse_number(name, raw), raw)
    if value > 1:
        raise ParameterError(
            "is a rate between 0 and 1 (or 0% and 100%): {value}", field=name, name=name, value=raw
        )
    return value


def _pairs(name: str, raw: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (part.strip() for part in re.split(r"[,，;；]", raw))):
        key, sep, value = item.partition(":") if ":" in item else item.partition("：")
        if not sep or not key.strip() or not value.strip():
            raise ParameterError(
                "write pairs as KEY:VALUE separated by commas: {value}", field=name, name=name, value=raw
            )
        pairs.append((key.strip(), value.strip()))
    if not pairs:
        raise ParameterError("is empty.", field=name, name=name)
    return pairs


def parse_tiers(name: str, raw: str) -> Tiers:
    tiers = sorted(
        (
            (_non_negative(name, parse_number(name, k), raw), _non_negative(name, parse_number(name, v), raw))
            for k, v in _pairs(name, raw)
        ),
        key=lambda tier: tier[0],
    )
    if tiers[0][0] != 0:
        raise ParameterError("the first tier must start at 0: {value}", field=name, name=name, value=raw)
    if len({t for t, _ in tiers}) != len(tiers):
        raise ParameterError("a threshold is given twice: {value}", field=name, name=name, value=raw)
    return tuple(tiers)


def parse_shares(name: str, raw: str) -> Shares:
    shares = tuple((key, _rate(name, value)) for key, value in _pairs(name, raw))
    if len({k for k, _ in shares}) != len(shares):
        raise ParameterError("a party is named twice: {value}", field=name, name=name, value=raw)
    if sum((s for _, s in shares), Decimal(0)) != 1:
        raise ParameterError("the shares must add up to 100%: {value}", field=name, name=name, value=raw)
    return shares


def parse_value(spec: ParamSpec, raw: object) -> Any:
    text = raw.isoformat() if isinstance(raw, date) else str(raw).strip()
    name = spec.name
    if spec.kind == "money":
        return fen(_non_negative(name, parse_number(name, text), text))
    if spec.kind == "number":
        return _non_negative(name, parse_number(name, text), text)
    if spec.kind == "rate":
        return _rate(name, text)
    if spec.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise ParameterError(
                "not a date (YYYY-MM-DD): {value}", field=name, name=name, value=text
            ) from exc
    if spec.kind == "tiers":
        return parse_tiers(name, text)
    if spec.kind == "shares":
        return parse_shares(name, text)
    if spec.kind == "prices":
        prices = tuple(
            (key, _non_negative(name, parse_number(name, value), text)) for key, value in _pairs(name, text)
        )
        if len({k for k, _ in prices}) != len(prices):
            raise ParameterError("a grade is named twice: {value}", field=name, name=name, value=text)
        return prices
    if spec.kind == "choice":
        if text not in spec.choices:
            raise ParameterError(
                "must be one of {choices}: {value}",
                field=name,
                name=name,
                choices=", ".join(spec.choices),
                value=text,
            )
        return text
    return text


def resolve(specs: Sequence[ParamSpec], raw: Mapping[str, object], *, on: date) -> Params:
    """Every declared parameter: given, or the default in force on ``on``; unknown names refused."""
    by_name = {spec.name: spec for spec in specs}
    for name in raw:
        if name not in by_name:
            raise ParameterError(
                "Unknown parameter {name}; this model takes: {known}.",
                field=name,
                name=name,
                known=", ".join(by_name),
            )
    params = Params(on=on)
    for spec in specs:
        if spec.name in raw and raw[spec.name] is not None and str(raw[spec.name]).strip() != "":
            params.values[spec.name] = parse_value(spec, raw[spec.name])
            params.sources[spec.name] = "given"
            continue
        default = spec.default_on(on)
        if default is None:
            if spec.required:
                raise ParameterError("Parameter {name} is required.", field=spec.name, name=spec.name)
            params.values[spec.name] = None
            continue
        params.values[spec.name] = parse_value(spec, default.value)
        params.sources[spec.name] = default.source or "default"
    return params
