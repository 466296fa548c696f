"""``avbase industry …``: imports, KPIs against the targets, the composite index and the 赛马 ranking.

Commands act as the platform operator unless ``--as USERNAME`` names a user whose permissions apply.
In JSON, money is in yuan as decimal strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import get_engine, session_scope
from avbase.core.errors import AvbaseError, NotFound
from avbase.core.i18n import _, label
from avbase.kit.money import in_yi
from avbase.kit.output import emit_json, emit_table, err_console

if TYPE_CHECKING:
    from avbase.industry.imports import Preview

industry_app = typer.Typer(help="Industry statistics, targets, index and ranking.", no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AsUser = Annotated[
    str | None, typer.Option("--as", help="Act as this user (default: the platform operator).")
]


def principal_for(session: Session, username: str | None) -> Principal:
    if username is None:
        session.info["actor"] = Actor(name="cli")
        return Principal(0, "cli", "CLI", Role.admin, 0, "avbase", "000000")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("No user is called {name}.", field="as", name=username)
    session.info["actor"] = Actor(name=user.username, user_id=user.id)
    return Principal.of(user)


@industry_app.command("import")
def import_command(
    kind: Annotated[str, typer.Argument(help="enterprises | reports | parks | projects")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    template: Annotated[
        str | None, typer.Option("--template", help="Read the columns with this saved template.")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="The sheet that holds the data (default: found).")] = None,
    column_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="TITLE=FIELD: this column holds that field (TITLE= leaves it out).",
            metavar="TITLE=FIELD",
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="Money unit when the sheet names none: 元, 万元, 亿元.")
    ] = None,
    accept_guesses: Annotated[
        bool, typer.Option("--accept-guesses", help="Take columns matched by similarity as shown.")
    ] = False,
    formula_values: Annotated[
        bool, typer.Option("--formula-values", help="Use the saved results of formula cells.")
    ] = False,
    preview_only: Annotated[
        bool,
        typer.Option("--preview", help="Show the mapping, unit, first rows and problems; write nothing."),
    ] = False,
    save_template: Annotated[
        str | None, typer.Option("--save-template", help="Save this file's column mapping under this name.")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="The organisation whose forms the saved template reads.")
    ] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Import a CSV or Excel file: every row or none. A rejected file lists each row's problem.

    The header may sit below title and unit rows, span two merged rows, or use another organisation's
    column names (matched by similarity, confirmed with --map, --accept-guesses or a saved --template)."""
    from avbase.industry.imports import ImportOptions, ImportRejected, preview, run_import

    mapping: dict[str, str] = {}
    for item in column_map or []:
        title, equals, target = item.partition("=")
        if not equals:
            raise typer.BadParameter(_("Write --map TITLE=FIELD."), param_hint="--map")
        mapping[title.strip()] = target.strip()
    options = ImportOptions(
        sheet=sheet,
        template=template,
        mapping=mapping,
        accept_guesses=accept_guesses,
        use_formula_values=formula_values,
        unit=unit,
        save_as=save_template,
        source=source,
    )
    if preview_only:
        with session_scope(get_engine()) as session:
            shown = preview(session, principal_for(session, as_user), kind, file, options=options)
            session.rollback()
        _print_preview(shown, json_out)
        if shown.errors:
            raise typer.Exit(2)
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=err_console,
        disable=json_out,
    ) as bar:
        task = bar.add_task(_("Importing {name}", name=file.name), total=1.0)
        try:
            with session_scope(get_engine()) as session:
                principal = principal_for(session, as_user)
                result = run_import(
                    session,
                    principal,
                    kind,
                    file,
                    options=options,
                    progress=lambda fraction, message: bar.update(
                        task, completed=fraction, description=message
                    ),
                )
        except ImportRejected as rejected:
            bar.stop()
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
        bar.update(task, completed=1.0)
    if json_out:
        emit_json({"imported": True, **result.to_json()})
    else:
        typer.echo(
            _(
                "Imported {rows} rows from {name}: {created} new, {updated} updated, {unchanged} unchanged.",
                name=file.name,
                **result.to_json(),
            )
        )


