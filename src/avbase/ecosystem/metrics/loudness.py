"""``loudness-mae``: mean absolute error of integrated loudness, in LU (lower is better).

Truth and submission ``{"clips": {"NAME": {"loudness": -23.0}}}`` (LUFS, ITU-R BS.1770). Every clip of
the test set must have a value: a submission that leaves one out is refused (a missing number cannot be
given an error).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from avbase.core.i18n import N_
from avbase.ecosystem.metrics.base import Malformed, Metric, Result, entries, number, required, where

COLLECTION = "clips"


def _values(entries_: Mapping[str, Any]) -> dict[str, float]:
    out = {}
    for name, entry in entries_.items():
        place = where(COLLECTION, name, "loudness")
        out[name] = number(required(entry, "loudness", place), place)
    return out


def read_truth(data: Any) -> dict[str, Any]:
    return _values(entries(data, COLLECTION))


def read_submission(data: Any, truth: Mapping[str, Any]) -> dict[str, Any]:
    values = _values(entries(data, COLLECTION, truth=truth))
    for name in sorted(truth):
        if name not in values:
            raise Malformed(N_("{field} is missing."), field=where(COLLECTION, name))
    return values


def score(truth: Mapping[str, Any], submission: Mapping[str, Any], items: Collection[str]) -> Result:
    total = sum(abs(truth[name] - submission[name]) for name in items)
    value = total / len(items) if items else 0.0
    return Result(value=value, items=len(items), details={"clips": len(items)})


METRIC = Metric(
    name="loudness-mae",
    title=N_("Loudness (mean absolute error, LU)"),
    collection=COLLECTION,
    higher_is_better=False,
    read_truth=read_truth,
    read_submission=read_submission,
    score=score,
)
