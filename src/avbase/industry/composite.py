"""Composite indicators as the OECD/JRC handbook builds them: normalise, weight, aggregate, rank.

Pure: unit values in, scores with their full trace out. No database, no web.

- ``minmax``: 100 × (x − min) / (max − min) across the units of the period (50 when all are equal).
- ``zscore``: (x − mean) / standard deviation (population) across the units (0 when all are equal).
- ``base_ratio``: 100 × x / x in the base period (each unit's own base), so the base period is 100.
An indicator with direction −1 is reversed (100 − v for min-max and ratio-to-base, −z for z-scores).
Aggregation is the weighted arithmetic mean, first of indicators within a pillar, then of pillars. A missing
value (no data, division by zero) leaves its weight out and the rest are re-weighted; the trace says so.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

UnitValues = Mapping[str, Mapping[str, float | None]]


@dataclass(frozen=True)
class IndicatorWeight:
    key: str
    weight: float
    direction: int = 1


@dataclass(frozen=True)
class Pillar:
    key: str
    weight: float
    indicators: tuple[IndicatorWeight, ...]


@dataclass(frozen=True)
class IndexSpec:
    normalisation: str  # minmax | zscore | base_ratio
    pillars: tuple[Pillar, ...]

    @classmethod
    def from_pillars(cls, normalisation: str, pillars: Sequence[Mapping[str, object]]) -> IndexSpec:
        return cls(
            normalisation,
            tuple(
                Pillar(
                    str(p["key"]),
                    float(p["weight"]),  # type: ignore[arg-type]
                    tuple(
                        IndicatorWeight(str(i["key"]), float(i["weight"]), int(i.get("direction", 1)))
                        for i in p["indicators"]  # type: ignore[attr-defined]
                    ),
                )
                for p in pillars
            ),
        )

    def with_pillar_weights(self, weights: Mapping[str, float]) -> IndexSpec:
        return replace(
            self, pillars=tuple(replace(p, weight=weights.get(p.key, p.weight)) for p in self.pillars)
        )

    def indicator_keys(self) -> list[str]:
        return sorted({i.key for p in self.pillars for i in p.indicators})


@dataclass
class IndicatorScore:
    raw: float | None
    normalised: float | None
    effective_weight: float  # share of the composite, after re-weighting for missing values
    contribution: float


@dataclass
class UnitScore:
    unit: str
    composite: float | None
    rank: int | None = None
    pillars: dict[str, float | None] = field(default_factory=dict)
    indicators: dict[str, dict[str, IndicatorScore]] = field(default_factory=dict)  # pillar → indicator → …
    missing: list[str] = field(default_factory=list)


@dataclass
class IndexResult:
    normalisation: str
    parameters: dict[str, dict[str, float]]  # indicator → min/max, mean/sd
    units: list[UnitScore]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _normalise(
    spec: IndexSpec, values: UnitValues, base: UnitValues | None
) -> tuple[dict[str, dict[str, float | None]], dict[str, dict[str, float]]]:
    normalised: dict[str, dict[str, float | None]] = {unit: {} for unit in values}
    parameters: dict[str, dict[str, float]] = {}
    for key in spec.indicator_keys():
        present = [v for unit in values if (v := values[unit].get(key)) is not None and math.isfinite(v)]
        if spec.normalisation == "minmax" and present:
            low, high = min(present), max(present)
            parameters[key] = {"min": low, "max": high}
        elif spec.normalisation == "zscore" and present:
            mean = sum(present) / len(present)
            sd = math.sqrt(sum((v - mean) ** 2 for v in present) / len(present))
            parameters[key] = {"mean": mean, "sd": sd}
        for unit, row in values.items():
            value = row.get(key)
            result: float | None = None
            if value is not None and math.isfinite(value):
                if spec.normalisation == "minmax":
                    low, high = parameters[key]["min"], parameters[key]["max"]
                    result = 50.0 if high == low else 100.0 * (value - low) / (high - low)
                elif spec.normalisation == "zscore":
                    mean, sd = parameters[key]["mean"], parameters[key]["sd"]
                    result = 0.0 if sd == 0 else (value - mean) / sd
                else:
                    reference = (base or {}).get(unit, {}).get(key)
                    if reference:
                        result = 100.0 * value / reference
            normalised[unit][key] = result
    return normalised, parameters


def _reverse(normalisation: str, value: float) -> float:
    return -value if normalisation == "zscore" else 100.0 - value


def compute(spec: IndexSpec, values: UnitValues, base: UnitValues | None = None) -> IndexResult:
    """Scores and ranks every unit; ``base`` holds the base period's values for ``base_ratio``."""
    normalised, parameters = _normalise(spec, values, base)
    scores: list[UnitScore] = []
    for unit in sorted(values):
        score = UnitScore(unit, None)
        pillar_values: dict[str, float] = {}
        pillar_parts: dict[str, list[tuple[IndicatorWeight, float]]] = {}
        for pillar in spec.pillars:
            parts = []
            for indicator in pillar.indicators:
                value = normalised[unit].get(indicator.key)
                if value is None:
                    score.missing.append(f"{pillar.key}.{indicator.key}")
                    continue
                if indicator.direction < 0:
                    value = _reverse(spec.normalisation, value)
                parts.append((indicator, value))
            weight = sum(i.weight for i, _ in parts)
            if parts and weight > 0:
                pillar_values[pillar.key] = sum(i.weight * v for i, v in parts) / weight
                pillar_parts[pillar.key] = parts
            score.pillars[pillar.key] = pillar_values.get(pillar.key)
        total_weight = sum(p.weight for p in spec.pillars if p.key in pillar_values)
        if total_weight > 0:
            score.composite = sum(
                p.weight * pillar_values[p.key] for p in spec.pillars if p.key in pillar_values
            ) / (total_weight)
        for pillar in spec.pillars:
            parts = pillar_parts.get(pillar.key, [])
            inner = sum(i.weight for i, _ in parts)
            score.indicators[pillar.key] = {}
            for indicator in pillar.indicators:
                raw = values[unit].get(indicator.key)
                match = next((v for i, v in parts if i is indicator), None)
                share = (
                    (pillar.weight / total_weight) * (indicator.weight / inner) if match is not None else 0.0
                )
                score.indicators[pillar.key][indicator.key] = IndicatorScore(
                    raw=raw, normalised=match, effective_weight=share, contribution=share * (match or 0.0)
                )
        scores.append(score)
    _rank(scores)
    return IndexResult(spec.normalisation, parameters, scores)