def _print_preview(shown: Preview, json_out: bool) -> None:
    """The preview as JSON, or as tables: columns and their fields, the first rows, the problems."""
    from avbase.industry.imports import MATCH_LABELS
    from avbase.kit.sheets import Match

    data = shown.to_json()
    if json_out:
        emit_json(data)
        return
    typer.echo(
        _(
            "Sheet {sheet}, header in row {row}, money in {unit}; {count} data rows, {totals} total rows.",
            sheet=data["sheet"],
            row="–".join(str(r) for r in data["header_rows"]),
            unit=data["unit"],
            count=data["row_count"],
            totals=len(data["totals"]),
        )
    )
    emit_table(
        _("Columns"),
        [_("Column"), _("Title"), _("Field"), _("Match")],
        [
            [c["column"], c["title"], c["field"] or "—", _(MATCH_LABELS[Match(c["match"])])]
            for c in data["columns"]
        ],
    )
    fields = shown.fields
    emit_table(
        _("First rows as they will be stored"),
        [_("Row"), *fields],
        [[r["row"], *[r["values"].get(f, "") for f in fields]] for r in data["rows"]],
    )
    if data["errors"]:
        emit_table(
            _("Problems"),
            [_("Row"), _("Column"), _("Reason")],
            [[e["row"], e["column"], e["reason"]] for e in data["errors"][:200]],
        )


@industry_app.command("kpi")
def kpi_command(
    year: Annotated[int, typer.Option(help="The year to measure.")],
    scheme: Annotated[str, typer.Option(help="The target scheme.")] = "zj2024",
    json_out: Json = False,
) -> None:
    """Current values against the targets, progress and the growth still needed each year."""
    from avbase.industry import kpi

    with session_scope(get_engine()) as session:
        rows = kpi.kpi_rows(session, scheme=scheme, year=year)
        if not rows:
            raise NotFound("No targets in scheme {scheme}.", field="scheme", scheme=scheme)
        data = [row.to_json() for row in rows]
    if json_out:
        emit_json({"scheme": scheme, "year": year, "targets": data})
        return
    emit_table(
        _("Targets {scheme}, {year}", scheme=scheme, year=year),
        [_("Target"), _("Current"), _("Target value"), _("Progress"), _("Needed each year")],
        [
            [
                row["label"],
                _money_or_count(row["current"], row["unit"]),
                _money_or_count(row["target"], row["unit"]),
                f"{float(row['progress']):.1%}",
                _needed(row),
            ]
            for row in data
        ],
    )


def _money_or_count(value: str | None, unit: str) -> str:
    from decimal import Decimal

    if value is None:
        return "—"
    return _("{amount} 亿", amount=in_yi(Decimal(value))) if unit == "yuan" else value


def _needed(row: dict[str, Any]) -> str:
    if row["met"]:
        return _("met")
    if row["needed_growth"] is not None:
        return _("+{rate} a year", rate=f"{float(row['needed_growth']):.1%}")
    if row["needed_per_year"] is not None:
        return "+" + _money_or_count(row["needed_per_year"], row["unit"])
    return "—"


@industry_app.command("index")
def index_command(
    definition: Annotated[str, typer.Option(help="The index definition's name, e.g. zj-city.")],
    period: Annotated[int, typer.Option(help="The year.")],
    sensitivity: Annotated[bool, typer.Option(help="Also show rank changes under other weights.")] = False,
    json_out: Json = False,
) -> None:
    """Compute (and store) the composite index for a period, ranked."""
    from avbase.industry import index_service

    with session_scope(get_engine()) as session:
        found = index_service.latest_definition(session, definition)
        run = index_service.compute_run(session, None, found, period)
        units = index_service.ranked_units(run)
        out: dict[str, Any] = {
            "definition": found.name,
            "version": found.version,
            "period": period,
            "run": run.id,
            "input_digest": run.input_digest,
            "normalisation": found.normalisation.value,
            "units": [
                {
                    "unit": u["unit"],
                    "name": u["name"],
                    "rank": u["rank"],
                    "score": u["composite"],
                    "pillars": u["pillars"],
                }
                for u in units
            ],
        }
        if sensitivity:
            view = index_service.sensitivity(session, found, period)
            out["sensitivity"] = {
                "mean_shift": view.mean_shift,
                "rows": [
                    {"unit": r.unit, "baseline": r.baseline_rank, "ranks": r.ranks, "max_shift": r.max_shift}
                    for r in view.rows
                ],
            }
    if json_out:
        emit_json(out)
        return
    emit_table(
        f"{found.title} · {period}",
        [_("Rank"), _("Unit"), _("Score"), *[p["key"] for p in found.pillars]],
        [
            [
                u["rank"],
                u["name"],
                _score(u["score"]),
                *[_score(u["pillars"].get(p["key"])) for p in found.pillars],
            ]
            for u in out["units"]
        ],
    )


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@industry_app.command("rank")
def rank_command(
    group: Annotated[str, typer.Option(help="The peer group: a cluster, category code or tier.")],
    period: Annotated[int, typer.Option(help="The year.")],
    scheme: Annotated[str, typer.Option(help="The ranking scheme.")] = "saima-enterprise",
    region: Annotated[
        str, typer.Option(help="Only this GB/T 2260 region prefix, e.g. 33 (Zhejiang) or 3301 (Hangzhou).")
    ] = "",
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 20,
    json_out: Json = False,
) -> None:
    """赛马: rank enterprises (or products) within a peer group, with the change since last period."""
    from avbase.industry import ranking

    with session_scope(get_engine()) as session:
        found = ranking.get_scheme(session, scheme)
        rows = ranking.rank(session, found, group=group, period=period, region_prefix=region)
    if json_out:
        emit_json(
            {
                "scheme": scheme,
                "group": group,
                "period": period,
                "region": region,
                "rows": [
                    {
                        "rank": r.rank,
                        "id": r.subject_id,
                        "name": r.name,
                        "score": r.score,
                        "previous_rank": r.previous_rank,
                        "movement": r.movement,
                        "metrics": r.metrics,
                    }
                    for r in rows[:limit]
                ],
            }
        )
        return
    emit_table(
        f"{found.title} · {label(group)} · {period}",
        [_("Rank"), _("Name"), _("Score"), _("Rank change")],
        [[r.rank, r.name, f"{r.score:.1f}", _movement(r.movement)] for r in rows[:limit]],
    )


