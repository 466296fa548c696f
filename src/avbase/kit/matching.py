"""One-to-one matching of found positions to true ones within a tolerance, and the tally it gives.

The shot benchmark (``bench/shots.py``), the media tests and the ``shot-f1`` contest metric all score
boundaries with this one mechanism, so a detector scores the same wherever it is measured.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Tally:
    """Matches of one kind of thing: ``true`` in the truth, ``found`` reported, ``hits`` matched."""

    true: int = 0
    found: int = 0
    hits: int = 0

    def add(self, other: Tally) -> None:
        self.true, self.found, self.hits = (
            self.true + other.true,
            self.found + other.found,
            self.hits + other.hits,
        )

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def match_windows(windows: Sequence[tuple[float, float]], points: Sequence[float]) -> list[tuple[int, int]]:
    """The most pairs (window index, point index) such that each point lies inside its window
    (``lo <= point <= hi``) and each window and each point is used once.

    Windows are taken by their right end, each given the earliest free point inside it: for intervals and
    points on a line this greedy choice is a maximum matching (an earlier free point can only be of use to
    a window that ends no later)."""
    order = sorted(range(len(points)), key=points.__getitem__)
    values = [points[number] for number in order]
    # next_free[i]: the first unused position at or after i (path-halving union-find over positions).
    next_free = list(range(len(values) + 1))

    def free_from(position: int) -> int:
        while next_free[position] != position:
            next_free[position] = next_free[next_free[position]]
            position = next_free[position]
        return position

    pairs: list[tuple[int, int]] = []
    for window in sorted(range(len(windows)), key=lambda number: (windows[number][1], windows[number][0])):
        lo, hi = windows[window]
        position = free_from(bisect_left(values, lo))
        if position < len(values) and values[position] <= hi:
            pairs.append((window, order[position]))
            next_free[position] = position + 1
    return pairs


def match_within(truth: Sequence[float], found: Sequence[float], tolerance: float) -> Tally:
    """The tally of ``found`` positions matched one-to-one to ``truth`` positions at most ``tolerance``
    apart: :func:`match_windows` for windows of one width, where ordering by the right end is ordering by
    the left, so one pass over both sorted lists gives the same maximum matching."""
    points = sorted(found)
    hits = position = 0
    for value in sorted(truth):
        while position < len(points) and points[position] < value - tolerance:
            position += 1  # too early for this window, so for every later one too
        if position < len(points) and points[position] <= value + tolerance:
            hits += 1
            position += 1
    return Tally(true=len(truth), found=len(found), hits=hits)
