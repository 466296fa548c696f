"""``avbase scripts …``: break a screenplay down into scenes; deposit a script and verify it later."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from avbase.core.db import get_engine, session_scope
from avbase.core.i18n import _, label
from avbase.industry.cli import AsUser, Json
from avbase.kit.output import emit_json, emit_table, err_console
from avbase.media.cli import Org, owner

scripts_app = typer.Typer(help="Screenplays: breakdown, deposit and verification.", no_args_is_help=True)
ScriptFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Text, .docx or PDF.")
]


@scripts_app.command("breakdown")
def breakdown_command(file: ScriptFile, json_out: Json = False) -> None:
    """Break a screenplay down into scenes: number, time of day, interior/exterior, location, characters."""
    from avbase.chain.scripts.breakdown import breakdown_file

    result = breakdown_file(file)
    if json_out:
        emit_json(result.as_dict())
        return
    emit_table(
        _("Scenes ({count}, {pages} pages)", count=len(result.scenes), pages=result.as_dict()["pages"]),
        [_("Scene"), _("Time"), _("Int/Ext"), _("Location"), _("Pages"), _("Characters")],
        [
            (
                scene.number,
                label(scene.time) if scene.time else "",
                label(scene.setting) if scene.setting else "",
                scene.location,
                scene.pages,
                "、".join(scene.characters),
            )
            for scene in result.scenes
        ],
    )


@scripts_app.command("register")
def register_command(
    file: ScriptFile,
    title: Annotated[str, typer.Option("--title", help="The script's title.")],
    genre: Annotated[str | None, typer.Option(help="Genre, e.g. 悬疑, 都市, 农村.")] = None,
    logline: Annotated[str | None, typer.Option(help="One sentence, public.")] = None,
    literary: Annotated[
        bool, typer.Option("--literary", help="A literary work proposed for adaptation.")
    ] = False,
    org: Org = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Deposit a script: stored by content, its SHA-256 and time certified by the rights registry."""
    from avbase.chain.scripts import service
    from avbase.chain.scripts.models import WorkKind

    with session_scope(get_engine()) as session:
        principal = owner(session, as_user, org)
        script, certificate = service.deposit(
            session, principal, file, title=title, genre=genre, logline=logline,
            kind=WorkKind.literary if literary else WorkKind.script,
        )  # fmt: skip
        shown = {
            "id": script.id, "title": script.title, "file_name": script.file_name, "sha256": script.sha256,
            "size": script.size, "deposited_at": script.deposited_at, "author": script.author_name,
            "certificate_number": script.certificate_number, "certificate": certificate,
        }  # fmt: skip
    if json_out:
        emit_json(shown)
    else:
        typer.echo(_("Script {id} deposited: SHA-256 {sha256}.", id=shown["id"], sha256=shown["sha256"]))


@scripts_app.command("verify")
def verify_command(
    file: ScriptFile,
    script_id: Annotated[int, typer.Option("--id", help="The deposited script's id.")],
    json_out: Json = False,
) -> None:
    """Whether FILE is the deposited script: exit 0 when unchanged, 3 when it differs."""
    from avbase.chain.scripts import service

    with session_scope(get_engine()) as session:
        same, script, sha256 = service.verify_file(session, script_id, file)
        shown = {
            "id": script.id, "unchanged": same, "sha256": sha256, "deposited_sha256": script.sha256,
            "deposited_at": script.deposited_at, "certificate_number": script.certificate_number,
        }  # fmt: skip
    if json_out:
        emit_json(shown)
    elif same:
        typer.echo(_("Unchanged: the file is the script deposited on {at}.", at=shown["deposited_at"]))
    else:
        err_console.print(_("The file differs from the deposited script."))
    if not same:
        raise typer.Exit(code=3)
