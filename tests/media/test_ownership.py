"""Who may change an asset, and what a cancelled analysis leaves behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.service import cancel_job
from avbase.core.jobs.worker import Worker
from avbase.media import service
from avbase.media.models import Asset, AssetState
from tests.conftest import login
from tests.media.synthetic import hevc_clip

Tokens = Callable[[User], dict[str, str]]


def test_oversight_reads_an_asset_but_only_its_own_organisation_changes_it(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Tokens, tmp_path: Path,
) -> None:  # fmt: skip
    authority = make_org("浙江省广电局", kind=OrgKind.authority, region_code="330000")
    park = make_org("横店园区", kind=OrgKind.park_operator, region_code="330783")
    studio = make_org("影视公司", region_code="330783", managed_by=park)
    owner = make_user(role=Role.enterprise_staff, org=studio)
    officer = make_user(role=Role.authority_officer, org=authority)
    operator = make_user(role=Role.park_operator, org=park)
    admin = make_user(role=Role.admin, org=make_org("平台", kind=OrgKind.other))
    clip = hevc_clip(tmp_path / "hlg.mp4", transfer="arib-std-b67")
    asset, _ = service.ingest(db, Principal.of(owner), clip, file_name="片花.mp4", move=False)
    db.commit()
    url = f"/api/v1/media/assets/{asset.id}"
    srt = b"1\n00:00:00,000 --> 00:00:01,000\nhello\n"
    for overseer in (officer, operator):
        headers = api_token(overseer)
        assert client.get(url, headers=headers).status_code == 200  # oversight reads
        assert client.patch(url, json={"title": "改"}, headers=headers).status_code == 403
        assert (
            client.post(f"{url}/subtitles", files={"file": ("a.srt", srt)}, headers=headers).status_code
            == 403
        )
        assert client.post(f"{url}/analyse", headers=headers).status_code == 403
        assert client.delete(url, headers=headers).status_code == 403
    page = client.get(f"/media/{asset.id}", headers=api_token(officer)).text
    assert 'id="metadata-form"' not in page and "delete-asset" not in page and 'id="description"' in page
    assert client.patch(url, json={"title": "新标题"}, headers=api_token(owner)).status_code == 200
    assert client.patch(url, json={"tags": ["平台"]}, headers=api_token(admin)).status_code == 200
    login(client, owner.username)
    assert 'id="metadata-form"' in client.get(f"/media/{asset.id}").text


def test_a_cancelled_analysis_leaves_the_asset_cancelled_and_it_can_be_analysed_again(
    client: TestClient, clean_engine: Engine, db: Session, make_user: Callable[..., User], api_token: Tokens,
    tmp_path: Path,
) -> None:  # fmt: skip
    owner = make_user(role=Role.enterprise_staff)
    principal = Principal.of(owner)
    queued, _ = service.ingest(
        db, principal, hevc_clip(tmp_path / "a.mp4", transfer="arib-std-b67"), file_name="a.mp4", move=False
    )
    running, _ = service.ingest(
        db, principal, hevc_clip(tmp_path / "b.mp4", transfer="smpte2084"), file_name="b.mp4", move=False
    )
    db.commit()
    assert queued.job_id is not None and running.job_id is not None

    # Cancelled while queued: at once.
    cancel_job(db, principal, queued.job_id)
    db.commit()
    # Cancelled while running: at the job's next progress report.
    worker = Worker(clean_engine)
    claimed = worker.claim(running.job_id)
    assert claimed is not None
    cancel_job(db, principal, running.job_id)
    db.commit()
    worker._run(claimed)

    db.expire_all()
    for asset_id, job_id in ((queued.id, queued.job_id), (running.id, running.job_id)):
        asset, job = db.get(Asset, asset_id), db.get(Job, job_id)
        assert asset is not None and job is not None
        assert (job.state, asset.state) == (JobState.cancelled, AssetState.cancelled)

    first_job = queued.job_id
    login(client, owner.username)
    page = client.get(f"/media/{queued.id}").text
    assert 'data-testid="analyse-again"' in page
    again = client.post(f"/api/v1/media/assets/{queued.id}/analyse", headers=api_token(owner))
    assert again.status_code == 202 and again.json()["state"] == "queued"
    assert (
        client.post(f"/api/v1/media/assets/{queued.id}/analyse", headers=api_token(owner)).status_code == 409
    )
    worker.run_until_idle()
    db.expire_all()
    done = db.get(Asset, queued.id)
    assert done is not None and done.state is AssetState.ready and done.job_id != first_job
