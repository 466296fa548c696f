"""Plotly figures for the industry pages, as JSON for ``Plotly.newPlot`` (plotly.js is served locally)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from avbase.core.i18n import _, label
from avbase.industry.kpi import KpiRow
from avbase.industry.models import Cluster, YearlyFigure
from avbase.industry.schemas import IndexRunOut
from avbase.kit.money import YI

COLOURS = {"content": "#2845d6", "electronics": "#22a1c3", "services": "#f0a030"}
LAYOUT: dict[str, Any] = {
    "margin": {"l": 56, "r": 16, "t": 36, "b": 40},
    "height": 320,
    "font": {"family": "system-ui, 'Noto Sans CJK SC', sans-serif", "size": 12},
    "legend": {"orientation": "h", "y": -0.18},
    "plot_bgcolor": "#fff",
    "paper_bgcolor": "#fff",
}


def _yi(amount: Decimal | float | None) -> float:
    return round(float(Decimal(str(amount or 0)) / YI), 2)


def _json(figure: go.Figure) -> str:
    return str(figure.to_json())


def revenue_trend(series: dict[int, dict[str, Decimal]], years: Sequence[int], target: KpiRow | None) -> str:
    """Revenue by cluster per year (stacked, 亿), with the path the target still needs to its year."""
    figure = go.Figure()
    for cluster in Cluster:
        figure.add_bar(
            name=label(cluster),
            x=[str(y) for y in years],
            y=[_yi(series.get(y, {}).get(cluster.value)) for y in years],
            marker_color=COLOURS[cluster.value],
        )
    if target is not None and target.needed_growth is not None and target.current > 0:
        path_years = list(range(target.year, target.target.target_year + 1))
        rate = float(target.needed_growth)
        figure.add_scatter(
            name=_("Path to the target"),
            x=[str(y) for y in path_years],
            y=[_yi(float(target.current) * (1 + rate) ** (y - target.year)) for y in path_years],
            mode="lines+markers",
            line={"dash": "dash", "color": "#c0392b"},
        )
    figure.update_layout(
        barmode="stack", title=_("Revenue by cluster (亿 yuan)"), yaxis={"rangemode": "tozero"}, **LAYOUT
    )
    return _json(figure)


def breakdown_bars(rows: Sequence[dict[str, Any]]) -> str:
    figure = go.Figure(
        go.Bar(
            x=[_yi(row["revenue"]) for row in rows][::-1],
            y=[row["name"] for row in rows][::-1],
            orientation="h",
            marker_color="#2845d6",
        )
    )
    layout = {**LAYOUT, "height": max(240, 24 * len(rows) + 80), "margin": {**LAYOUT["margin"], "l": 160}}
    figure.update_layout(title=_("Revenue (亿 yuan)"), **layout)
    return _json(figure)


def enterprise_figures(figures: Sequence[YearlyFigure]) -> str:
    figure = go.Figure()
    years = [str(f.year) for f in figures]
    figure.add_bar(name=_("Revenue"), x=years, y=[float(f.revenue_total) / 10_000 for f in figures])
    figure.add_bar(name=_("R&D expense"), x=years, y=[float(f.rnd_expense) / 10_000 for f in figures])
    figure.update_layout(title=_("Revenue and R&D (万 yuan)"), **{**LAYOUT, "height": 260})
    return _json(figure)


def index_bars(run: IndexRunOut, pillar_names: dict[str, str]) -> str:
    """Composite score per unit, stacked by pillar contribution, so the bar explains itself."""
    units = [u for u in run.units if u.composite is not None][:25]
    figure = go.Figure()
    pillars = list(units[0].indicators) if units else []
    for pillar in pillars:
        figure.add_bar(
            name=pillar_names.get(pillar, pillar),
            y=[u.name for u in units][::-1],
            x=[round(sum(i.contribution for i in u.indicators[pillar].values()), 2) for u in units][::-1],
            orientation="h",
        )
    layout = {**LAYOUT, "height": max(260, 22 * len(units) + 90), "margin": {**LAYOUT["margin"], "l": 150}}
    figure.update_layout(barmode="stack", title=_("Composite score by pillar contribution"), **layout)
    return _json(figure)


PILLAR_COLOURS = ("#2845d6", "#22a1c3", "#f0a030", "#8e44ad", "#27ae60", "#c0392b", "#7f8c8d")


def _method_markers(figure: go.Figure, changes: Sequence[tuple[int, int]]) -> None:
    """A dashed line before each period computed with a new definition version, labelled with it."""
    for period, version in changes:
        figure.add_vline(x=period - 0.5, line={"dash": "dash", "color": "#c0392b", "width": 1})
        figure.add_annotation(
            x=period - 0.5, y=1, yref="paper", showarrow=False, xanchor="left", yanchor="bottom",
            text=_("Method v{version}", version=version), font={"color": "#c0392b", "size": 11},
        )  # fmt: skip


def index_series_lines(
    points: Sequence[Any], pillar_names: dict[str, str], changes: Sequence[tuple[int, int]], base: int | None
) -> str:
    """The composite over all periods (base = 100) with each pillar's own series."""
    figure = go.Figure()
    years = [p.period for p in points]
    figure.add_scatter(
        name=_("Composite index"),
        x=years,
        y=[None if p.composite is None else round(p.composite, 2) for p in points],
        mode="lines+markers+text",
        text=[None if p.composite is None else f"{p.composite:.1f}" for p in points],
        textposition="top center",
        line={"width": 3, "color": "#111"},
    )
    for number, (key, name) in enumerate(pillar_names.items()):
        figure.add_scatter(
            name=name,
            x=years,
            y=[None if (v := p.pillars.get(key)) is None else round(v, 2) for p in points],
            mode="lines+markers",
            line={"width": 1.5, "color": PILLAR_COLOURS[number % len(PILLAR_COLOURS)]},
        )
    _method_markers(figure, changes)
    title = _("Index series ({year} = 100)", year=base) if base else _("Index series")
    figure.update_layout(title=title, xaxis={"dtick": 1}, **LAYOUT)
    return _json(figure)


