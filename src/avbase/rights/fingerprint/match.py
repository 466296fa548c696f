"""Temporal alignment by offset voting: which references a query copies, and where.

Every hit of a query key at query time ``q`` on reference ``r`` at time ``t`` votes for the alignment
``t = offset + speed × q`` under each speed hypothesis. A copy makes many hits agree on one (reference,
speed, offset); chance hits scatter. A match needs votes from at least ``min_frames`` distinct query moments
in one offset bin (and its neighbours); its segment spans the agreeing query moments, mapped onto the
reference through the alignment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

OFFSET_BIN = 0.5  # seconds
# A query moment whose keys hit the same reference at more offsets than this says nothing about where it
# is (a still scene, a static camera): it does not vote for that reference. A copy of moving pictures
# still aligns on its other moments; two recordings of the same empty room do not.
MAX_OFFSETS_PER_MOMENT = 8


@dataclass(frozen=True)
class Segment:
    reference: int
    reference_start: float
    reference_end: float
    query_start: float
    query_end: float
    score: float  # share of the query's usable moments inside the segment that agree, 0–1
    votes: int
    speed: float
    spread: float = 0.0  # median distance (s) of the agreeing hits from the alignment: smaller fits better


@dataclass
class Hits:
    """Hits of one hypothesis: query time, reference, reference time, and the speed assumed."""

    query_time: NDArray[np.float32]
    reference: NDArray[np.int32]
    reference_time: NDArray[np.float32]
    speed: float


def vote(
    hits: list[Hits],
    *,
    usable_times: NDArray[np.float32],
    step: float,
    min_frames: int,
    min_score: float,
    max_results: int = 10,
) -> list[Segment]:
    """The best alignment per reference that passes the thresholds, best first.

    ``usable_times`` are the query moments that could have matched (past the quality gate); ``step`` the
    spacing of query moments (to count distinct moments and close segments)."""
    found: dict[int, Segment] = {}
    for group in hits:
        if group.query_time.size == 0:
            continue
        moments = np.round(group.query_time / step).astype(np.int64)
        group = _likely_references(group, moments, min_frames)
        if group.query_time.size == 0:
            continue
        moments = np.round(group.query_time / step).astype(np.int64)
        offsets = group.reference_time - group.speed * group.query_time
        bins = np.floor(offsets / OFFSET_BIN).astype(np.int64)
        # One vote per (reference, bin, query moment): a moment that hits many keys counts once.
        triples = np.unique(np.stack([group.reference.astype(np.int64), bins, moments], axis=1), axis=0)
        if triples.shape[0] == 0:
            continue
        per_moment, inverse, offsets_per_moment = np.unique(
            triples[:, [0, 2]], axis=0, return_inverse=True, return_counts=True
        )
        distinct = offsets_per_moment[inverse.reshape(-1)] <= MAX_OFFSETS_PER_MOMENT
        triples = triples[distinct]
        ambiguous = {(int(r), int(m)) for r, m in per_moment[offsets_per_moment > MAX_OFFSETS_PER_MOMENT]}
        if triples.shape[0] == 0:
            continue
        pairs, counts = np.unique(triples[:, :2], axis=0, return_counts=True)
        for index in np.argsort(-counts)[: 3 * max_results]:
            if counts[index] < min_frames // 2:
                break
            reference, centre = int(pairs[index, 0]), int(pairs[index, 1])
            near = (group.reference == reference) & (np.abs(bins - centre) <= 1)
            if ambiguous:
                near &= ~np.isin(moments, [m for r, m in ambiguous if r == reference])
            agreeing = np.unique(moments[near])
            if agreeing.size < min_frames:
                continue
            # A copy meets many moments of the reference; one reference moment met again and again (a still
            # query hitting one chance posting) is no alignment.
            if np.unique(group.reference_time[near]).size < min_frames // 2:
                continue
            segment = _segment(group, near, agreeing, reference, usable_times, step)
            if segment.score < min_score:
                continue
            best = found.get(reference)
            if best is None or _fit(segment) > _fit(best):
                found[reference] = segment
    return sorted(found.values(), key=lambda s: (-s.score * min(1.0, s.votes / (3 * min_frames)), -s.votes))[
        :max_results
    ]


def _likely_references(group: Hits, moments: NDArray[np.int64], min_frames: int) -> Hits:
    """Only the hits on references that at least ``min_frames`` distinct query moments hit at all: in a large
    index most references collect a few chance hits, and the voting below need not look at them."""
    pairs = np.unique((group.reference.astype(np.int64) << 32) | (moments & 0xFFFFFFFF))
    references, counts = np.unique(pairs >> 32, return_counts=True)
    keep = np.isin(group.reference, references[counts >= min_frames])
    return Hits(group.query_time[keep], group.reference[keep], group.reference_time[keep], group.speed)


def _fit(segment: Segment) -> tuple[int, float, float]:
    """Which of two alignments of one reference is better: more agreeing moments (counted coarsely, so a
    slightly wrong speed that still gathers them does not win on a tie), then the tighter fit."""
    return (segment.votes // 4, -round(segment.spread, 2), -abs(segment.speed - 1.0))


def _segment(
    group: Hits,
    near: NDArray[np.bool_],
    agreeing: NDArray[np.int64],
    reference: int,
    usable_times: NDArray[np.float32],
    step: float,
) -> Segment:
    # Per query moment, the hit nearest the alignment (a still scene matches many reference moments);
    # the offset is their median, the spread how far they lie from it.
    q = group.query_time[near].astype(np.float64)
    r = group.reference_time[near].astype(np.float64)
    speed = group.speed
    offset = float(np.median(r - speed * q))
    residual = np.abs(r - (offset + speed * q))
    moment = np.round(q / step).astype(np.int64)
    order = np.lexsort((residual, moment))
    first_of_moment = np.r_[True, np.diff(moment[order]) != 0]
    best = order[first_of_moment]
    offset = float(np.median(r[best] - speed * q[best]))
    spread = float(np.mean(np.abs(r[best] - (offset + speed * q[best]))))
    # The longest stretch of agreeing moments with no gap longer than a few seconds (a cut to other
    # footage ends it).
    times = agreeing * step
    gaps = np.flatnonzero(np.diff(times) > 4.0)
    starts = np.r_[0, gaps + 1]
    ends = np.r_[gaps, times.size - 1]
    longest = int(np.argmax(ends - starts))
    first, last = times[starts[longest]], times[ends[longest]]
    votes = int(ends[longest] - starts[longest] + 1)
    query_start, query_end = float(first), float(last + step)
    usable = int(np.count_nonzero((usable_times >= first - 1e-6) & (usable_times <= last + 1e-6)))
    score = votes / max(usable, votes)
    return Segment(
        reference=reference,
        reference_start=max(0.0, offset + speed * query_start),
        reference_end=offset + speed * query_end,
        query_start=query_start,
        query_end=query_end,
        score=round(score, 3),
        votes=votes,
        speed=speed,
        spread=spread,
    )
