"""``copy-segment-f1``: copy detection, each query's copied segments named by work and time.

Truth and submission ``{"queries": {"QUERY": {"matches": [{"work": "W", "start": s, "end": e}, …]}}}``
(seconds in the query). A found match is right when it names the same work as a true one and their
segments overlap with IoU ≥ 0.5; each true match is claimed once (the best overlaps first). F1 is
micro-averaged over matches. A query left out of a submission counts as no copies found.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from avbase.core.i18n import N_
from avbase.ecosystem.metrics.base import Malformed, Metric, Result, entries, number, required, text, where
from avbase.kit.matching import Tally

COLLECTION = "queries"
MIN_IOU = 0.5

Segment = tuple[str, float, float]


def _segments(entry: Mapping[str, Any], name: str) -> list[Segment]:
    place = where(COLLECTION, name, "matches")
    matches = required(entry, "matches", place)
    if not isinstance(matches, list):
        raise Malformed(N_("{field} must be a list."), field=place)
    segments: list[Segment] = []
    for position, match in enumerate(matches):
        at = where(COLLECTION, name, "matches", position)
        if not isinstance(match, dict):
            raise Malformed(N_("{field} must be an object."), field=at)
        work = text(required(match, "work", f"{at}.work"), f"{at}.work")
        start = number(required(match, "start", f"{at}.start"), f"{at}.start", minimum=0)
        end = number(required(match, "end", f"{at}.end"), f"{at}.end", minimum=0)
        if end <= start:
            raise Malformed(N_("{field} must be after the start."), field=f"{at}.end")
        segments.append((work, start, end))
    return segments


def read_truth(data: Any) -> dict[str, Any]:
    return {name: _segments(entry, name) for name, entry in entries(data, COLLECTION).items()}


def read_submission(data: Any, truth: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _segments(entry, name) for name, entry in entries(data, COLLECTION, truth=truth).items()}


def iou(a: Segment, b: Segment) -> float:
    overlap = min(a[2], b[2]) - max(a[1], b[1])
    if overlap <= 0:
        return 0.0
    return overlap / (max(a[2], b[2]) - min(a[1], b[1]))


def tally(truth: list[Segment], found: list[Segment]) -> Tally:
    pairs = sorted(
        ((iou(t, f), ti, fi) for ti, t in enumerate(truth) for fi, f in enumerate(found) if t[0] == f[0]),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    used_truth: set[int] = set()
    used_found: set[int] = set()
    for overlap, ti, fi in pairs:
        if overlap < MIN_IOU:
            break
        if ti not in used_truth and fi not in used_found:
            used_truth.add(ti)
            used_found.add(fi)
    return Tally(true=len(truth), found=len(found), hits=len(used_truth))


def score(truth: Mapping[str, Any], submission: Mapping[str, Any], items: Collection[str]) -> Result:
    total = Tally()
    for name in items:
        total.add(tally(truth[name], submission.get(name, [])))
    return Result(
        value=total.f1,
        items=len(items),
        details={"matches": total.true, "found": total.found, "hits": total.hits,
                 "precision": total.precision, "recall": total.recall},
    )  # fmt: skip


METRIC = Metric(
    name="copy-segment-f1",
    title=N_("Copy detection (F1 of work and segment, IoU ≥ 0.5)"),
    collection=COLLECTION,
    higher_is_better=True,
    read_truth=read_truth,
    read_submission=read_submission,
    score=score,
)
