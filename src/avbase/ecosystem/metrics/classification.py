"""``classification-accuracy``: the share of items given their true label.

Truth and submission ``{"items": {"NAME": {"label": "…"}}}``. An item left out of a submission counts as
wrong. Labels are compared exactly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from avbase.core.i18n import N_
from avbase.ecosystem.metrics.base import Metric, Result, entries, required, text, where

COLLECTION = "items"


def _labels(entries_: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for name, entry in entries_.items():
        place = where(COLLECTION, name, "label")
        out[name] = text(required(entry, "label", place), place)
    return out


def read_truth(data: Any) -> dict[str, Any]:
    return _labels(entries(data, COLLECTION))


def read_submission(data: Any, truth: Mapping[str, Any]) -> dict[str, Any]:
    return _labels(entries(data, COLLECTION, truth=truth))


def score(truth: Mapping[str, Any], submission: Mapping[str, Any], items: Collection[str]) -> Result:
    correct = sum(1 for name in items if submission.get(name) == truth[name])
    value = correct / len(items) if items else 0.0
    return Result(value=value, items=len(items), details={"correct": correct})


METRIC = Metric(
    name="classification-accuracy",
    title=N_("Classification (accuracy)"),
    collection=COLLECTION,
    higher_is_better=True,
    read_truth=read_truth,
    read_submission=read_submission,
    score=score,
)
