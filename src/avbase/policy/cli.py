"""``avbase policy …``: the measures catalogue and quotes with their trace.

``quote`` exits 0 when eligible, 3 when not (with the reason), 2 on bad input (an unknown fact, a negative
amount). Amounts in JSON are yuan as decimal strings.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, Any

import typer

from avbase.core.audit import Actor
from avbase.core.db import get_engine, session_scope
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _, get_locale, label
from avbase.kit.output import emit_json, emit_table
from avbase.policy.rules import Quote, Step

policy_app = typer.Typer(help="Support measures as executable rules.", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
NOT_ELIGIBLE = 3


def text(step: Step) -> str:
    return _(step.msgid, **step.params)


def quote_json(quote: Quote) -> dict[str, Any]:
    return {
        "measure": quote.measure_id,
        "on": quote.on.isoformat(),
        "eligible": quote.eligible,
        "outcome": quote.outcome.value,
        "amount": None if quote.amount is None else str(quote.amount),
        "reason": text(quote.reason) if quote.reason else None,
        "trace": [text(step) for step in quote.trace],
    }


@policy_app.command("load")
def load_command(json_out: Json = False) -> None:
    """Load the measures of the seed texts that are not in the database yet."""
    from avbase.policy.catalogue import load_catalogue

    with session_scope(get_engine()) as session:
        session.info["actor"] = Actor(name="cli")
        added = load_catalogue(session)
    emit_json({"added": added}) if json_out else typer.echo(_("{count} measures added.", count=added))


@policy_app.command("measures")
def measures_command(
    document: Annotated[str | None, typer.Option(help="hn2023 or zj2024.")] = None,
    kind: Annotated[str | None, typer.Option(help="capped, rate_capped, listing, support, …")] = None,
    json_out: Json = False,
) -> None:
    """The catalogue: every measure with its kind, lead unit and current parameters."""
    from avbase.policy import service

    with session_scope(get_engine()) as session:
        rows = [
            {
                "id": m.id,
                "document": m.document_code,
                "article": m.article,
                "kind": m.kind,
                "title": m.title_zh if get_locale() == "zh_Hans" else m.title_en,
                "lead_unit": m.lead_unit,
                "parameters": {p.name: p.value for p in m.parameters},
            }
            for m in service.list_measures(session, document=document, kind=kind)
        ]
    if json_out:
        emit_json(rows)
        return
    emit_table(
        _("Measures"),
        [_("Measure"), _("Article"), _("Kind"), _("Title"), _("Lead unit")],
        [[r["id"], r["article"], label(r["kind"]), r["title"], r["lead_unit"] or "—"] for r in rows],
    )


@policy_app.command("measure")
def measure_command(
    measure_id: Annotated[str, typer.Argument(help="e.g. hn2023.4.rnd-center")], json_out: Json = False
) -> None:
    """One measure: its source sentence, responsible units, facts, parameters and evidence."""
    from avbase.policy import service

    with session_scope(get_engine()) as session:
        m = service.get_measure(session, measure_id)
        data: dict[str, Any] = {
            "id": m.id,
            "document": m.document_code,
            "document_title": m.document.title,
            "article": m.article,
            "kind": m.kind,
            "title_zh": m.title_zh,
            "title_en": m.title_en,
            "source": m.source_text,
            "units": m.units,
            "lead_unit": m.lead_unit,
            "in_force_from": m.document.in_force_from.isoformat(),
            "in_force_until": m.document.in_force_until.isoformat() if m.document.in_force_until else None,
            "non_cumulation_group": m.group_key,
            "facts": m.facts,
            "parameters": [
                {
                    "name": p.name,
                    "value": p.value,
                    "effective_from": p.effective_from.isoformat(),
                    "note": p.note,
                }
                for p in m.parameters
            ],
            "evidence": m.evidence,
            "note": m.note,
        }
    if json_out:
        emit_json(data)
        return
    typer.echo(f"{data['id']} · {data['title_zh']} ({data['document_title']} {data['article']})")
    typer.echo(f"  {data['source']}")
    typer.echo(_("  Units: {units}", units="、".join(data["units"]) or "—"))
    for fact in data["facts"]:
        choices = "|".join(fact.get("choices", []))
        typer.echo(f"  --fact {fact['name']}=…  ({fact['kind']}{': ' + choices if choices else ''})")
    for parameter in data["parameters"]:
        typer.echo(
            f"  {parameter['name']} = {parameter['value']} ({_('from')} {parameter['effective_from']})"
        )


@policy_app.command("quote")
def quote_command(
    measure_id: Annotated[str, typer.Argument(help="e.g. hn2023.4.rnd-center")],
    fact: Annotated[list[str] | None, typer.Option("--fact", help="NAME=VALUE, repeatable.")] = None,
    on: Annotated[
        str | None, typer.Option(help="Evaluate as of this date (YYYY-MM-DD); default today.")
    ] = None,
    json_out: Json = False,
) -> None:
    """What a measure gives for these facts, with the trace; exit 3 when not eligible."""
    from avbase.kit.dates import today
    from avbase.policy import service

    facts: dict[str, object] = {}
    for item in fact or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise AvbaseError("A fact is written NAME=VALUE: {item}.", field="fact", item=item)
        facts[name.strip()] = value.strip()
    try:
        when = date.fromisoformat(on) if on else today()
    except ValueError:
        raise AvbaseError("A date is written YYYY-MM-DD.", field="on") from None
    with session_scope(get_engine()) as session:
        result = service.quote(session, measure_id, facts, on=when)
    if json_out:
        emit_json(quote_json(result))
    else:
        if result.eligible:
            head = (
                _("Eligible: {amount} yuan", amount=f"{result.amount:,.2f}")
                if result.amount
                else _("Eligible: {outcome}", outcome=label(result.outcome))
            )
        else:
            head = _("Not eligible: {reason}", reason=text(result.reason) if result.reason else "—")
        typer.echo(head)
        for step in result.trace:
            typer.echo(f"  · {text(step)}")
    if not result.eligible:
        sys.exit(NOT_ELIGIBLE)
