"""The contest metrics, by name. Each is a pure module: files in, a number out."""

from __future__ import annotations

from avbase.core.i18n import N_
from avbase.ecosystem.metrics import classification, copies, loudness, ocr, shots
from avbase.ecosystem.metrics.base import Malformed, Metric, Result, load_json

METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (shots.METRIC, copies.METRIC, ocr.METRIC, loudness.METRIC, classification.METRIC)
}


def get_metric(name: str) -> Metric:
    if name not in METRICS:
        raise Malformed(
            N_("{field}: no metric is called {name}; there are {names}."),
            field="metric",
            name=name,
            names=", ".join(METRICS),
        )
    return METRICS[name]


__all__ = ["METRICS", "Malformed", "Metric", "Result", "get_metric", "load_json"]
