"""Settling many contracts at once from a statement file: DuckDB aggregates, the revenue models split.

The lines (CSV: title, period, metric, quantity, amount) are summed per title and metric for the period in
DuckDB with exact DECIMAL arithmetic; each contract's figures then go through its revenue model. Pure (no
database of ours), so the benchmark and a worker can run it on millions of lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from avbase.chain.settlement.revenue_models import quote
from avbase.chain.settlement.waterfall import Quote
from avbase.core.errors import AvbaseError

# Which statement figures feed which parameter of each model: (metric, "amount" | "quantity").
INPUTS: dict[str, dict[str, tuple[str, str]]] = {
    "cn-theatrical": {"gross": ("box_office", "amount")},
    "member-hours": {"hours": ("member_hours", "quantity"), "new_members": ("new_members", "quantity")},
    "effective-views": {"views": ("effective_views", "quantity"), "new_members": ("new_members", "quantity")},
    "revenue-share": {
        "member_revenue": ("member_revenue", "amount"),
        "ad_revenue": ("ad_revenue", "amount"),
        "new_members": ("new_members", "quantity"),
    },
}
LINE_TYPES = {
    "title": "VARCHAR",
    "period": "VARCHAR",
    "metric": "VARCHAR",
    "quantity": "DECIMAL(18, 4)",
    "amount": "DECIMAL(18, 2)",
}


@dataclass(frozen=True)
class ContractSpec:
    code: str
    title: str
    model: str
    terms: Mapping[str, str]


def inputs_of(model: str, figures: Mapping[tuple[str, str], Decimal]) -> dict[str, str]:
    """The model's parameters from (metric, amount|quantity) sums."""
    return {name: f"{figures.get(source, Decimal(0)):f}" for name, source in INPUTS.get(model, {}).items()}


def settle_file(lines: Path, contracts: Sequence[ContractSpec], *, period: str, on: date) -> dict[str, Quote]:
    """Each contract's quote for ``period`` (a month, YYYY-MM) from the lines of its title."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TEMP TABLE contract_titles (title VARCHAR PRIMARY KEY)")
        con.executemany(
            "INSERT INTO contract_titles VALUES (?)", [(t,) for t in {c.title for c in contracts}]
        )
        try:
            rows = con.execute(
                "SELECT l.title, l.metric, sum(l.amount), sum(l.quantity) "
                "FROM read_csv(?, header = true, columns = ?) l "
                "JOIN contract_titles c ON c.title = l.title "
                "WHERE l.period = ? OR starts_with(l.period, ?) GROUP BY l.title, l.metric",
                [str(lines), LINE_TYPES, period, period + "-"],
            ).fetchall()
        except duckdb.Error as exc:
            raise AvbaseError(
                "Cannot read the statement lines: {reason}", field="lines", reason=str(exc).splitlines()[0]
            ) from exc
    finally:
        con.close()
    by_title: dict[str, dict[tuple[str, str], Decimal]] = {}
    for title, metric, amount, quantity in rows:
        figures = by_title.setdefault(title, {})
        figures[(metric, "amount")] = Decimal(amount)
        figures[(metric, "quantity")] = Decimal(quantity)
    return {
        c.code: quote(c.model, dict(c.terms) | inputs_of(c.model, by_title.get(c.title, {})), on=on)
        for c in contracts
    }
