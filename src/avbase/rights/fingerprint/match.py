"""Temporal alignment by offset voting: which references a query copies, and where.

Every hit of a query key at query time ``q`` on reference ``r`` at time ``t`` votes for the alignment
``t = offset + speed × q`` under each speed hypothesis. A copy makes many hits agree on one (reference,
speed, offset); chance hits scatter. A match needs votes from at least ``min_frames`` distinct query moments
in one offset bin (and its neighbours); its segment spans the agreeing query moments, mapped onto the
reference through the alignment.

In a large index most hits are chance hits scattered over every reference and time. Before the voting
proper, a coarse count keeps only the references where some alignment could pass at all: per (reference,
:data:`QUERY_CHUNK` of query time, :data:`COARSE_CELL` of ``t - q``), the hits and the distinct postings,
each in two sets of chunks and cells shifted by half of one, hashed into one table. Within a chunk a line
at a speed within 5 % of 1 drifts by at most 1 s of ``t - q``, so the voting's window (1.5 s) lies wholly
in one cell of one set; a copy up to 10 s long lies in one chunk of one set, and a longer one (a run of
agreeing moments no more than 4 s apart) fills each of its chunks. The voting needs at least ``min_frames``
hits and ``min_frames // 2`` distinct reference moments in its window, so the count keeps what it would
accept. A still query scene, whose repeated keys draw a line of hits from one posting across many offsets,
gathers many hits in a cell but one posting. The count is made once for all speed hypotheses that share
their hits, in a few passes over them instead of sorting them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

OFFSET_BIN = 0.5  # seconds
# A query moment whose keys hit the same reference at more offsets than this says nothing about where it
# is (a still scene, a static camera): it does not vote for that reference. A copy of moving pictures
# still aligns on its other moments; two recordings of the same empty room do not.
MAX_OFFSETS_PER_MOMENT = 8
COARSE_CELL = 5.0  # seconds of offset: two sets of cells this wide, half a cell apart
QUERY_CHUNK = 20.0  # seconds of query: two sets of chunks, half a chunk apart


def distinct(values: NDArray[Any]) -> NDArray[Any]:
    """The sorted distinct values, by sorting (NumPy's ``unique`` hashes plain integers: many times
    slower on these)."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    keep = np.ones(ordered.shape, bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


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
    # Which posting of the index each hit met, the hits of one posting adjacent (``Postings.posting``);
    # without it every hit counts as a posting of its own.
    posting: NDArray[np.int64] | None = None

    def only(self, keep: NDArray[np.bool_] | NDArray[np.int64]) -> Hits:
        """The hits picked by a mask or by positions (in that order)."""
        posting = self.posting[keep] if self.posting is not None else None
        return Hits(
            self.query_time[keep], self.reference[keep], self.reference_time[keep], self.speed, posting
        )