def contribution_bars(
    points: Sequence[Any], pillar_names: dict[str, str], changes: Sequence[tuple[int, int]]
) -> str:
    """Each year's change in per cent, split by pillar (stacked; the parts add up to the change)."""
    moved = [p for p in points if p.change_pct is not None]
    figure = go.Figure()
    years = [p.period for p in moved]
    for number, (key, name) in enumerate(pillar_names.items()):
        figure.add_bar(
            name=name,
            x=years,
            y=[round(p.contributions_pct.get(key, 0.0), 2) for p in moved],
            marker_color=PILLAR_COLOURS[number % len(PILLAR_COLOURS)],
        )
    figure.add_scatter(
        name=_("Year-on-year change"),
        x=years,
        y=[round(p.change_pct, 2) for p in moved],
        mode="markers+text",
        text=[f"{p.change_pct:+.1f}%" for p in moved],
        textposition="top center",
        marker={"symbol": "diamond", "size": 10, "color": "#111"},
    )
    _method_markers(figure, changes)
    figure.update_layout(
        barmode="relative", title=_("Year-on-year change by pillar (percentage points)"), xaxis={"dtick": 1},
        **LAYOUT,
    )  # fmt: skip
    return _json(figure)


def sub_index_lines(units: Sequence[Any], title: str, *, limit: int = 15) -> str:
    """Each sub-index unit's composite over the periods (the first ``limit`` units in the order given)."""
    figure = go.Figure()
    for unit in units[:limit]:
        figure.add_scatter(
            name=unit.name,
            x=[p.period for p in unit.points],
            y=[None if p.composite is None else round(p.composite, 2) for p in unit.points],
            mode="lines+markers",
        )
    figure.update_layout(title=title, xaxis={"dtick": 1}, **{**LAYOUT, "height": 380})
    return _json(figure)