def _rank(scores: list[UnitScore]) -> None:
    """Competition ranking (1, 2, 2, 4) by composite, highest first; units without a composite get none."""
    ranked = sorted((s for s in scores if s.composite is not None), key=lambda s: (-s.composite, s.unit))  # type: ignore[operator]
    previous: float | None = None
    for position, score in enumerate(ranked, start=1):
        if previous is None or not math.isclose(score.composite, previous, rel_tol=1e-12, abs_tol=1e-12):  # type: ignore[arg-type]
            score.rank = position
        else:
            score.rank = ranked[position - 2].rank
        previous = score.composite


@dataclass
class SensitivityRow:
    unit: str
    baseline_rank: int | None
    ranks: dict[str, int | None]
    max_shift: int


@dataclass
class Sensitivity:
    scenarios: list[str]
    rows: list[SensitivityRow]
    mean_shift: dict[str, float]


def sensitivity(spec: IndexSpec, values: UnitValues, base: UnitValues | None = None) -> Sensitivity:
    """Rank changes when the pillar weights change: equal weights, each pillar left out, each doubled."""
    baseline = {s.unit: s.rank for s in compute(spec, values, base).units}
    scenarios: dict[str, IndexSpec] = {"equal": spec.with_pillar_weights({p.key: 1.0 for p in spec.pillars})}
    for pillar in spec.pillars:
        if len(spec.pillars) > 1:
            scenarios[f"without:{pillar.key}"] = replace(
                spec, pillars=tuple(p for p in spec.pillars if p.key != pillar.key)
            )
        scenarios[f"double:{pillar.key}"] = spec.with_pillar_weights({pillar.key: pillar.weight * 2})
    ranks = {
        name: {s.unit: s.rank for s in compute(alt, values, base).units} for name, alt in scenarios.items()
    }
    rows = []
    for unit in sorted(baseline, key=lambda u: (baseline[u] is None, baseline[u] or 0, u)):
        unit_ranks = {name: ranks[name].get(unit) for name in scenarios}
        own = baseline[unit]
        shifts = [abs(r - own) for r in unit_ranks.values() if r is not None and own is not None]
        rows.append(SensitivityRow(unit, baseline[unit], unit_ranks, max(shifts, default=0)))
    mean_shift = {}
    for name in scenarios:
        shifts = [
            abs(r - b)
            for unit, b in baseline.items()
            if b is not None and (r := ranks[name].get(unit)) is not None
        ]
        mean_shift[name] = sum(shifts) / len(shifts) if shifts else 0.0
    return Sensitivity(list(scenarios), rows, mean_shift)


def digest(*parts: object) -> str:
    """A stable SHA-256 of the inputs, so a stored run can be checked for reproducibility."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