def _movement(value: int | None) -> str:
    if value is None:
        return _("new")
    return f"↑{value}" if value > 0 else f"↓{-value}" if value < 0 else "–"


@industry_app.command("targets")
def targets_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)], json_out: Json = False
) -> None:
    """Load a target scheme from TOML (another province's targets, or amended ones)."""
    from avbase.industry import kpi

    with session_scope(get_engine()) as session:
        session.info["actor"] = Actor(name="cli")
        count = kpi.load_target_file(session, file)
    emit_json({"targets": count}) if json_out else typer.echo(_("{count} targets loaded.", count=count))


@industry_app.command("export")
def export_command(
    kind: Annotated[str, typer.Argument(help="reports")],
    out: Annotated[Path, typer.Argument(dir_okay=False, help="The .xlsx file to write.")],
    year: Annotated[int | None, typer.Option(min=1949, max=2100, help="Only this year's periods.")] = None,
    region: Annotated[str, typer.Option(help="Only this GB/T 2260 region prefix, e.g. 3301.")] = "",
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Write the current reports to Excel, with the headers `industry import reports` reads back."""
    from avbase.industry.exports import reports_workbook

    if kind != "reports":
        raise NotFound("Only reports can be exported so far.", field="kind")
    with session_scope(get_engine()) as session:
        body = reports_workbook(session, principal_for(session, as_user), year=year, region_prefix=region)
    out.write_bytes(body)
    if json_out:
        emit_json({"file": str(out), "bytes": len(body)})
    else:
        typer.echo(_("Wrote {path}.", path=str(out)))


@industry_app.command("evaluate-parks")
def evaluate_parks_command(
    year: Annotated[int, typer.Option(min=1949, max=2100, help="The year to evaluate.")],
    region: Annotated[str, typer.Option(help="GB/T 2260 prefix of the parks, e.g. 33.")] = "",
    apply_status: Annotated[
        bool, typer.Option(help="Set each park's status from its recommendation.")
    ] = False,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Score every park of the region (ZJ 4 进入退出机制) and recommend enter, keep, warn or exit."""
    from avbase.industry.evaluation import evaluate_parks

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        done = evaluate_parks(session, principal, year=year, region_prefix=region, apply_status=apply_status)
        rows = [(e.park.name, e.version, e.score, e.recommendation.value) for e in done]
    if json_out:
        emit_json([{"park": n, "version": v, "score": s, "recommendation": r} for n, v, s, r in rows])
        return
    emit_table(
        _("Park evaluation {year}", year=year),
        [_("Park"), _("Version"), _("Score"), _("Recommendation")],
        [[n, v, f"{s:.1f}", label(r)] for n, v, s, r in rows],
    )


@industry_app.command("classification")
def classification_command(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="CSV: code,name_zh,name_en,cluster,national_code"),
    ],
    code: Annotated[str, typer.Option(help="The version's code, e.g. AV-2026.")],
    name: Annotated[str, typer.Option(help="The version's title.")],
    source: Annotated[str | None, typer.Option(help="Where the standard comes from.")] = None,
    json_out: Json = False,
) -> None:
    """Load a new version of the AV industry classification and make it current."""
    from avbase.industry.registry import load_classification

    with session_scope(get_engine()) as session:
        session.info["actor"] = Actor(name="cli")
        version = load_classification(
            session, code=code, name=name, csv_text=file.read_text(encoding="utf-8-sig"), source=source
        )
        count = len(version.categories)
    if json_out:
        emit_json({"code": code, "categories": count})
    else:
        typer.echo(_("Classification {code} loaded with {count} categories.", code=code, count=count))