def vote(
    hits: list[Hits],
    *,
    usable_times: NDArray[np.float32],
    step: float,
    min_frames: int,
    min_score: float,
    max_results: int = 10,
    screen: Hits | None = None,
    screened: bool = False,
) -> list[Segment]:
    """The best alignment per reference that passes the thresholds, best first.

    ``usable_times`` are the query moments that could have matched (past the quality gate); ``step`` the
    spacing of query moments (to count distinct moments and close segments). The coarse count that picks
    the references worth voting on runs on ``screen`` when given (a subset of the hits, cheaper to count),
    else on the hits themselves; ``screened``: the caller made that count and the hits are those of the
    references it kept."""
    found: dict[int, Segment] = {}
    prepared: dict[int, Hits] = {}  # per hit arrays shared by several speed hypotheses
    for given in hits:
        if given.query_time.size == 0:
            continue
        shared = id(given.reference)
        if shared not in prepared:
            if screened:
                likely = given
            else:
                references = likely_references(screen if screen is not None else given, min_frames)
                likely = given.only(np.isin(given.reference, references))
            # Grouped by reference, so that each alignment looks at its own reference's hits only.
            prepared[shared] = likely.only(np.argsort(likely.reference, kind="stable"))
        base = prepared[shared]
        group = Hits(base.query_time, base.reference, base.reference_time, given.speed)
        if group.query_time.size == 0:
            continue
        moments = np.round(group.query_time / step).astype(np.int64)
        offsets = group.reference_time - group.speed * group.query_time
        bins = np.floor(offsets / OFFSET_BIN).astype(np.int64)
        new_reference = np.ones(group.reference.shape, bool)
        new_reference[1:] = group.reference[1:] != group.reference[:-1]
        starts = np.flatnonzero(new_reference)
        ends = np.r_[starts[1:], group.reference.size]
        references = group.reference[starts]
        ref_index = np.cumsum(new_reference, dtype=np.int64) - 1
        # (reference, bin, moment) packed into one integer each, so that counting is a sort of numbers.
        bin_index = bins - bins.min()
        moment_index = moments - moments.min()
        n_bins, n_moments = int(bin_index.max()) + 1, int(moment_index.max()) + 1
        # One vote per (reference, bin, query moment): a moment that hits many keys counts once.
        triples = distinct((ref_index * n_bins + bin_index) * n_moments + moment_index)
        pair_of, moment_of = np.divmod(triples, n_moments)
        per_moment, inverse, offsets_per_moment = np.unique(
            (pair_of // n_bins) * n_moments + moment_of, return_inverse=True, return_counts=True
        )
        clear = offsets_per_moment[inverse.reshape(-1)] <= MAX_OFFSETS_PER_MOMENT
        ambiguous = per_moment[offsets_per_moment > MAX_OFFSETS_PER_MOMENT]
        hit_ambiguous = (
            np.isin(ref_index * n_moments + moment_index, ambiguous)
            if ambiguous.size
            else np.zeros(ref_index.shape, bool)
        )
        if not clear.any():
            continue
        pairs, counts = np.unique(pair_of[clear], return_counts=True)
        for index in np.argsort(-counts)[: 3 * max_results]:
            if counts[index] < min_frames // 2:
                break
            ref_number, centre = divmod(int(pairs[index]), n_bins)
            reference = int(references[ref_number])
            own = slice(int(starts[ref_number]), int(ends[ref_number]))
            near = (np.abs(bin_index[own] - centre) <= 1) & ~hit_ambiguous[own]
            moments_near = moments[own][near]
            agreeing = distinct(moments_near)
            if agreeing.size < min_frames:
                continue
            mine = Hits(group.query_time[own], group.reference[own], group.reference_time[own], group.speed)
            # A copy meets many moments of the reference; one reference moment met again and again (a still
            # query hitting one chance posting) is no alignment.
            if distinct(mine.reference_time[near]).size < min_frames // 2:
                continue
            segment = _segment(mine, near, agreeing, reference, usable_times, step)
            # The segment is the longest unbroken run of agreeing moments: ``min_frames`` of them scattered
            # over a stretch with gaps (chance hits in a large index) are no copy.
            if segment.score < min_score or segment.votes < min_frames:
                continue
            best = found.get(reference)
            if best is None or _fit(segment) > _fit(best):
                found[reference] = segment
    return sorted(found.values(), key=lambda s: (-s.score * min(1.0, s.votes / (3 * min_frames)), -s.votes))[
        :max_results
    ]


def likely_references(group: Hits, min_frames: int) -> NDArray[np.int32]:
    """The references where some alignment could gather ``min_frames`` hits and ``min_frames // 2``
    distinct postings (see the module's notes; the speed does not matter here). A hashed table counts
    all hits; the cells it lets through are counted again exactly."""
    offsets = group.reference_time - group.query_time
    reference = group.reference.astype(np.int64).view(np.uint64) << np.uint64(40)
    # A table of a few slots per hit (a hit that passes it is then counted exactly).
    bits = int(min(22, max(12, np.ceil(np.log2(max(offsets.size, 1) * 2)))))
    enough = np.zeros(offsets.shape, bool)
    same_posting = np.zeros(offsets.shape, bool)
    if group.posting is not None:
        same_posting[1:] = group.posting[1:] == group.posting[:-1]
    for chunk_shift in (0.0, QUERY_CHUNK / 2):
        chunks = np.floor((group.query_time + chunk_shift) / QUERY_CHUNK).astype(np.int64).view(np.uint64)
        base = reference + (chunks << np.uint64(24))
        for cell_shift in (0.0, COARSE_CELL / 2):
            cells = np.floor((offsets + cell_shift) / COARSE_CELL).astype(np.int64).view(np.uint64)
            cell = base + (cells & np.uint64(0xFFFFFF))  # (reference, chunk, cell) as one number
            # Fibonacci hashing: the top bits of the product, which wraps.
            slot = (cell * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)
            passing = np.flatnonzero(np.bincount(slot, minlength=1 << bits)[slot] >= min_frames)
            if passing.size == 0:
                continue
            # Cells that share a slot add up there (in a large index, thousands of references get through
            # by that alone): the few hits that passed are counted again by their cell itself.
            _cells, inverse, counts = np.unique(cell[passing], return_inverse=True, return_counts=True)
            inverse = inverse.reshape(-1)
            keep = counts[inverse] >= min_frames
            passing, inverse = passing[keep], inverse[keep]
            if group.posting is not None and passing.size:
                # A posting's hits are adjacent and in query order: count it once per cell it crosses.
                new = ~same_posting[passing]
                new[0] = True
                new[1:] |= (inverse[1:] != inverse[:-1]) | (passing[1:] != passing[:-1] + 1)
                postings = np.bincount(inverse[new], minlength=counts.size)
                passing = passing[postings[inverse] >= min_frames // 2]
            enough[passing] = True
    return distinct(group.reference[enough])


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
    # Moments of a slow scene agree within the voting's window also a little before the reference starts:
    # the segment's query side begins where its reference does.
    query_start = min(max(query_start, -offset / speed), query_end)
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
