"""What every contest metric shares: reading truth and submission files strictly, and its result.

A metric is a pure module (no database, no web): it reads the organiser's truth, reads a participant's
submission against it (refusing a malformed one with the item and field at fault, before any try is
used), and scores the submission on a subset of the test items (the public or the private part).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_


class Malformed(AvbaseError):
    """A truth or submission file that cannot be scored; ``field`` says where (``videos["a"].cuts[2]``)."""

    status_code = 422

    def __init__(self, message: str, *, field: str, **params: object) -> None:
        super().__init__(message, field=field, **params)
        self.params = {"field": field, **params}  # the messages name the place


@dataclass(frozen=True)
class Result:
    """A score on some items, with the counts behind it (hits, errors …) for people to check it."""

    value: float
    items: int
    details: dict[str, float | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    name: str
    title: str  # msgid
    collection: str  # the top-level key both files use: "videos", "images", …
    higher_is_better: bool
    read_truth: Callable[[Any], dict[str, Any]]
    read_submission: Callable[[Any, Mapping[str, Any]], dict[str, Any]]
    score: Callable[[Mapping[str, Any], Mapping[str, Any], Collection[str]], Result]

    def items(self, truth: Mapping[str, Any]) -> list[str]:
        """The test items (videos, images …) by name, in a fixed order."""
        return sorted(truth)


def load_json(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Malformed(N_("The file is not valid JSON: {error}."), field="file", error=str(exc)) from exc


def where(collection: str, item: str | None = None, *path: str | int) -> str:
    """``videos["clip 1"].cuts[2]``: the place of a value in the file, as the message shows it."""
    text = collection
    if item is not None:
        plain = item.isprintable() and '"' not in item and "\\" not in item
        text += f'["{item}"]' if plain else f"[{json.dumps(item, ensure_ascii=False)}]"
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text


def entries(data: Any, collection: str, *, truth: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``{collection: {NAME: {...}}}`` mapping of a file, each entry an object; with ``truth``, every
    name must be one of its items."""
    if not isinstance(data, dict):
        raise Malformed(N_("The file must hold a JSON object."), field="file")
    if collection not in data:
        raise Malformed(N_("{field} is missing."), field=collection)
    found = data[collection]
    if not isinstance(found, dict):
        raise Malformed(N_("{field} must be an object keyed by name."), field=collection)
    for name, entry in found.items():
        if not isinstance(entry, dict):
            raise Malformed(N_("{field} must be an object."), field=where(collection, name))
        if truth is not None and name not in truth:
            raise Malformed(N_("{field} is not in the test set."), field=where(collection, name))
    return found


def number(value: Any, place: str, *, minimum: float | None = None, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Malformed(N_("{field} must be a number."), field=place)
    if positive and value <= 0:
        raise Malformed(N_("{field} must be above 0."), field=place)
    if minimum is not None and value < minimum:
        raise Malformed(N_("{field} must be at least {minimum}."), field=place, minimum=minimum)
    return float(value)


def text(value: Any, place: str) -> str:
    if not isinstance(value, str):
        raise Malformed(N_("{field} must be a text."), field=place)
    return value


def required(entry: Mapping[str, Any], key: str, place: str) -> Any:
    if key not in entry:
        raise Malformed(N_("{field} is missing."), field=place)
    return entry[key]


def numbers(value: Any, place: str) -> list[float]:
    """A list of times in seconds (each a finite number at or above 0)."""
    if not isinstance(value, list):
        raise Malformed(N_("{field} must be a list of numbers."), field=place)
    # The common case checked at C speed; the loop below only runs to name the first bad value.
    if (
        set(map(type, value)) <= {int, float}
        and all(map(math.isfinite, value))
        and (not value or min(value) >= 0)
    ):
        return [float(item) for item in value]
    for position, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float) or not math.isfinite(item) or item < 0:
            raise Malformed(
                N_("{field} must be a number of seconds at or above 0."), field=f"{place}[{position}]"
            )
    return [float(item) for item in value]
