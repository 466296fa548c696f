"""Demo: the shared corpus clips, each in the library of a demo organisation (analysed by jobs).

Every demo user meets a working library and search: the Zhejiang studio, the Malanshan post-production house
and the creator's company each own some clips (their authorities and parks see them by jurisdiction, the
platform operator sees all). A file not listed goes to the platform operator's own library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
STUDIO = "东阳云网络视听有限公司"
POST_HOUSE = "马栏山云后期制作有限公司"
CREATOR = "滨江云网络视听有限公司"
# Subtitles the demo adds to a corpus clip, so a word of them can be searched for.
SUBTITLES = {"bbb_0_30.webm": Path(__file__).resolve().parent.parent / "demo" / "bbb_0_30.zh.srt"}


@dataclass(frozen=True)
class DemoClip:
    owner: str
    title: str
    tags: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)


LIBRARY = {
    "bbb_0_30.webm": DemoClip(STUDIO, "大雄兔（动画片段）", ["动画", "森林", "兔子"], ["动画样片"]),
    "smpte_1080p.mp4": DemoClip(STUDIO, "SMPTE 彩条测试信号 1080p", ["测试信号"], ["技术测试"]),
    "bottle.mp4": DemoClip(STUDIO, "瓶装生产线实拍", ["实拍", "工厂"], ["纪实素材"]),
    "person.mp4": DemoClip(POST_HOUSE, "街头行人实拍", ["实拍", "人物", "街道"], ["纪实素材"]),
    "fire2.mp4": DemoClip(POST_HOUSE, "火焰特效素材", ["特效", "火"], ["特效素材"]),
    "rain.mp3": DemoClip(POST_HOUSE, "雨声环境音", ["音效", "雨"], ["音效库"]),
    "example_16s.mp4": DemoClip(CREATOR, "创作者样片", ["样片"], ["作品集"]),
    "crunching.mp3": DemoClip(CREATOR, "咀嚼声拟音", ["音效", "拟音"], ["音效库"]),
}


def load(engine: Engine) -> dict[str, int]:
    folder = get_settings().demo_media_dir
    if not folder.is_dir():
        return {"media": 0}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        orgs = {org.name: org for org in session.scalars(select(Organisation))}
        for path in files:
            clip = LIBRARY.get(path.name)
            org = orgs.get(clip.owner if clip else OWNER) or orgs.get(OWNER)
            if org is None:
                continue
            owner = Principal(0, "demo", "demo", Role.admin, org.id, org.name, org.region_code)
            asset, known = service.ingest(session, owner, path, file_name=path.name, move=False)
            if known:
                continue
            if clip is not None:
                asset.title, asset.tags, asset.collections = clip.title, clip.tags, clip.collections
            subtitles = SUBTITLES.get(path.name)
            if subtitles is not None:
                service.import_subtitles(session, owner, asset.id, subtitles, subtitles.name)
    return {"media": total(engine)}


def total(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Asset)) or 0
