"""Yearly selection rounds (揭榜挂帅 challenge lists, demonstration projects, innovative products):
a call with criteria and a deadline, entries, expert scoring with conflict-of-interest exclusion, scores
normalised per expert, a ranking, and the published list.

Normalisation: each expert's totals are turned into z-scores over the entries that expert scored, so a
harsh and a lenient expert weigh the same; an entry's score is the mean of its z-scores.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScoreSheet:
    entry_id: int
    expert_id: int
    total: float


@dataclass
class Standing:
    entry_id: int
    normalised: float | None  # mean z-score over the experts who scored it
    raw_mean: float | None
    experts: int
    rank: int | None = None


def z_scores(sheets: Iterable[ScoreSheet]) -> dict[tuple[int, int], float]:
    """(entry, expert) → the expert's z-score for that entry (0 when the expert gave everyone the same)."""
    by_expert: dict[int, list[ScoreSheet]] = defaultdict(list)
    for sheet in sheets:
        by_expert[sheet.expert_id].append(sheet)
    result: dict[tuple[int, int], float] = {}
    for expert_id, own in by_expert.items():
        mean = sum(s.total for s in own) / len(own)
        sd = math.sqrt(sum((s.total - mean) ** 2 for s in own) / len(own))
        for sheet in own:
            result[(sheet.entry_id, expert_id)] = 0.0 if sd == 0 else (sheet.total - mean) / sd
    return result


def rank_entries(entry_ids: Sequence[int], sheets: Sequence[ScoreSheet]) -> list[Standing]:
    """Standings, best first; entries nobody scored come last without a rank; ties share a rank."""
    z = z_scores(sheets)
    per_entry: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for sheet in sheets:
        per_entry[sheet.entry_id].append((z[(sheet.entry_id, sheet.expert_id)], sheet.total))
    standings = []
    for entry_id in entry_ids:
        marks = per_entry.get(entry_id, [])
        if marks:
            standings.append(
                Standing(
                    entry_id,
                    sum(m[0] for m in marks) / len(marks),
                    sum(m[1] for m in marks) / len(marks),
                    len(marks),
                )
            )
        else:
            standings.append(Standing(entry_id, None, None, 0))
    scored = sorted(
        (s for s in standings if s.normalised is not None), key=lambda s: (-(s.normalised or 0), s.entry_id)
    )
    previous: Standing | None = None
    for position, standing in enumerate(scored, start=1):
        same = previous is not None and math.isclose(
            standing.normalised or 0, previous.normalised or 0, abs_tol=1e-12
        )
        standing.rank = previous.rank if same and previous is not None else position
        previous = standing
    return scored + [s for s in standings if s.normalised is None]
