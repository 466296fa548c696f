"""The rescan: uploads of other organisations analysed before a work was registered are compared with it
when its asset is indexed, from their stored prints; an upload analysed without prints is fingerprinted
and then watched. The holder sees what was found, the uploader only that its asset matched, a third
organisation nothing; running it again records nothing twice."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from avbase.core import inbox
from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.worker import Worker
from avbase.kit.dates import today
from avbase.media import service as media
from avbase.media.models import Asset
from avbase.rights import tracing, works
from avbase.rights.models import SuspectedCopy
from tests.rights.clips import X264, _wait, iou, run


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.conftest import find_corpus

    corpus = find_corpus()
    if corpus is None:
        pytest.skip("../shared/corpus is not here")
    folder = tmp_path_factory.mktemp("rescan")
    source = str(corpus / "bbb_0_30.webm")
    out = {name: folder / f"{name}.mp4" for name in ("work", "copy", "legacy", "own", "unrelated")}
    low = ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "120k", "-c:a", "aac", "-b:a", "48k"]
    _wait([
        run(["-ss", "6", "-i", source, "-t", "7", "-vf", "scale=480:270", *X264, str(out["work"])]),
        # a re-encoded excerpt at a low bitrate, and a mirrored one
        run(["-ss", "8", "-i", source, "-t", "4", "-vf", "scale=320:180", *low, str(out["copy"])]),
        run(["-ss", "9", "-i", source, "-t", "4", "-vf", "hflip,scale=320:180", *X264, str(out["legacy"])]),
        run(["-ss", "7", "-i", source, "-t", "4", "-vf", "scale=400:224", *X264, str(out["own"])]),
        run(["-i", str(corpus / "person.mp4"), "-t", "3", "-vf", "scale=320:-2", *X264, str(out["unrelated"])]),
    ])  # fmt: skip
    return out


def _rescans(db: Session) -> list[Job]:
    db.expire_all()
    return list(db.scalars(select(Job).where(Job.kind == tracing.RESCAN_JOB).order_by(Job.id)))


# Analyses media (OCR included): once, on SQLite; the services are the same on PostgreSQL.
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_uploads_analysed_before_a_work_is_registered_are_found_by_the_rescan(
    db: Session,
    clean_engine: Engine,
    client: TestClient,
    api_token: Callable[[User], dict[str, str]],
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    clips: dict[str, Path],
) -> None:
    studio = make_org("星河影业")
    holder_user = make_user(role=Role.enterprise_staff, org=studio)
    holder = Principal.of(holder_user)
    platform = make_org("某短视频平台")
    uploader_user = make_user(role=Role.enterprise_staff, org=platform)
    uploader = Principal.of(uploader_user)
    bystander_user = make_user(role=Role.enterprise_staff, org=make_org("某第三方公司"))
    bystander = Principal.of(bystander_user)

    # The platform's uploads (and one of the studio's own) are analysed and watched while no work exists.
    copy, _ = media.ingest(db, uploader, clips["copy"], file_name="热门短剧.mp4", move=False)
    legacy, _ = media.ingest(db, uploader, clips["legacy"], file_name="旧片段.mp4", move=False)
    unrelated, _ = media.ingest(db, uploader, clips["unrelated"], file_name="vlog.mp4", move=False)
    own, _ = media.ingest(db, holder, clips["own"], file_name="花絮.mp4", move=False)
    db.commit()
    Worker(clean_engine).run_until_idle()
    db.expire_all()
    assert db.scalars(select(SuspectedCopy)).all() == []
    assert tracing.prints_folder(copy.sha256).exists()
    # One upload was analysed before the fingerprint step existed: no prints, no note of the step.
    shutil.rmtree(tracing.prints_folder(legacy.sha256))
    old = db.get(Asset, legacy.id)
    assert old is not None
    old.derived = {key: value for key, value in (old.derived or {}).items() if key != "fingerprint"}
    db.commit()

    work, _certificate = works.register(db, holder, works.WorkIn(title="山海之间"), [clips["work"]])
    db.commit()
    Worker(clean_engine).run_until_idle()  # analysis, index, rescan, the legacy upload's print and watch

    [first] = _rescans(db)
    assert first.state == JobState.succeeded and first.progress == 1.0
    assert first.result is not None
    assert first.result["suspected_copies"] == [copy.id]  # found from its stored prints
    assert first.result["compared"] == 2 and first.result["fingerprinting"] == 1  # copy, unrelated; legacy
    found = {row.asset_id: row for row in db.scalars(select(SuspectedCopy))}
    assert set(found) == {copy.id, legacy.id}  # legacy: fingerprinted, then found by the watch
    assert own.id not in found and unrelated.id not in found  # the studio's own upload; other footage
    assert all(row.org_id == platform.id and row.work_id == work.id for row in found.values())
    # The copy is 8–12 s of the source, the work starts at 6 s: 2–6 s of the work, all 4 s of the copy.
    assert iou((found[copy.id].reference_start, found[copy.id].reference_end), (2.0, 6.0)) > 0.6
    assert iou((found[copy.id].query_start, found[copy.id].query_end), (0.0, 4.0)) > 0.6

    holder_items = [i for i in inbox.collect(db, holder, on=today()) if i.domain == "rights"]
    assert sorted(i.link for i in holder_items) == sorted(
        f"/rights/matches/{row.id}" for row in found.values()
    )
    assert all("某短视频平台" in item.title for item in holder_items)
    uploader_items = [i for i in inbox.collect(db, uploader, on=today()) if i.domain == "rights"]
    assert sorted(i.link for i in uploader_items) == sorted(f"/media/{c}" for c in (copy.id, legacy.id))
    assert all("山海之间" not in item.title + item.detail for item in uploader_items)
    assert [i for i in inbox.collect(db, bystander, on=today()) if i.domain == "rights"] == []
    listed = client.get("/api/v1/rights/matches", headers=api_token(holder_user)).json()
    assert sorted(m["asset_id"] for m in listed) == sorted(found)
    for other in (uploader_user, bystander_user):
        assert client.get("/api/v1/rights/matches", headers=api_token(other)).json() == []

    # Again (as when another asset is attached): nothing is recorded twice.
    tracing.queue_rescan(db, work.id, first.payload["asset_id"])
    db.commit()
    Worker(clean_engine).run_until_idle()
    second = _rescans(db)[-1]
    assert second.state == JobState.succeeded and second.result is not None
    assert second.result["suspected_copies"] == []
    assert sorted(second.result["already_known"]) == sorted(found)
    assert second.result["fingerprinting"] == 0  # the legacy upload has its prints now
    assert len(db.scalars(select(SuspectedCopy)).all()) == 2