@industry_app.command("series")
def series_command(
    definition: Annotated[str, typer.Option(help="A base-period index definition, e.g. malanshan.")],
    level: Annotated[str | None, typer.Option(help="A sub-index level: city or park.")] = None,
    json_out: Json = False,
) -> None:
    """The index over every period with data: each unit's index, its change and each pillar's part of it."""
    from dataclasses import asdict

    from avbase.industry import index_series, index_service
    from avbase.industry.models import UnitLevel

    with session_scope(get_engine()) as session:
        found = index_service.latest_definition(session, definition)
        try:
            chosen = UnitLevel(level) if level else None
        except ValueError:
            raise AvbaseError("Unknown level {level}.", field="level", level=level) from None
        view = index_series.index_series(session, found, chosen)
        out: dict[str, Any] = {
            "definition": found.name,
            "version": found.version,
            "level": view.level.value,
            "base_period": found.base_period,
            "periods": view.periods,
            "method_changes": view.method_changes,
            "units": [
                {"unit": u.unit, "name": u.name, "points": [asdict(p) for p in u.points]} for u in view.units
            ],
        }
    if json_out:
        emit_json(out)
        return
    keys = [p["key"] for p in found.pillars]
    for unit in out["units"][:1] if view.level.value == found.unit_level else []:
        emit_table(
            f"{found.title} · {unit['name']}",
            [_("Period"), _("Index"), _("Year-on-year change (%)"), *[f"{k} pp" for k in keys], _("Method")],
            [
                [p["period"], _score(p["composite"]), _score(p["change_pct"]),
                 *[_score(p["contributions_pct"].get(k)) for k in keys],
                 f"v{p['version']}" + (" *" if p["method_change"] else "")]
                for p in unit["points"]
            ],
        )  # fmt: skip
    if view.level.value != found.unit_level:
        emit_table(
            f"{found.title} · {view.level.value}",
            [_("Unit"), *[str(p) for p in view.periods]],
            [[u["name"], *[_score(p["composite"]) for p in u["points"]]] for u in out["units"]],
        )


@industry_app.command("bulletin")
def bulletin_command(
    definition: Annotated[str, typer.Option(help="A base-period index definition, e.g. malanshan.")],
    period: Annotated[int, typer.Option(help="The year of the bulletin.")],
    publish: Annotated[bool, typer.Option(help="Publish it (freezes its points and content).")] = False,
    pdf: Annotated[Path | None, typer.Option(help="Write the bulletin as PDF to this file.")] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Prepare (or find) the index's bulletin for a year; publish it; write its PDF."""
    import avbase.industry.pages  # noqa: F401  (registers the industry templates the PDF is laid out from)
    from avbase.industry import bulletins
    from avbase.industry.bulletin_pages import bulletin_pdf_bytes
    from avbase.industry.models import BulletinStatus, IndexBulletin

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        found = session.scalar(
            select(IndexBulletin).where(IndexBulletin.series == definition, IndexBulletin.period == period)
        )
        if found is None:
            found = bulletins.create_draft(session, principal, series_name=definition, period=period)
        if publish and found.status is BulletinStatus.draft:
            bulletins.publish(session, principal, found)
        if pdf is not None:
            pdf.write_bytes(bulletin_pdf_bytes(session, principal, found))
        out = {
            "bulletin": found.id,
            "title": found.title,
            "status": found.status.value,
            "published_at": found.published_at.isoformat() if found.published_at else None,
            "snapshot_digest": found.snapshot_digest,
            "pdf": str(pdf) if pdf else None,
        }
    if json_out:
        emit_json(out)
    else:
        typer.echo(
            f"#{out['bulletin']} {out['title']} · {label(out['status'])}" + (f" → {pdf}" if pdf else "")
        )
