"""``avbase media …``: ingest files or folders into the library, list assets, show one asset's analysis."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal
from avbase.core.db import get_engine, session_scope
from avbase.core.errors import AvbaseError, NotFound
from avbase.core.i18n import _
from avbase.industry.cli import AsUser, Json, principal_for
from avbase.kit.output import emit_json, emit_table, err_console
from avbase.kit.pagination import PageRequest

media_app = typer.Typer(help="The media library: ingest, list, show, import subtitles.", no_args_is_help=True)
Org = Annotated[str | None, typer.Option("--org", help="The organisation whose library receives the files.")]


def owner(session: Session, as_user: str | None, org_name: str | None) -> Principal:
    """Who ingests: the user named by --as, or the operator acting for the organisation named by --org."""
    principal = principal_for(session, as_user)
    if as_user:
        return principal
    if not org_name:
        raise AvbaseError("Say whose library this is: --org NAME or --as USER.", field="org")
    org = session.scalar(select(Organisation).where(Organisation.name == org_name))
    if org is None:
        raise NotFound("No organisation is called {name}.", field="org", name=org_name)
    return replace(principal, org_id=org.id, org_name=org.name, region_code=org.region_code)


def _files(paths: list[Path]) -> list[Path]:
    """Files as given, and every file under the folders given (recursive, hidden files skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            found.append(path)
    return found


@media_app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files or folders (recursive).")],
    wait: Annotated[
        bool, typer.Option(help="Run the analysis now and print each asset's final state.")
    ] = False,
    org: Org = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Add files to the library: stored once by content, then analysed by a job."""
    from avbase.media import service

    files = _files(paths)
    with session_scope(get_engine()) as session:
        owner(session, as_user, org)  # refuse before storing anything
    results: list[dict[str, Any]] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=json_out,
    ) as bar:
        task = bar.add_task(_("Storing"), total=len(files))
        for path in files:
            with session_scope(get_engine()) as session:
                principal = owner(session, as_user, org)
                asset, duplicate = service.ingest(session, principal, path, file_name=path.name, move=False)
                results.append(
                    {"id": asset.id, "file": str(path), "duplicate": duplicate, "state": asset.state.value}
                )
            bar.update(task, advance=1, description=path.name[:40])
    if wait:
        from avbase.core.jobs.worker import Worker

        Worker(get_engine()).run_until_idle()
        with session_scope(get_engine()) as session:
            from avbase.media.models import Asset

            states = dict(session.execute(select(Asset.id, Asset.state)).all())
            errors = dict(session.execute(select(Asset.id, Asset.error)).all())
        for row in results:
            row["state"] = states[row["id"]].value
            row["error"] = errors.get(row["id"])
    if json_out:
        emit_json(results)
        return
    emit_table(
        _("Ingested"),
        [_("Asset"), _("File"), _("State"), ""],
        [
            [
                r["id"],
                r["file"],
                r["state"],
                _("already in the library") if r["duplicate"] else r.get("error") or "",
            ]
            for r in results
        ],
    )


@media_app.command("list")
def list_command(
    kind: Annotated[str | None, typer.Option(help="video or audio")] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Assets you may see, newest first."""
    from avbase.media import service

    with session_scope(get_engine()) as session:
        page = service.list_assets(
            session,
            principal_for(session, as_user),
            PageRequest(per_page=200, sort="created_at", descending=True),
            service.AssetFilters(kind=kind),
        )
        rows = [
            {
                "id": a.id,
                "title": a.title,
                "kind": a.kind,
                "state": a.state.value,
                "duration": a.duration,
                "resolution_class": a.resolution_class,
                "hdr": a.hdr,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in page.items
        ]
    if json_out:
        emit_json(rows)
        return
    emit_table(
        _("Media library"),
        [_("Asset"), _("Title"), _("Kind"), _("State"), _("Duration"), _("Resolution"), "HDR"],
        [
            [
                r["id"],
                r["title"],
                r["kind"] or "—",
                r["state"],
                f"{r['duration']:.1f} s" if r["duration"] else "—",
                r["resolution_class"] or "—",
                r["hdr"] or "—",
            ]
            for r in rows
        ],
    )


@media_app.command("show")
def show_command(
    asset_id: Annotated[int, typer.Argument(min=1)], as_user: AsUser = None, json_out: Json = False
) -> None:
    """One asset: its state and technical probe."""
    from avbase.media import service

    with session_scope(get_engine()) as session:
        asset = service.get_asset(session, principal_for(session, as_user), asset_id)
        data: dict[str, Any] = {
            "id": asset.id,
            "title": asset.title,
            "file": asset.file_name,
            "state": asset.state.value,
            "error": asset.error,
            "sha256": asset.sha256,
            "size": asset.size,
            "probe": asset.probe,
            "shots": [
                {key: shot.get(key) for key in ("index", "start", "end", "transition", "keyframe")}
                for shot in asset.shots or []
            ],
            "derived": {key: value for key, value in (asset.derived or {}).items() if key != "thumbnails"},
            "text": [
                {
                    "source": seg.source.value,
                    "track": seg.track,
                    "start": seg.start,
                    "end": seg.end,
                    "text": seg.text,
                    "box": seg.box,
                    "confidence": seg.confidence,
                }
                for seg in service.text_segments(session, asset)
            ],
        }
    if json_out:
        emit_json(data)
        return
    typer.echo(f"#{data['id']} {data['title']} · {data['state']}")
    probe: dict[str, Any] = data["probe"] or {}
    for video in probe.get("video", []):
        typer.echo(
            f"  video {video['codec']} {video['width']}x{video['height']} {video['resolution_class']} "
            f"{video['frame_rate']} fps {video['bit_depth']}-bit {video['hdr']}"
        )
    for audio in probe.get("audio", []):
        typer.echo(f"  audio {audio['codec']} {audio['layout']} {audio['sample_rate']} Hz")
    for shot in data["shots"]:
        typer.echo(
            f"  shot {shot['index'] + 1}: {shot['start']:.3f}–{shot['end']:.3f} s ({shot['transition']})"
        )
    for segment in data["text"]:
        typer.echo(
            f"  {segment['source']} [{segment['track']}] {segment['start']:.2f}–{segment['end']:.2f} s: "
            + segment["text"].replace("\n", " / ")
        )
    transcript = data["derived"].get("transcript", {})
    if transcript.get("state") == "off":
        typer.echo(
            "  " + _("Speech-to-text is off: no speech model is configured (setting speech_model_path).")
        )


@media_app.command("subtitles")
def subtitles_command(
    asset_id: Annotated[int, typer.Argument(min=1)],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    language: Annotated[
        str | None, typer.Option("--language", help="The subtitles' language: zh, en, zh-Hant…")
    ] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Import an SRT, ASS/SSA or WebVTT file as a subtitle track of an asset, as the web page does: UTF-8,
    UTF-16, GB18030/GBK or Big5, found by itself; the same file name again replaces that track."""
    from avbase.media import service
    from avbase.media.subtitles import SUBTITLE_MAX_BYTES

    if file.stat().st_size > SUBTITLE_MAX_BYTES:
        raise AvbaseError("The file is larger than {limit} MB.", field="file", limit=SUBTITLE_MAX_BYTES >> 20)
    with session_scope(get_engine()) as session:
        done = service.import_subtitles(
            session, principal_for(session, as_user), asset_id, file, file.name, language=language
        )
    result = {"asset": asset_id, "track": done.track, "cues": done.cues, "encoding": done.encoding,
              "language": done.language}  # fmt: skip
    if json_out:
        emit_json(result)
        return
    typer.echo(
        _("{cues} cues imported into track {track} (encoding {encoding}).").format(
            cues=done.cues, track=done.track, encoding=done.encoding.upper()
        )
    )
