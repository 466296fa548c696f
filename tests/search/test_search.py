"""Material search over real indexes and databases: ranking, filters and facets, permissions, the query
language end to end, and the index staying consistent through edits, deletes, restarts and rebuilds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.media.models import Asset, AssetState, TextSegment, TextSource
from avbase.search import service, sync
from avbase.search.models import SearchPending


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A search index of this test's own (the database is the test's own too)."""
    folder = tmp_path / "search"
    monkeypatch.setattr(sync, "search_dir", lambda: folder)
    yield folder


def add_asset(
    db: Session, org: Organisation, title: str, texts: list[tuple[str, float, float, str]] = (),  # type: ignore[assignment]
    **facets: object,
) -> Asset:  # fmt: skip
    asset = Asset(
        org_id=org.id, sha256=hashlib.sha256(title.encode()).hexdigest(), file_name=f"{title}.mp4", size=1,
        state=AssetState.ready, title=title, tags=[], people=[], collections=[], kind="video",
        resolution_class="HD", duration=60.0,
    )  # fmt: skip
    for key, value in facets.items():
        setattr(asset, key, value)
    db.add(asset)
    db.flush()
    for source, start, end, text in texts:
        db.add(
            TextSegment(
                asset_id=asset.id, source=TextSource(source), track=source, start=start, end=end, text=text
            )
        )
    db.commit()
    return asset


def hits(db: Session, user: User, query: str, **filters: object) -> list[tuple[str, str, float | None]]:
    found = service.search(db, Principal.of(user), query, service.SearchFilters(**filters))  # type: ignore[arg-type]
    return [(h.title, h.source, h.start) for h in found.hits]


