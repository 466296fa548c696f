"""Statistical disclosure control of a two-way table (rows by columns, with row, column and grand totals).

Primary suppression: a cell is hidden when it rests on fewer than :data:`MIN_UNITS` enterprises, or when one
enterprise makes more than :data:`DOMINANCE` of it (the (1, 85 %) dominance rule). Secondary suppression:
a line (a row with its total, a column with its total, the row totals with the grand total, the column
totals with the grand total) that hides exactly one value would give it away by subtraction, so a second
value of that line is hidden too — the smallest published cell that has enterprises in it, or the line's
total when there is none — and this is repeated until no line hides exactly one value. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

MIN_UNITS = 3
DOMINANCE = Decimal("0.85")
TOTAL = "*"  # the key of a total row or column


@dataclass(frozen=True)
class Cell:
    row: str
    column: str
    units: int
    total: Decimal
    largest: Decimal


@dataclass
class Published:
    row: str
    column: str
    units: int
    value: Decimal | None  # None when suppressed
    status: str  # published | primary | secondary


@dataclass
class Table:
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Published] = field(default_factory=dict)

    def get(self, row: str, column: str) -> Published:
        return self.cells[(row, column)]


def sensitive(units: int, total: Decimal, largest: Decimal) -> bool:
    if units == 0:
        return False  # an empty cell gives nobody away
    if units < MIN_UNITS:
        return True
    return total > 0 and largest > DOMINANCE * total


def protect(cells: Iterable[Cell]) -> Table:
    """The table with totals, every value either published or suppressed (and why)."""
    given = {(c.row, c.column): c for c in cells}
    rows = sorted({key[0] for key in given})
    columns = sorted({key[1] for key in given})
    raw: dict[tuple[str, str], tuple[int, Decimal, Decimal]] = {}
    for row in rows:
        for column in columns:
            cell = given.get((row, column))
            raw[(row, column)] = (
                (cell.units, cell.total, cell.largest) if cell else (0, Decimal(0), Decimal(0))
            )
    for row in rows:
        raw[(row, TOTAL)] = _sum([raw[(row, c)] for c in columns])
    for column in [*columns, TOTAL]:
        raw[(TOTAL, column)] = _sum([raw[(r, column)] for r in rows])
    table = Table(rows, columns)
    for key, (units, total, largest) in raw.items():
        status = "primary" if sensitive(units, total, largest) else "published"
        table.cells[key] = Published(key[0], key[1], units, None if status == "primary" else total, status)
    lines = [[(row, c) for c in columns] + [(row, TOTAL)] for row in rows]
    lines += [[(r, column) for r in rows] + [(TOTAL, column)] for column in columns]
    lines.append([(r, TOTAL) for r in rows] + [(TOTAL, TOTAL)])
    lines.append([(TOTAL, c) for c in columns] + [(TOTAL, TOTAL)])
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [key for key in line if table.cells[key].value is None]
            if len(hidden) != 1:
                continue
            members, line_total = line[:-1], line[-1]
            candidates = [
                key for key in members if table.cells[key].value is not None and table.cells[key].units > 0
            ]
            if candidates:
                chosen = min(candidates, key=lambda key: (table.cells[key].value or 0, key))
            elif table.cells[line_total].value is not None:
                chosen = line_total
            else:
                continue  # the one hidden value is the total and its members are all empty
            table.cells[chosen].value, table.cells[chosen].status = None, "secondary"
            changed = True
    return table


def _sum(parts: list[tuple[int, Decimal, Decimal]]) -> tuple[int, Decimal, Decimal]:
    return (
        sum(p[0] for p in parts),
        sum((p[1] for p in parts), Decimal(0)),
        max((p[2] for p in parts), default=Decimal(0)),
    )
