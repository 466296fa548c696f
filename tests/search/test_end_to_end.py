"""From a clip with captions burned in to the moment they appear: the analysis job, the index kept in step
by the worker, the search page, the REST API and the CLI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.jobs.worker import Worker
from avbase.media import service as media
from avbase.search import service, sync
from tests.conftest import init_with_studio, login, run_cli
from tests.media.test_analysis import CAPTIONS, CJK_FONT, need_tool


def burn_captions(source: Path, target: Path) -> Path:
    drawtext = ",".join(
        f"drawtext=fontfile={CJK_FONT}:text='{text}':fontsize=36:fontcolor=white:borderw=3:bordercolor=black:"
        f"x=(w-text_w)/2:y=h-80:enable='between(t,{start},{end})'"
        for text, start, end in CAPTIONS
    )
    subprocess.run(
        [need_tool("ffmpeg"), "-v", "error", "-ss", "5", "-t", "9", "-i", str(source), "-vf", drawtext,
         "-c:v", "libx264", "-preset", "veryfast", str(target)],
        check=True,
    )  # fmt: skip
    return target


def test_a_burned_in_caption_is_found_at_its_moment_on_the_page_and_over_rest(
    client: TestClient, db: Session, clean_engine: Engine, make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]], corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(sync, "search_dir", lambda: tmp_path / "search")
    editor = make_user(role=Role.enterprise_staff)
    clip = burn_captions(corpus / "bottle.mp4", tmp_path / "宣传片.mp4")
    asset, _ = media.ingest(db, Principal.of(editor), clip, file_name="宣传片.mp4", move=False)
    db.commit()
    Worker(clean_engine).run_until_idle()  # analyses, then (idle) brings the index up to date

    for query, (_text, start, end) in zip(("马栏山", "高质量发展", "hello avbase"), CAPTIONS, strict=True):
        found = service.search(db, Principal.of(editor), query).hits
        caption = next(h for h in found if h.source == "ocr")
        assert caption.asset_id == asset.id and caption.start is not None and caption.end is not None
        assert abs(caption.start - start) <= 1.0 and abs(caption.end - end) <= 1.0, (query, caption)

    login(client, editor.username)
    page = client.get("/search", params={"q": "马栏山"}).text
    assert f"/media/{asset.id}?t=" in page and "<mark>马栏山</mark>" in page
    api = client.get(
        "/api/v1/search", params={"q": "高质量发展", "field": "ocr"}, headers=api_token(editor)
    ).json()
    assert api["total"] == 1 and api["hits"][0]["link"].startswith(f"/media/{asset.id}?t=")
    assert api["hits"][0]["thumbnail"].startswith(f"/api/v1/media/assets/{asset.id}/files/thumbs/")
    assert client.get(api["hits"][0]["thumbnail"], headers=api_token(editor)).status_code == 200
    refused = client.post("/api/v1/search/image", files={"file": ("x.jpg", b"not a picture")},
                          headers=api_token(editor))  # fmt: skip
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "file"


def test_the_cli_searches_words_and_pictures_and_rebuilds_the_index(corpus: Path, tmp_path: Path) -> None:
    import av

    def avbase(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(tmp_path / "var", *args)

    init_with_studio(tmp_path / "var")
    added = avbase(
        "user",
        "add",
        "cutter",
        "--role",
        "enterprise_staff",
        "--org",
        "Studio",
        "--password",
        "long-enough-1",
    )
    assert added.returncode == 0, added.stderr
    ingested = avbase(
        "media", "ingest", str(corpus / "example_16s.mp4"), "--as", "cutter", "--wait", "--json"
    )
    assert ingested.returncode == 0, ingested.stderr
    words = json.loads(avbase("search", "1024 fps", "--as", "cutter", "--json").stdout)
    assert words["total"] >= 1 and words["hits"][0]["field"] == "ocr" and words["hits"][0]["start"] == 0
    with av.open(str(corpus / "example_16s.mp4")) as container:
        frame = next(f for f in container.decode(video=0) if (f.time or 0) >= 8)
        frame.to_image().save(tmp_path / "frame.jpg")
    shots = json.loads(
        avbase("search", "--image", str(tmp_path / "frame.jpg"), "--as", "cutter", "--json").stdout
    )
    assert shots[0]["title"] == "example_16s" and shots[0]["similarity"] > 0.8
    rebuilt = avbase("search", "reindex", "--json")
    assert rebuilt.returncode == 0 and json.loads(rebuilt.stdout)["assets"] == 1
    bad = avbase("search", "--as", "cutter")
    assert bad.returncode == 2 and "--image" in bad.stderr
