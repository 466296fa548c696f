"""REST routes and pages of the rights module, each tried by a user who may and one who may not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.media import service as media
from avbase.rights.models import SuspectedCopy
from tests.conftest import login
from tests.rights.clips import X264, _wait, run


def _clip(tmp_path: Path, name: str, colour: str) -> Path:
    out = tmp_path / name
    _wait([run(["-f", "lavfi", "-i", f"testsrc2=s=160x90:d=2:r=10,hue=h={colour}", *X264, str(out)])])
    return out


def test_register_certificate_listing_offer_licence_over_rest_and_pages(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Callable[[User], dict[str, str]], tmp_path: Path,
) -> None:  # fmt: skip
    holder = make_user(role=Role.enterprise_staff, org=make_org("星河影业"))
    buyer = make_user(role=Role.enterprise_staff, org=make_org("芒果平台"))
    reviewer = make_user(role=Role.reviewer, org=db.get(Organisation, holder.org_id))
    asset, _ = media.ingest(
        db, Principal.of(holder), _clip(tmp_path, "a.mp4", "0"), file_name="a.mp4", move=False
    )
    theirs, _ = media.ingest(
        db, Principal.of(buyer), _clip(tmp_path, "b.mp4", "90"), file_name="b.mp4", move=False
    )
    db.commit()

    body = {"title": "山海之间", "type": "micro_drama", "asset_ids": [asset.id],
            "holders": [{"name": "星河影业", "share": "70"}, {"name": "李明", "share": "30"}]}  # fmt: skip
    assert client.post("/api/v1/rights/works", json=body, headers=api_token(reviewer)).status_code == 403
    stolen = {**body, "asset_ids": [theirs.id]}
    assert client.post("/api/v1/rights/works", json=stolen, headers=api_token(holder)).status_code == 404
    bad_shares = {**body, "holders": [{"name": "A", "share": "70"}]}
    refused = client.post("/api/v1/rights/works", json=bad_shares, headers=api_token(holder))
    assert refused.status_code == 400 and "100" in refused.text
    made = client.post("/api/v1/rights/works", json=body, headers=api_token(holder))
    assert made.status_code == 201, made.text
    work = made.json()
    number = work["certificate"]
    assert client.get(f"/api/v1/rights/works/{work['id']}", headers=api_token(buyer)).status_code == 404
    document = client.get(f"/api/v1/rights/certificates/{number}", headers=api_token(holder)).json()
    assert document["certificate"]["files"][0]["sha256"] == asset.sha256
    assert client.get(f"/api/v1/rights/certificates/{number}", headers=api_token(buyer)).status_code == 404

    listing = client.post("/api/v1/rights/listings", headers=api_token(holder), json={
        "work_id": work["id"], "media_right": "svod", "territory": "CN", "starts_on": "2027-01-01",
        "ends_on": "2027-12-31", "exclusive": True, "price": "500000"})  # fmt: skip
    assert listing.status_code == 201, listing.text
    offer = client.post(f"/api/v1/rights/listings/{listing.json()['id']}/offers", headers=api_token(buyer),
                        json={"price": "450000"})  # fmt: skip
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    assert (
        client.post(f"/api/v1/rights/offers/{offer_id}/accept", headers=api_token(buyer)).status_code == 403
    )

    csrf = login(client, holder.username)
    page = client.get("/rights")
    assert page.status_code == 200 and "山海之间" in page.text
    assert client.get(f"/rights/certificates/{number}.pdf").content.startswith(b"%PDF")
    market = client.get("/rights/market").text
    assert "芒果平台" in market and "450,000.00" in market
    accepted = client.post(
        f"/rights/offers/{offer_id}/accept", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert accepted.status_code == 303
    licences = client.get("/api/v1/rights/licences", headers=api_token(buyer)).json()
    assert [(x["licensee_org_id"], x["price"]) for x in licences] == [(buyer.org_id, "450000.00")]
    assert (
        "许可" in client.get(f"/rights/works/{work['id']}").text
        or "Licence" in client.get(f"/rights/works/{work['id']}").text
    )

    client.post("/logout", data={"csrf_token": csrf})
    login(client, buyer.username)
    assert client.get(f"/rights/works/{work['id']}").status_code == 404
    assert client.get(f"/rights/certificates/{number}.json").status_code == 404


def test_a_suspected_copy_its_player_and_evidence_report_only_for_the_holder(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    tmp_path: Path,
) -> None:  # fmt: skip
    from avbase.rights import works

    holder = make_user(role=Role.enterprise_staff, org=make_org("星河影业"))
    uploader = make_user(role=Role.enterprise_staff, org=make_org("某短视频平台"))
    clip = _clip(tmp_path, "a.mp4", "0")
    work, _certificate = works.register(db, Principal.of(holder), works.WorkIn(title="山海之间"), [clip])
    copy_asset, _ = media.ingest(db, Principal.of(uploader), clip, file_name="搬运.mp4", move=False)
    reference_id = works.asset_ids_of(db, work)[0]
    found = SuspectedCopy(asset_id=copy_asset.id, org_id=uploader.org_id, work_id=work.id,
                          work_org_id=work.org_id, reference_asset_id=reference_id, reference_start=0.2,
                          reference_end=1.8, query_start=0.2, query_end=1.8, score=0.9, modality="video")  # fmt: skip
    db.add(found)
    db.commit()

    login(client, holder.username)
    assert "某短视频平台" in client.get("/rights/matches").text
    page = client.get(f"/rights/matches/{found.id}")
    assert page.status_code == 200 and "side-by-side" in page.text
    report = client.get(f"/rights/matches/{found.id}/evidence.pdf")
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report.content)).pages)
    assert copy_asset.sha256[:16] in text.replace("\n", "")

    client.cookies.clear()
    login(client, uploader.username)
    assert client.get(f"/rights/matches/{found.id}").status_code == 404
    assert client.get(f"/rights/matches/{found.id}/evidence.pdf").status_code == 404
    assert client.get(f"/rights/matches/{found.id}/reference.mp4").status_code == 404
