"""The waterfall of a settlement run: from the period's base down to each party's part (Plotly JSON)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from avbase.core.i18n import _
from avbase.industry.charts import LAYOUT

STARTS = ("gross", "revenue")


def run_waterfall(trace: list[dict[str, Any]], names: dict[str, str]) -> str:
    """The base as the first bar, every part paid to a party as a step down, the end at zero."""
    start = next((line for line in trace if line["key"] in STARTS), None)
    base = Decimal(start["amount"]) if start else Decimal(0)
    x, y, measure = [_("Base")], [float(base)], ["absolute"]
    for line in trace:
        if line["party"] is not None:
            x.append(names.get(line["party"], line["party"]))
            y.append(-float(Decimal(line["amount"])))
            measure.append("relative")
    x.append(_("Left"))
    y.append(0.0)
    measure.append("total")
    figure = go.Figure(go.Waterfall(x=x, y=y, measure=measure, connector={"line": {"color": "#9aa3b5"}}))
    figure.update_layout(title=_("Where the period's money goes (yuan)"), showlegend=False, **LAYOUT)
    return str(figure.to_json())
