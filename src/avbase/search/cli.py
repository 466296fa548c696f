"""``avbase search …``: moments by words, shots by a picture; ``avbase search reindex`` rebuilds the index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from PIL import Image, UnidentifiedImageError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from avbase.core.db import get_engine, session_scope
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.industry.cli import AsUser, Json, principal_for
from avbase.kit.output import emit_json, emit_table, err_console
from avbase.kit.timecode import timecode
from avbase.search import service, sync


def search_command(
    query: Annotated[
        str | None, typer.Argument(help='Words, "a phrase", -without, prefix*; or: reindex')
    ] = None,
    image: Annotated[
        Path | None, typer.Option("--image", help="Find shots that look like this picture.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--type", help="video or audio")] = None,
    min_res: Annotated[
        str | None, typer.Option("--min-res", help="SD, HD, FHD, 4K or 8K: at least this")
    ] = None,
    field: Annotated[
        str | None, typer.Option(help="Only text found here: title, ocr, subtitle, transcript…")
    ] = None,
    sort: Annotated[str, typer.Option(help="relevance, date or duration")] = "relevance",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Find the moments where words appear, or the shots that look like a picture."""
    if query == "reindex" and image is None:
        _reindex(json_out)
        return
    if (query is None) == (image is None):
        raise AvbaseError("Give words to look for, or --image FILE.", field="query")
    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        if image is not None:
            try:
                with Image.open(image) as picture:
                    groups = service.similar_shots(session, principal, picture.convert("RGB"), limit)
            except (UnidentifiedImageError, OSError) as exc:
                raise AvbaseError("The file is not a picture (JPEG, PNG or WebP).", field="image") from exc
            _print_groups(groups, json_out)
            return
        if min_res and min_res not in service.RESOLUTIONS:
            raise AvbaseError(
                "Must be one of: {expected}.", field="min-res", expected=", ".join(service.RESOLUTIONS)
            )
        filters = service.SearchFilters(kind=kind, min_resolution=min_res, source=field)
        found = service.search(session, principal, query or "", filters, sort=sort, per_page=limit)
    rows: list[dict[str, Any]] = [
        {
            "asset_id": h.asset_id,
            "title": h.title,
            "field": h.source,
            "start": h.start,
            "end": h.end,
            "score": h.score,
            "snippet": h.snippet.striptags(),
        }
        for h in found.hits
    ]
    if json_out:
        emit_json({"total": found.total, "hits": rows})
        return
    emit_table(
        _("{n} matches", n=found.total),
        [_("Asset"), _("Title"), _("Found in"), _("Time"), _("Score"), _("Text")],
        [
            [
                r["asset_id"],
                r["title"],
                r["field"],
                f"{timecode(r['start'])}–{timecode(r['end'])}" if r["start"] is not None else "—",
                f"{r['score']:.2f}",
                r["snippet"],
            ]
            for r in rows
        ],
    )


def _print_groups(groups: list[service.ShotGroup], json_out: bool) -> None:
    def shot(match: service.ShotMatch) -> dict[str, Any]:
        return {
            "asset_id": match.asset_id,
            "title": match.title,
            "shot": match.shot,
            "start": match.start,
            "end": match.end,
            "similarity": match.similarity,
        }

    if json_out:
        emit_json([{**shot(g.best), "same": [shot(m) for m in g.same]} for g in groups])
        return
    emit_table(
        _("Similar shots"),
        [_("Asset"), _("Title"), _("Shot"), _("Time"), _("Similarity"), _("Same picture")],
        [
            [
                g.best.asset_id,
                g.best.title,
                g.best.shot + 1,
                timecode(g.best.start),
                f"{g.best.similarity:.3f}",
                len(g.same),
            ]
            for g in groups
        ],
    )


def _reindex(json_out: bool) -> None:
    with Progress(
        TextColumn(_("Indexing")), BarColumn(), MofNCompleteColumn(), console=err_console
    ) as progress:
        task = progress.add_task("", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        count = sync.rebuild(get_engine(), report)
    if json_out:
        emit_json({"assets": count, "documents": sync.text_engine().count()})
    else:
        typer.echo(_("Indexed {count} assets.", count=count))
