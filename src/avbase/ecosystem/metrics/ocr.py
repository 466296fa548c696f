"""``ocr-cer``: character error rate of recognised text (lower is better).

Truth and submission ``{"images": {"NAME": {"text": "…"}}}``. The rate is the sum of character edit
distances (insertions, deletions, substitutions) over the sum of true lengths, micro-averaged over
images. An image left out of a submission counts as nothing read. Texts are compared as given
(Unicode NFC), without folding case or width.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

from avbase.core.i18n import N_
from avbase.ecosystem.metrics.base import Metric, Result, entries, required, text, where

COLLECTION = "images"


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in characters."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _texts(entries_: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for name, entry in entries_.items():
        place = where(COLLECTION, name, "text")
        out[name] = unicodedata.normalize("NFC", text(required(entry, "text", place), place))
    return out


def read_truth(data: Any) -> dict[str, Any]:
    return _texts(entries(data, COLLECTION))


def read_submission(data: Any, truth: Mapping[str, Any]) -> dict[str, Any]:
    return _texts(entries(data, COLLECTION, truth=truth))


def score(truth: Mapping[str, Any], submission: Mapping[str, Any], items: Collection[str]) -> Result:
    errors = characters = 0
    for name in items:
        errors += edit_distance(truth[name], submission.get(name, ""))
        characters += len(truth[name])
    value = errors / characters if characters else 0.0
    return Result(value=value, items=len(items), details={"errors": errors, "characters": characters})


METRIC = Metric(
    name="ocr-cer",
    title=N_("On-screen text (character error rate)"),
    collection=COLLECTION,
    higher_is_better=False,
    read_truth=read_truth,
    read_submission=read_submission,
    score=score,
)
