"""The shared resource catalogue: publishing with versions, on-request access, audited downloads, DCAT."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.errors import Conflict, Forbidden
from avbase.ecosystem import resources
from avbase.ecosystem.models import RequestState
from tests.conftest import login


def a_file(folder: Path, name: str, body: bytes) -> Path:
    path = folder / name
    path.write_bytes(body)
    return path


def test_an_on_request_dataset_is_downloaded_only_after_approval_and_each_download_is_audited(
    db: Session, tmp_path: Path, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    studio = make_org("芒果超媒")
    owner = Principal.of(make_user(org=studio))
    reader, colleague = Principal.of(make_user(role=Role.creator)), Principal.of(make_user(org=studio))
    dataset = resources.publish(
        db, owner, kind="dataset", title="湘剧镜头分割数据集", description="1,000 clips with cuts",
        licence="CC-BY-NC-4.0", access="on_request", keywords=["镜头", " shots ", ""],
    )  # fmt: skip
    version = resources.add_version(
        db, owner, dataset.id, version="1.0", files=[(a_file(tmp_path, "cuts.json", b"{}"), "cuts.json")]
    )
    db.commit()
    assert dataset.keywords == ["镜头", "shots"] and version.files[0].size == 2
    file_id = version.files[0].id
    with pytest.raises(Forbidden):
        resources.download(db, reader, file_id)
    with pytest.raises(Forbidden):
        resources.add_version(db, reader, dataset.id, version="2.0", files=[])
    asked = resources.request_access(db, reader, dataset.id, purpose="训练镜头检测模型")
    with pytest.raises(Conflict):
        resources.request_access(db, reader, dataset.id, purpose="again")
    assert [r.id for r in resources.pending_requests(db, owner, dataset)] == [asked.id]
    from avbase.core import inbox
    from avbase.kit.dates import today

    waiting = [i for i in inbox.collect(db, owner, on=today()) if i.kind == "ecosystem.access_request"]
    assert [i.link for i in waiting] == [f"/ecosystem/resources/{dataset.id}"]
    assert not [i for i in inbox.collect(db, reader, on=today()) if i.kind == "ecosystem.access_request"]
    assert resources.pending_requests(db, reader, dataset) == []
    with pytest.raises(Forbidden):
        resources.decide(db, reader, asked.id, approve=True)
    resources.decide(db, colleague, asked.id, approve=True)  # the publishing organisation's staff decide
    db.commit()
    assert asked.state is RequestState.approved
    sent = resources.download(db, reader, file_id)
    db.commit()
    assert sent.path.read_bytes() == b"{}" and sent.name == "cuts.json"
    assert dataset.downloads == 1
    logged = db.scalars(select(AuditEntry).where(AuditEntry.action == "download")).all()
    assert [(e.actor_name, e.entity_id, e.after["resource"]) for e in logged] == [
        ("system", str(file_id), dataset.id)
    ]
    with pytest.raises(Conflict):
        resources.add_version(db, owner, dataset.id, version="1.0", files=[])


def test_ratings_exclude_the_publisher_and_average(db: Session, make_user: Callable[..., User]) -> None:
    owner = Principal.of(make_user())
    model = resources.publish(
        db, owner, kind="model", title="8K 超分模型", description="", licence="Apache-2.0"
    )
    with pytest.raises(Conflict):
        resources.rate(db, owner, model.id, 5)
    resources.rate(db, Principal.of(make_user()), model.id, 4)
    rater = Principal.of(make_user())
    resources.rate(db, rater, model.id, 1)
    resources.rate(db, rater, model.id, 5)  # a second rating replaces the first
    assert resources.rating_of(db, model.id) == (4.5, 2)


def test_the_dcat_export_lists_datasets_and_services_with_distributions(
    db: Session, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    owner = Principal.of(make_user())
    dataset = resources.publish(
        db, owner, kind="dataset", title="方言语音集", description="d", licence="CC-BY-4.0"
    )
    resources.add_version(
        db, owner, dataset.id, version="2024", files=[(a_file(tmp_path, "a.wav", b"RIFF"), "a.wav")]
    )
    resources.publish(db, owner, kind="platform", title="马栏山云渲染平台", description="p", licence="商业许可",
                      landing_url="https://render.example.cn")  # fmt: skip
    catalogue = resources.dcat_catalogue(db, "http://avbase.test")
    assert catalogue["@type"] == "dcat:Catalog"
    [data] = catalogue["dcat:dataset"]
    assert data["dct:title"] == "方言语音集" and data["dct:license"] == "CC-BY-4.0"
    [distribution] = data["dcat:distribution"]
    assert distribution["dcat:mediaType"] == "audio/x-wav" and distribution["dct:hasVersion"] == "2024"
    assert distribution["dcat:downloadURL"].startswith("http://avbase.test/ecosystem/files/")
    [service] = catalogue["dcat:service"]
    assert service["dcat:endpointURL"] == "https://render.example.cn"


def test_pages_publish_request_and_download(client: TestClient, make_user: Callable[..., User]) -> None:
    owner, reader = make_user("owner"), make_user("reader", role=Role.creator)
    csrf = login(client, owner.username)
    form = {"csrf_token": csrf, "kind": "dataset", "title": "字幕语料", "licence": "CC-BY-4.0", "access": "on_request",
            "version": "1.0"}  # fmt: skip
    made = client.post(
        "/ecosystem/resources",
        data=form,
        files={"file": ("c.srt", b"1\n", "text/plain")},
        follow_redirects=False,
    )
    assert made.status_code == 303
    path = made.headers["location"]
    missing = client.post("/ecosystem/resources", data={**form, "licence": ""})
    assert missing.status_code == 400 and 'id="e-licence"' in missing.text
    file_link = client.get(path).text.split('href="/ecosystem/files/')[1].split('"')[0]
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, reader.username)
    assert client.get(f"/ecosystem/files/{file_link}").status_code == 403
    client.post(f"{path}/request", data={"csrf_token": csrf, "purpose": "研究"})
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, owner.username)
    page = client.get(path).text
    request_id = page.split('action="/ecosystem/requests/')[1].split("/")[0]
    client.post(f"/ecosystem/requests/{request_id}/decide", data={"csrf_token": csrf, "decision": "approve"})
    client.post("/logout", data={"csrf_token": csrf})
    login(client, reader.username)
    got = client.get(f"/ecosystem/files/{file_link}")
    assert got.status_code == 200 and got.content == b"1\n"
    dcat = client.get("/ecosystem/resources.jsonld")
    assert dcat.headers["content-type"].startswith("application/ld+json") and "字幕语料" in dcat.text


def test_a_library_asset_is_shared_as_a_content_pack_by_its_own_organisation(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    from avbase.core import storage
    from avbase.media.models import Asset

    studio = make_org()
    staff = Principal.of(make_user(org=studio))
    body = b"not really a video"
    path = storage.path_of("ab" * 32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    asset = Asset(org_id=studio.id, sha256="ab" * 32, file_name="洞庭湖航拍.mp4", size=len(body), title="洞庭湖航拍",
                  tags=["航拍", "湖南"])  # fmt: skip
    db.add(asset)
    db.commit()
    with pytest.raises(Forbidden):
        resources.publish_media_asset(
            db, Principal.of(make_user(role=Role.creator, org=studio)), asset.id, licence="CC0"
        )
    shared = resources.publish_media_asset(db, staff, asset.id, licence="CC-BY-NC-4.0")
    assert (shared.kind.value, shared.title, shared.keywords, shared.media_asset_id) == (
        "content_pack", "洞庭湖航拍", ["航拍", "湖南"], asset.id,
    )  # fmt: skip
    [version] = shared.versions
    assert version.files[0].sha256 == asset.sha256 and version.files[0].media_type == "video/mp4"
    assert resources.download(db, Principal.of(make_user()), version.files[0].id).path.read_bytes() == body
