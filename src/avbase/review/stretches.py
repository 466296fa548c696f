"""Stretches of time where a per-step condition holds, as (start, end) seconds: the one shape every check
reports its findings in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Stretch:
    start: float
    end: float
    first: int  # index of the first step in it
    last: int  # index of the last step in it (inclusive)

    @property
    def seconds(self) -> float:
        return self.end - self.start


def stretches(
    flags: NDArray[np.bool_] | Sequence[bool],
    times: NDArray[np.floating] | Sequence[float],
    step: float,
    *,
    min_seconds: float = 0.0,
    bridge: float = 0.0,
) -> list[Stretch]:
    """Runs of true ``flags`` (one per step starting at ``times``, each ``step`` long), joined across gaps of
    at most ``bridge`` seconds, kept when they last ``min_seconds`` at least."""
    marks = np.asarray(flags, bool)
    at = np.asarray(times, np.float64)
    found: list[Stretch] = []
    if not marks.any():
        return found
    edges = np.diff(np.concatenate([[0], marks.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    runs: list[list[int]] = []
    for first, last in zip(starts.tolist(), ends.tolist(), strict=True):
        if runs and at[first] - (at[runs[-1][1]] + step) <= bridge + 1e-9:
            runs[-1][1] = last
        else:
            runs.append([first, last])
    for first, last in runs:
        start, end = float(at[first]), float(at[last] + step)
        if end - start >= min_seconds - 1e-9:
            found.append(Stretch(round(start, 3), round(end, 3), first, last))
    return found