@pytest.fixture
def library(
    db: Session, clean_engine: Engine, index_dir: Path, make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> dict[str, object]:  # fmt: skip
    studio, other = make_org(), make_org()
    add_asset(db, studio, "西湖夜景航拍", [("ocr", 12.0, 15.0, "杭州西湖 夜景"), ("subtitle", 30.0, 33.5, "The lake at night")],
              tags=["西湖", "航拍"], collections=["城市宣传片"], resolution_class="4K", duration=300.0)  # fmt: skip
    add_asset(db, studio, "马栏山园区宣传片", [("ocr", 2.0, 5.0, "欢迎来到马栏山视频文创园"),
              ("transcript", 40.0, 44.0, "我们在马栏山拍摄了西湖的片段")], tags=["园区"], duration=45.0)  # fmt: skip
    add_asset(db, studio, "剪辑教程", [("transcript", 5.0, 9.0, "editing the films takes time")], kind="audio",
              resolution_class=None, duration=900.0)  # fmt: skip
    add_asset(db, other, "别家的西湖", [("ocr", 1.0, 2.0, "西湖")])
    sync.drain(clean_engine, wait=True)
    return {
        "editor": make_user(role=Role.enterprise_staff, org=studio),
        "outsider": make_user(role=Role.enterprise_staff, org=other),
        "admin": make_user(role=Role.admin),
    }


def test_words_find_the_moment_and_a_title_outranks_speech(db: Session, library: dict[str, User]) -> None:
    editor = library["editor"]
    assert hits(db, editor, "西湖")[0] == ("西湖夜景航拍", "title", None)  # the title weighs most
    found = hits(db, editor, "西湖")
    assert ("西湖夜景航拍", "ocr", 12.0) in found and ("马栏山园区宣传片", "transcript", 40.0) in found
    assert found.index(("西湖夜景航拍", "ocr", 12.0)) < found.index(("马栏山园区宣传片", "transcript", 40.0))
    assert hits(db, editor, "視頻") == [("马栏山园区宣传片", "ocr", 2.0)]  # traditional finds simplified
    assert hits(db, editor, '"lake at night"') == [("西湖夜景航拍", "subtitle", 30.0)]
    assert hits(db, editor, '"night at lake"') == []
    assert hits(db, editor, "edited") == [("剪辑教程", "transcript", 5.0)]  # stemmed
    assert hits(db, editor, "edi*") == [("剪辑教程", "transcript", 5.0)]
    assert {h[0] for h in hits(db, editor, "马栏山 西湖")} == {"马栏山园区宣传片"}  # both words
    assert {h[0] for h in hits(db, editor, "航拍 OR 园区")} == {"西湖夜景航拍", "马栏山园区宣传片"}
    assert "马栏山园区宣传片" not in {h[0] for h in hits(db, editor, "西湖 -马栏山")}


def test_filters_facets_and_snippets(db: Session, library: dict[str, User]) -> None:
    editor = library["editor"]
    assert {h[0] for h in hits(db, editor, "西湖", min_resolution="4K")} == {"西湖夜景航拍"}
    assert {h[0] for h in hits(db, editor, "西湖", min_resolution="HD")} == {
        "西湖夜景航拍",
        "马栏山园区宣传片",
    }
    assert {h[0] for h in hits(db, editor, "西湖", resolution="HD")} == {
        "马栏山园区宣传片"
    }  # a facet: exactly
    assert {h[0] for h in hits(db, editor, "西湖", duration="short")} == {"马栏山园区宣传片"}
    assert {h[0] for h in hits(db, editor, "西湖", collection="城市宣传片")} == {"西湖夜景航拍"}
    assert {h[0] for h in hits(db, editor, "西湖", tag="航拍")} == {"西湖夜景航拍"}
    assert hits(db, editor, "西湖", source="transcript") == [("马栏山园区宣传片", "transcript", 40.0)]
    assert hits(db, editor, "edited", kind="video") == []
    found = service.search(db, Principal.of(editor), "西湖")
    assert found.facets["field"] == {"title": 1, "ocr": 1, "tags": 1, "transcript": 1}
    assert found.facets["resolution"] == {"4K": 3, "HD": 1}
    ocr = next(h for h in found.hits if h.source == "ocr")
    assert str(ocr.snippet) == "杭州<mark>西湖</mark> 夜景"
    escaped = service.highlight("<b>西湖</b>", service.parse("西湖"))  # type: ignore[arg-type]
    assert str(escaped) == "&lt;b&gt;<mark>西湖</mark>&lt;/b&gt;"


def test_users_find_only_what_they_may_see(db: Session, library: dict[str, User]) -> None:
    assert {h[0] for h in hits(db, library["outsider"], "西湖")} == {"别家的西湖"}
    assert "别家的西湖" not in {h[0] for h in hits(db, library["editor"], "西湖")}
    assert "别家的西湖" in {h[0] for h in hits(db, library["admin"], "西湖")}
    outsider = library["outsider"]
    assert (
        hits(db, outsider, "西湖", org_id=library["editor"].org_id) == []
    )  # asking for another org's: nothing


def test_the_index_follows_edits_and_deletes_and_survives_a_restart_and_a_rebuild(
    db: Session, clean_engine: Engine, library: dict[str, User], index_dir: Path
) -> None:
    editor = library["editor"]
    asset = db.scalar(select(Asset).where(Asset.title == "剪辑教程"))
    assert asset is not None
    asset.description = "后期剪辑与调色"
    db.commit()
    assert db.scalar(select(func.count()).select_from(SearchPending)) >= 1  # written with the change
    assert hits(db, editor, "调色") == []  # not yet: a worker catches up when idle
    sync.drain(clean_engine)
    assert hits(db, editor, "调色") == [("剪辑教程", "description", None)]
    db.delete(asset)
    db.commit()
    sync.drain(clean_engine)
    assert hits(db, editor, "edited") == [] and hits(db, editor, "调色") == []
    before = sorted(hits(db, editor, "西湖 OR 马栏山"))
    sync._text_engine.cache_clear()  # a restart: the index is opened again from disk
    sync._shot_index.cache_clear()
    assert sorted(hits(db, editor, "西湖 OR 马栏山")) == before
    assert sync.rebuild(clean_engine) == 3
    assert sorted(hits(db, editor, "西湖 OR 马栏山")) == before
    assert db.scalar(select(func.count()).select_from(SearchPending)) == 0


def picture(seed: int) -> Image.Image:
    """A distinct synthetic scene: coloured shapes on a gradient."""
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 1, 320)[None, :, None] * rng.uniform(60, 200, 3)[None, None, :]
    image = Image.fromarray(np.broadcast_to(base, (180, 320, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = int(rng.integers(0, 280)), int(rng.integers(0, 140))
        draw.ellipse((x, y, x + int(rng.integers(20, 90)), y + int(rng.integers(20, 60))),
                     fill=tuple(int(v) for v in rng.integers(0, 255, 3)))  # fmt: skip
    return image


def test_a_picture_finds_its_shot_and_the_same_picture_elsewhere_is_grouped(
    db: Session, clean_engine: Engine, index_dir: Path, make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    from avbase.core import storage

    studio = make_org()
    editor = make_user(role=Role.enterprise_staff, org=studio)
    stranger = make_user(role=Role.enterprise_staff, org=make_org())
    assets = []
    for title, seeds in (("片A", [1, 2, 3]), ("片B", [4, 5, 2])):  # 片B's third shot is 片A's second picture
        asset = add_asset(db, studio, title, shots=[
            {"index": n, "start": n * 5.0, "end": n * 5.0 + 5, "transition": "cut", "keyframe": n * 5.0 + 2,
             "thumbnail": f"thumbs/{n:09d}.jpg"} for n in range(3)])  # fmt: skip
        for number, seed in enumerate(seeds):
            path = storage.derived_dir(asset.sha256) / f"thumbs/{number:09d}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            picture(seed).save(path, quality=82)
        asset.title = title  # touch it, so it is indexed again now that its thumbnails exist
        db.commit()
        assets.append(asset)
    sync.drain(clean_engine, wait=True)
    # A frame of 片A's first shot, at another size and compression, as someone might grab it.
    query = picture(1).resize((640, 360)).filter(ImageFilter.GaussianBlur(1))
    groups = service.similar_shots(db, Principal.of(editor), query)
    assert (groups[0].best.title, groups[0].best.shot) == ("片A", 0) and groups[0].best.similarity > 0.9
    reused = service.similar_shots(db, Principal.of(editor), picture(2).resize((400, 225)))
    assert {(m.title, m.shot) for m in [reused[0].best, *reused[0].same]} == {
        ("片A", 1),
        ("片B", 2),
    }  # one group
    assert all(g.best.similarity < 0.95 for g in reused[1:])
    assert service.similar_shots(db, Principal.of(stranger), query) == []  # not theirs to see
    around = service.similar_to_shot(db, Principal.of(editor), assets[1].id, 2)
    assert {(around[0].best.title, around[0].best.shot), *((m.title, m.shot) for m in around[0].same)} == {
        ("片A", 1), ("片B", 2)}  # fmt: skip


def test_a_frame_of_a_real_clip_finds_the_shot_it_came_from(corpus: Path, tmp_path: Path) -> None:
    import av

    from avbase.media.stills import analyse_pictures
    from avbase.search.vectors import ShotIndex, describe, key_of, split_key

    result = analyse_pictures(corpus / "bbb_0_30.webm", tmp_path)
    index = ShotIndex(tmp_path / "shots.usearch")
    vectors = {}
    for shot in result["shots"]:  # type: ignore[union-attr]
        with Image.open(tmp_path / shot["thumbnail"]) as still:  # type: ignore[index]
            vectors[key_of(1, shot["index"])] = describe(still)  # type: ignore[index]
    index.replace([1], vectors)
    checked = first = 0
    with av.open(str(corpus / "bbb_0_30.webm")) as container:
        for frame in container.decode(video=0):
            moment = float(frame.time or 0)
            shot = next(s for s in result["shots"] if s["start"] <= moment < s["end"])  # type: ignore[index, union-attr]
            if (
                shot["end"] - shot["start"] < 2
                or moment < 2.0  # the opening fade in from black: no picture to search by yet
                or abs(moment - shot["keyframe"]) < 0.75
                or int(moment * 24) % 48
            ):  # type: ignore[index, operator]
                continue  # every other second, away from the keyframe itself, in shots of 2 s or more
            found = [split_key(key)[1] for key, _ in index.search(describe(frame.to_image()), 3)]
            first += found[0] == shot["index"]  # type: ignore[index]
            assert shot["index"] in found, (moment, shot, found)  # type: ignore[index]
            checked += 1
    # The misses are frames far into a long camera move, closer to the next shot of the same landscape.
    assert checked >= 8 and first >= 0.8 * checked, (first, checked)


def test_an_attached_script_is_searchable_by_paragraph_and_an_outdated_index_is_rebuilt(
    client: TestClient, db: Session, clean_engine: Engine, library: dict[str, User], index_dir: Path,
    api_token: Callable[[User], dict[str, str]],
) -> None:  # fmt: skip
    editor = library["editor"]
    asset = db.scalar(select(Asset).where(Asset.title == "剪辑教程"))
    assert asset is not None
    script = "第一场 日 外 钱塘江\n\n小林：潮水来了！\n".encode()
    attached = client.post(f"/api/v1/media/assets/{asset.id}/documents", files={"file": ("剧本.txt", script)},
                           headers=api_token(editor))  # fmt: skip
    assert attached.status_code == 200 and attached.json() == {"document": "剧本.txt", "paragraphs": 2}
    sync.drain(clean_engine)
    assert hits(db, editor, "潮水") == [("剪辑教程", "document", None)]
    # A release whose index has other fields: the old index is dropped and every asset indexed again.
    (index_dir / "text" / "SCHEMA").write_text("0")
    sync._text_engine.cache_clear()
    assert sync.drain(clean_engine) == 4  # every asset of the database
    assert hits(db, editor, "潮水") == [("剪辑教程", "document", None)]


def test_on_screen_text_misread_by_one_character_is_still_found_below_exact_matches(
    db: Session, clean_engine: Engine, index_dir: Path, make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    studio = make_org()
    add_asset(db, studio, "甲", [("ocr", 1.0, 2.0, "欢迎来到马栏出")])  # OCR read 山 as 出
    add_asset(db, studio, "乙", [("ocr", 1.0, 2.0, "马栏山视频文创园")])
    add_asset(db, studio, "丙", [("subtitle", 1.0, 2.0, "马栏出")])  # subtitles are typed: no tolerance
    sync.drain(clean_engine, wait=True)
    editor = make_user(role=Role.enterprise_staff, org=studio)
    assert [h[0] for h in hits(db, editor, "马栏山")] == ["乙", "甲"]


SUB_WORDS = ["数字人", "主播", "数字", "播报", "新闻", "人主", "研究生", "生命", "文创", "视频文创园", "栏山"]


def test_a_word_inside_a_longer_one_is_found_in_every_source(
    db: Session, clean_engine: Engine, index_dir: Path, make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    """数字人 in 数字人主播 (jieba's dictionary has neither 数字人 nor 主播) and words that cross jieba's cut
    (研究生 in 研究|生命), for captions, subtitles, transcripts and titles alike."""
    studio = make_org()
    text = "数字人主播正在播报新闻：研究生命起源的马栏山视频文创园"
    for number, source in enumerate(("ocr", "subtitle", "transcript")):
        add_asset(db, studio, f"素材{number}", [(source, 10.0 + number, 12.0 + number, text)])
    add_asset(db, studio, text)  # in the title
    # The parts apart (typed text: no tolerance for misreadings, which would find 播出 for 播报)
    add_asset(db, studio, "无关素材", [("subtitle", 1.0, 2.0, "数字电视 人物访谈 主持人 播出 研究")])
    sync.drain(clean_engine, wait=True)
    editor = make_user(role=Role.enterprise_staff, org=studio)
    for word in SUB_WORDS:
        found = hits(db, editor, word)[:10]
        expected = {("素材0", "ocr", 10.0), ("素材1", "subtitle", 11.0), ("素材2", "transcript", 12.0),
                    (text, "title", None)}  # fmt: skip
        assert expected <= set(found), (word, found)
        if word != "数字":  # which also stands in the other text on its own
            assert all(title != "无关素材" for title, _source, _start in found), (word, found)
