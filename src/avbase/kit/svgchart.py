"""Small static charts as SVG text, for documents (PDF bulletins) where an interactive chart cannot go.

Pure: numbers in, an SVG string out. Lines over periods and stacked bars with positive and negative parts;
vertical markers (a change of method) and a reference line (the base = 100).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, WenQuanYi Zen Hei, DejaVu Sans, sans-serif"
PALETTE = ("#2845d6", "#22a1c3", "#f0a030", "#8e44ad", "#27ae60", "#c0392b", "#7f8c8d", "#d35400")


@dataclass(frozen=True)
class Line:
    name: str
    values: Sequence[float | None]
    colour: str = ""
    width: float = 1.5
    labels: bool = False  # write each value above its point


@dataclass(frozen=True)
class Marker:
    x: int  # a period: the marker stands just before it
    text: str


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.001:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


class _Frame:
    def __init__(self, periods: Sequence[int], low: float, high: float, width: int, height: int) -> None:
        self.periods = list(periods)
        self.ticks = _ticks(low, high)
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.left, self.right, self.top, self.bottom = 48, width - 12, 34, height - 56
        self.width, self.height = width, height

    def x(self, period: float) -> float:
        span = max(len(self.periods), 1)
        slot = (self.right - self.left) / span
        return self.left + slot * (period - self.periods[0] + 0.5)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) / (self.high - self.low) * (self.bottom - self.top)

    def axes(self, title: str) -> list[str]:
        parts = [
            f'<text x="{self.left}" y="18" font-size="13" font-weight="600">{escape(title)}</text>',
        ]
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(
                f'<line x1="{self.left}" x2="{self.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
                f'<text x="{self.left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick:g}</text>'
            )
        for period in self.periods:
            parts.append(
                f'<text x="{self.x(period):.1f}" y="{self.bottom + 16}" font-size="10" '
                f'text-anchor="middle">{period}</text>'
            )
        return parts

    def markers(self, markers: Sequence[Marker]) -> list[str]:
        parts = []
        for marker in markers:
            x = self.x(marker.x - 0.5)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.top}" y2="{self.bottom}" stroke="#c0392b" '
                f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{self.top + 10}" font-size="10" '
                f'fill="#c0392b">{escape(marker.text)}</text>'
            )
        return parts

    def legend(self, items: Sequence[tuple[str, str]]) -> list[str]:
        """Legend entries in rows below the axis; the picture grows by a line for each extra row."""
        parts = []
        x: float = self.left
        y = self.height - 22
        for name, colour in items:
            width = 22 + 11 * sum(2 if ord(c) > 0x2E80 else 1 for c in name) * 0.55
            if x + width > self.right and x > self.left:
                x = self.left
                y += 14
            parts.append(
                f'<rect x="{x:.1f}" y="{y - 8}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14:.1f}" y="{y + 1}" font-size="10">{escape(name)}</text>'
            )
            x += width
        self.height = max(self.height, y + 8)
        return parts

    def svg(self, parts: Sequence[str]) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" font-family="{FONT}" fill="#222">'
            f'<rect width="{self.width}" height="{self.height}" fill="#fff"/>{"".join(parts)}</svg>'
        )


def _colour(index: int, given: str) -> str:
    return given or PALETTE[index % len(PALETTE)]


def line_chart(
    title: str,
    periods: Sequence[int],
    lines: Sequence[Line],
    *,
    markers: Sequence[Marker] = (),
    reference: float | None = None,
    width: int = 640,
    height: int = 300,
) -> str:
    values = [v for line in lines for v in line.values if v is not None]
    if reference is not None:
        values.append(reference)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.08 or 1.0
    frame = _Frame(periods, low - pad, high + pad, width, height)
    parts = frame.axes(title)
    if reference is not None:
        y = frame.y(reference)
        parts.append(
            f'<line x1="{frame.left}" x2="{frame.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#888" '
            'stroke-dasharray="2 2"/>'
        )
    parts += frame.markers(markers)
    for number, line in enumerate(lines):
        colour = _colour(number, line.colour)
        points = [
            (frame.x(p), frame.y(v)) for p, v in zip(periods, line.values, strict=True) if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{line.width}"/>'
            )
        for (x, y), value in zip(points, [v for v in line.values if v is not None], strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{line.width + 1:.1f}" fill="{colour}"/>')
            if line.labels:
                parts.append(
                    f'<text x="{x:.1f}" y="{y - 7:.1f}" font-size="10" '
                    f'text-anchor="middle">{value:.1f}</text>'
                )
    parts += frame.legend([(line.name, _colour(n, line.colour)) for n, line in enumerate(lines)])
    return frame.svg(parts)


def stacked_bars(
    title: str,
    periods: Sequence[int],
    parts_by_name: Sequence[tuple[str, Sequence[float]]],
    totals: Sequence[float],
    *,
    markers: Sequence[Marker] = (),
    width: int = 640,
    height: int = 300,
) -> str:
    """Bars stacked up from zero for positive parts and down for negative ones, with each period's total
    as a diamond and its value (the parts add up to the total)."""
    ups = [sum(max(0.0, values[i]) for _, values in parts_by_name) for i in range(len(periods))]
    downs = [sum(min(0.0, values[i]) for _, values in parts_by_name) for i in range(len(periods))]
    low = min([0.0, *downs, *totals])
    high = max([0.0, *ups, *totals])
    pad = (high - low) * 0.1 or 1.0
    frame = _Frame(periods, low - pad * 0.3, high + pad, width, height)
    parts = frame.axes(title)
    zero = frame.y(0)
    parts.append(
        f'<line x1="{frame.left}" x2="{frame.right}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#555"/>'
    )
    parts += frame.markers(markers)
    bar = (frame.right - frame.left) / max(len(periods), 1) * 0.5
    for i, period in enumerate(periods):
        up = down = 0.0
        x = frame.x(period) - bar / 2
        for number, (_name, values) in enumerate(parts_by_name):
            value = values[i]
            if value >= 0:
                y0, y1 = frame.y(up + value), frame.y(up)
                up += value
            else:
                y0, y1 = frame.y(down), frame.y(down + value)
                down += value
            parts.append(
                f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{max(y1 - y0, 0):.1f}" '
                f'fill="{_colour(number, "")}"/>'
            )
        cx, cy = frame.x(period), frame.y(totals[i])
        parts.append(
            f'<path d="M{cx:.1f},{cy - 5:.1f} L{cx + 5:.1f},{cy:.1f} L{cx:.1f},{cy + 5:.1f} '
            f'L{cx - 5:.1f},{cy:.1f} Z" fill="#111"/>'
            f'<text x="{cx:.1f}" y="{frame.y(max(up, totals[i])) - 8:.1f}" font-size="10" '
            f'text-anchor="middle">{totals[i]:+.2f}</text>'
        )
    parts += frame.legend([(name, _colour(n, "")) for n, (name, _v) in enumerate(parts_by_name)])
    return frame.svg(parts)
