"""``avbase chain …``: revenue quotes, statement imports, settlement runs and reconciliation.

Exit codes: 0 done (``reconcile``: everything agrees), 2 bad input naming the parameter, field or row,
3 ``reconcile`` found discrepancies. Amounts in JSON are yuan as decimal strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from avbase.chain.settlement.params import ParameterError
from avbase.chain.settlement.waterfall import Quote
from avbase.core.i18n import _, label
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


@chain_app.command("rules")
def rules_command(
    model: Annotated[str | None, typer.Option(help="Only the rule sets of this model.")] = None,
    json_out: Json = False,
) -> None:
    """The platforms' published rule sets (quote or contract term ``rules=NAME``): dates, values, source."""
    from avbase.chain.settlement.platform import RULE_SETS

    rules = sorted(
        (rule for rule in RULE_SETS.values() if model is None or rule.model == model),
        key=lambda rule: (rule.platform, rule.content, rule.effective_from),
    )
    if json_out:
        emit_json(
            [
                {
                    "name": rule.name,
                    "platform": rule.platform,
                    "content": rule.content,
                    "model": rule.model,
                    "effective_from": rule.effective_from.isoformat(),
                    "effective_until": rule.effective_until and rule.effective_until.isoformat(),
                    "values": dict(rule.values),
                    "requires": list(rule.requires),
                    "limits": dict(rule.limits),
                    "source": rule.source,
                }
                for rule in rules
            ]
        )
        return
    emit_table(
        _("Published rule sets"),
        [_("Name"), _("Platform"), _("Content"), _("Model"), _("From"), _("Until"), _("You give")],
        [
            (
                rule.name,
                rule.platform,
                rule.content,
                rule.model,
                rule.effective_from.isoformat(),
                rule.effective_until.isoformat() if rule.effective_until else "",
                ", ".join(rule.requires),
            )
            for rule in rules
        ],
    )


# --- statements, settlement, reconciliation ------------------------------------------------------------

import_app = typer.Typer(help="Import statements.", no_args_is_help=True)
chain_app.add_typer(import_app, name="import")
AsUser = Annotated[
    str | None, typer.Option("--as", help="Act as this user (default: the platform operator).")
]
DISCREPANCIES = 3


@import_app.command("statements")
def import_statements_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    template: Annotated[
        str | None, typer.Option("--template", help="Read the columns with this template.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Who sent it (default: the template's source).")] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Import a box-office report or platform statement (CSV or Excel): every row or none, each file once."""
    from avbase.chain.settlement.statements import import_statements
    from avbase.core.db import get_engine, session_scope
    from avbase.industry.cli import principal_for
    from avbase.industry.imports import ImportRejected

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        try:
            done = import_statements(
                session, principal, file, source=source or template or file.stem, template=template
            )
        except ImportRejected as rejected:
            rows = [{"row": e.row, "column": e.column, "reason": e.reason} for e in rejected.errors]
            if json_out:
                emit_json({"imported": False, "errors": rows})
            else:
                emit_table(
                    _("Rejected rows"),
                    [_("Row"), _("Column"), _("Reason")],
                    [list(r.values()) for r in rows[:200]],
                )
            raise
    result = {
        "imported": True,
        "id": done.id,
        "file": done.file_name,
        "rows": done.rows,
        "amount": str(done.amount),
        "template": done.template,
    }
    if json_out:
        emit_json(result)
    else:
        typer.echo(
            _(
                "Import {id}: {rows} lines, {amount} yuan.",
                id=done.id,
                rows=done.rows,
                amount=f"{done.amount:,.2f}",
            )
        )


def run_json(run: Any) -> dict[str, Any]:
    return {
        "id": run.id,
        "contract_id": run.contract_id,
        "period": run.period,
        "sequence": run.sequence,
        "state": run.state.value,
        "base": str(run.base),
        "inputs": run.inputs,
        "statements": [
            {
                "role": s.role,
                "party": s.name,
                "org_id": s.org_id,
                "amount": str(s.amount),
                "adjustment": str(s.adjustment),
            }
            for s in run.statements
        ],
        "trace": [_(line["msgid"], **line["params"]) for line in run.trace],
    }


@chain_app.command("settle")
def settle_command(
    contract: Annotated[str, typer.Argument(help="The contract's code.")],
    period: Annotated[str, typer.Option(help="The month: YYYY-MM.")],
    approve: Annotated[
        bool, typer.Option("--approve", help="Approve the run at once (locks the period).")
    ] = False,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Settle a contract's period from the imported statements: a statement per party (a draft until
    approved; an approved period is settled again only as a correcting run)."""
    from avbase.chain.settlement import service
    from avbase.core.db import get_engine, session_scope
    from avbase.industry.cli import principal_for

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        run = service.settle(session, principal, contract, period=period)
        if approve:
            service.approve(session, principal, run.id)
        out = run_json(run)
    if json_out:
        emit_json(out)
        return
    emit_table(
        _(
            "{contract} {period}, run {sequence} ({state})",
            contract=contract,
            period=period,
            sequence=out["sequence"],
            state=out["state"],
        ),
        [_("Party"), _("Role"), _("Amount"), _("Adjustment")],
        [(s["party"], s["role"], s["amount"], s["adjustment"]) for s in out["statements"]],
    )


