"""The built-in revenue models by name, each a pure function: parameters (text) and a date in, a quote out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from avbase.chain.settlement import platform, theatrical
from avbase.chain.settlement.params import ParameterError, ParamSpec
from avbase.chain.settlement.waterfall import Quote

Model = Callable[..., Quote]

MODELS: dict[str, tuple[Model, tuple[ParamSpec, ...]]] = {
    theatrical.NAME: (theatrical.quote, theatrical.SPECS),
    "member-hours": (platform.member_hours, platform.MEMBER_HOURS),
    "effective-views": (platform.effective_views, platform.EFFECTIVE_VIEWS),
    "revenue-share": (platform.revenue_share, platform.REVENUE_SHARE),
}


def specs_of(model: str) -> tuple[ParamSpec, ...]:
    return _model(model)[1]


def _model(model: str) -> tuple[Model, tuple[ParamSpec, ...]]:
    if model not in MODELS:
        raise ParameterError(
            "Unknown revenue model {model}; the models are: {known}.",
            field="model",
            model=model,
            known=", ".join(MODELS),
        )
    return MODELS[model]


def quote(model: str, params: Mapping[str, object], *, on: date) -> Quote:
    """The quote of ``model`` for these parameters, using the defaults in force on ``on``."""
    function, _ = _model(model)
    return function(params, on=on)
