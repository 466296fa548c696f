"""``avbase scripts …``: break a screenplay down into scenes; deposit a script and verify it later."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from avbase.core.i18n import _, label
from avbase.industry.cli import Json
from avbase.kit.output import emit_json, emit_table

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