@chain_app.command("approve")
def approve_command(run_id: int, as_user: AsUser = None, json_out: Json = False) -> None:
    """Approve a settlement run: it is posted to the ledger and its period locked."""
    from avbase.chain.settlement import service
    from avbase.core.db import get_engine, session_scope
    from avbase.industry.cli import principal_for

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        out = run_json(service.approve(session, principal, run_id))
    emit_json(out) if json_out else typer.echo(_("Run {id} approved.", id=run_id))


@chain_app.command("balances")
def balances_command(
    on: Annotated[str | None, typer.Option(help="Balances on this date (YYYY-MM-DD; default: all).")] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """What each party is owed under the settled contracts (a party sees its own)."""
    from avbase.chain.settlement import service
    from avbase.core.db import get_engine, session_scope
    from avbase.industry.cli import principal_for

    day = parse_params([f"on={on}"])[1] if on else None
    with session_scope(get_engine()) as session:
        rows = service.balances(session, principal_for(session, as_user), on=day)
    if json_out:
        emit_json([{"party": b.party, "name": b.name, "account": b.code, "owed": str(b.owed)} for b in rows])
        return
    emit_table(
        _("Balances"),
        [_("Party"), _("Account"), _("Owed")],
        [(b.name, b.code, f"{b.owed:,.2f}") for b in rows],
    )


@chain_app.command("reconcile")
def reconcile_command(
    statement: Annotated[
        Path,
        typer.Option(
            exists=True, dir_okay=False, readable=True, help="The counterparty's statement (CSV or Excel)."
        ),
    ],
    expected: Annotated[
        Path,
        typer.Option(
            exists=True, dir_okay=False, readable=True, help="Your own expected figures (CSV or Excel)."
        ),
    ],
    json_out: Json = False,
) -> None:
    """Every discrepancy between a statement and the expected figures: exit 0 when all agree, 3 when not."""
    from avbase.chain.settlement.reconcile import reconcile_files

    result = reconcile_files(statement, expected)
    if json_out:
        emit_json(result.to_json())
    else:
        emit_table(
            _(
                "{count} discrepancies in {lines} statement lines",
                count=len(result.discrepancies),
                lines=result.statement_lines,
            ),
            [_("Title"), _("Period"), _("Metric"), _("Kind"), _("Difference")],
            [(d.title, d.period, d.metric, label(d.kind), f"{d.difference:f}") for d in result.discrepancies],
        )
    if result.discrepancies:
        raise typer.Exit(DISCREPANCIES)
