"""``avbase chain …``: revenue quotes, statement imports, settlement runs and reconciliation.

Exit codes: 0 done (``reconcile``: everything agrees), 2 bad input naming the parameter, field or row,
3 ``reconcile`` found discrepancies. Amounts in JSON are yuan as decimal strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

import typer

from avbase.chain.settlement.params import ParameterError
from avbase.chain.settlement.waterfall import Quote
from avbase.core.i18n import _
from avbase.kit.dates import today
from avbase.kit.output import emit_json, emit_table

chain_app = typer.Typer(help="Distribution, revenue sharing and reconciliation.", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def parse_params(pairs: Sequence[str]) -> tuple[dict[str, str], date]:
    """``NAME=VALUE`` pairs as given on the command line, and the date ``on`` (today when not given)."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError("--param takes NAME=VALUE: {value}", field="param", value=pair)
        params[name.strip()] = value.strip()
    on_text = params.pop("on", None)
    if on_text is None:
        return params, today()
    try:
        return params, date.fromisoformat(on_text)
    except ValueError as exc:
        raise ParameterError(
            "not a date (YYYY-MM-DD): {value}", field="on", name="on", value=on_text
        ) from exc


def quote_json(quote: Quote) -> dict[str, Any]:
    return {
        "model": quote.model,
        "on": quote.on.isoformat(),
        "base": str(quote.base),
        "steps": [
            {
                "key": line.key,
                "text": _(line.msgid, **line.params),
                "amount": str(line.amount),
                "party": line.party,
            }
            for line in quote.lines
        ],
        "parts": {party: str(amount) for party, amount in quote.parts.items()},
        "parameters": {
            name: {"value": value, "source": source} for name, (value, source) in quote.parameters.items()
        },
    }


@chain_app.command("quote")
def quote_command(
    model: Annotated[
        str, typer.Argument(help="cn-theatrical, member-hours, effective-views or revenue-share.")
    ],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="NAME=VALUE (repeat); on=YYYY-MM-DD.")
    ] = None,
    json_out: Json = False,
) -> None:
    """Each step of a revenue model from the whole to every party's part, with its amount."""
    from avbase.chain.settlement.revenue_models import quote

    params, on = parse_params(param or [])
    result = quote(model, params, on=on)
    if json_out:
        emit_json(quote_json(result))
        return
    emit_table(
        _("{model} on {on}", model=result.model, on=result.on.isoformat()),
        [_("Step"), _("Amount"), _("Party")],
        [(_(line.msgid, **line.params), f"{line.amount:,.2f}", line.party or "") for line in result.lines],
    )
