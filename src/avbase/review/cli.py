"""``avbase review …``: check a programme against a delivery profile and the term packs, load term packs,
list profiles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from avbase.core.db import get_engine, session_scope
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.industry.cli import AsUser, Json, principal_for
from avbase.kit.output import emit_json, emit_table
from avbase.media.cli import Org

review_app = typer.Typer(help="Content review: technical QC, sensitive terms.", no_args_is_help=True)
terms_app = typer.Typer(help="Sensitive-term packs.", no_args_is_help=True)
review_app.add_typer(terms_app, name="terms")

FAIL_EXIT = 3


def _bad_input(exc: AvbaseError) -> typer.Exit:
    """Every refusal of ``review check`` is bad input (exit 2): an unknown asset, profile or user included."""
    text = _(exc.message, **exc.params)
    print(
        _("avbase: error: {message}", message=f"{exc.field}: {text}" if exc.field else text), file=sys.stderr
    )
    return typer.Exit(2 if exc.status_code != 500 else 1)


@review_app.command("check")
def check_command(
    target: Annotated[str, typer.Argument(help="A media file to ingest first, or the id of an asset.")],
    profile: Annotated[str, typer.Option(help="The delivery profile (see `review profiles`).")] = "gy-t-282",
    org: Org = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Checks a programme (QC and sensitive terms) and waits for the report. Exit 0 when it passes, 3 when
    it fails, 2 on bad input."""
    from avbase.core.jobs.worker import Worker
    from avbase.media import service as media
    from avbase.media.cli import owner
    from avbase.media.models import Asset, AssetState
    from avbase.review import service

    engine = get_engine()
    path = Path(target)
    try:
        with session_scope(engine) as session:
            principal = principal_for(session, as_user)
            service.get_profile(session, profile, principal)
            if path.is_file():
                principal = owner(session, as_user, org)
                stored, _known = media.ingest(session, principal, path, file_name=path.name, move=False)
                asset_id = stored.id
            elif target.isdigit():
                asset_id = media.get_asset(session, principal, int(target)).id
            else:
                raise AvbaseError(
                    "No such file, and not an asset id: {target}", field="target", target=target
                )
        Worker(engine).run_until_idle()  # the analysis, when the file is new
        with session_scope(engine) as session:
            analysed = session.get(Asset, asset_id)
            assert analysed is not None
            if analysed.state is not AssetState.ready:
                raise AvbaseError(
                    "The asset could not be analysed: {reason}",
                    field="target",
                    reason=analysed.error or analysed.state,
                )
            job = service.request_check(session, principal_for(session, as_user), asset_id, profile)
            job_id = job.id
        Worker(engine).run_until_idle(only=job_id)
        with session_scope(engine) as session:
            from avbase.core.jobs.models import Job, JobState

            job_row = session.get(Job, job_id)
            assert job_row is not None
            if job_row.state is not JobState.succeeded:
                raise AvbaseError("The check failed: {reason}", reason=job_row.error or job_row.state.value)
            report = service.latest_report(session, principal_for(session, as_user), asset_id, profile)
            result = service.report_json(session, report)
    except AvbaseError as exc:
        raise _bad_input(exc) from exc
    if json_out:
        emit_json(result)
    else:
        _print_report(result)
    raise typer.Exit(0 if result["verdict"] == "pass" else FAIL_EXIT)


def _print_report(result: dict[str, Any]) -> None:
    from avbase.kit.timecode import timecode
    from avbase.review.units import loudness_rows, measured

    emit_table(
        _(
            "QC report {id}: {verdict} ({profile})",
            id=result["id"],
            verdict=result["verdict"],
            profile=result["profile"],
        ),
        [_("Measure"), _("Value")],
        [list(row) for row in loudness_rows(result["loudness"])],
    )
    emit_table(
        _("Findings"),
        [_("Kind"), _("Start"), _("End"), _("Source"), _("Measured"), _("Limit"), _("Text")],
        [
            [f["kind"], timecode(f["start"], millis=True), timecode(f["end"], millis=True), f["source"],
             measured(f["value"], f["kind"]), measured(f["limit"], f["kind"]), f["text"] or f["detail"]]
            for f in result["findings"]
        ],
    )  # fmt: skip


@terms_app.command("load")
def load_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    name: Annotated[str, typer.Option(help="The pack: a new version of it if it exists.")],
    whitelist: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Harmless phrases that contain a term, one a line."),
    ] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Loads a UTF-8 term file (one term a line, or term,category,severity) as the next version of a pack."""
    from avbase.review import service

    with session_scope(get_engine()) as session:
        version = service.load_pack(
            session,
            principal_for(session, as_user),
            name=name,
            data=file.read_bytes(),
            file_name=file.name,
            whitelist=whitelist.read_bytes() if whitelist else None,
        )
        out = {"pack": name, "version": version.version, "terms": version.term_count,
               "whitelist": len(version.whitelist), "sha256": version.sha256}  # fmt: skip
    if json_out:
        emit_json(out)
    else:
        emit_table(_("Term pack loaded"), list(out), [list(out.values())])


@terms_app.command("list")
def list_packs_command(as_user: AsUser = None, json_out: Json = False) -> None:
    """The term packs with their current version."""
    from avbase.review import service

    with session_scope(get_engine()) as session:
        principal_for(session, as_user)
        rows = [
            {
                "pack": pack.name,
                "version": version.version,
                "terms": version.term_count,
                "active": pack.active,
                "whitelist": len(version.whitelist),
            }
            for pack, version in service.packs(session)
        ]
    if json_out:
        emit_json(rows)
    else:
        emit_table(_("Term packs"), [_("Pack"), _("Version"), _("Terms"), _("Active"), _("Whitelist")],
                   [list(row.values()) for row in rows])  # fmt: skip


@review_app.command("profiles")
def profiles_command(as_user: AsUser = None, json_out: Json = False) -> None:
    """The delivery profiles: built-in, the operator's and, with --as, the user's organisation's (all of
    them without --as)."""
    from avbase.review import service

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        found = service.profile_rows(session, principal)
        rows = [{**profile.to_json(), "org_id": org_id} for profile, org_id in found]
    if json_out:
        emit_json(rows)
    else:
        emit_table(
            _("Delivery profiles"),
            [_("Key"), _("Loudness"), _("True peak"), _("Source")],
            [[r["key"], f"{r['integrated_lufs']} ±{r['tolerance_lu']}", r["true_peak_max_dbtp"], r["source"]]
             for r in rows],
        )  # fmt: skip
