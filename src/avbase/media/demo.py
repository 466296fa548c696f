"""Demo: the shared corpus clips, added to the platform operator's library (analysed by jobs)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select

from avbase.core.accounts.models import Organisation, Role
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.media import service
from avbase.media.models import Asset
from avbase.settings import get_settings

OWNER = "avbase 平台运营中心"
# Subtitles the demo adds to a corpus clip, so a word of them can be searched for.
SUBTITLES = {"bbb_0_30.webm": Path(__file__).resolve().parent.parent / "demo" / "bbb_0_30.zh.srt"}


def load(engine: Engine) -> dict[str, int]:
    folder = get_settings().demo_media_dir
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        org = session.scalar(select(Organisation).where(Organisation.name == OWNER))
        if org is not None and folder.is_dir():
            operator = Principal(0, "demo", "demo", Role.admin, org.id, org.name, org.region_code)
            files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
            for path in files:
                asset, known = service.ingest(session, operator, path, file_name=path.name, move=False)
                subtitles = SUBTITLES.get(path.name)
                if subtitles is not None and not known:
                    service.import_subtitles(session, operator, asset.id, subtitles, subtitles.name)
        return {"media": session.scalar(select(func.count()).select_from(Asset)) or 0}
