"""The review API: reports and decisions for those who may see the asset, term packs and profiles for
those who may manage them; refused otherwise. Reports are made from a QC result without decoding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.audit import AuditEntry
from avbase.media.models import Asset, AssetState, TextSegment, TextSource
from avbase.review import qc, service
from avbase.review.loudness import Loudness
from avbase.review.profiles import BUILTIN
from tests.conftest import csrf_from, login

Tokens = Callable[[User], dict[str, str]]
LOUD = Loudness(-18.2, 6.0, -12.0, -15.0, -0.5, -0.6, 3.2)


def _asset(db: Session, org: Organisation) -> Asset:
    asset = Asset(org_id=org.id, sha256="ab" * 32, file_name="片.mp4", size=1, title="片", kind="video",
                  duration=30.0, state=AssetState.ready, tags=["网上赌博"], people=[], collections=[])  # fmt: skip
    db.add(asset)
    db.flush()
    db.add(TextSegment(asset_id=asset.id, source=TextSource.subtitle, track="zh.srt", start=27.0, end=29.0,
                       text="這裡可以網上賭博"))  # fmt: skip
    db.add(TextSegment(asset_id=asset.id, source=TextSource.ocr, track="ocr", start=3.0, end=5.0,
                       text="前方路口交通管制"))  # fmt: skip
    return asset


def _report(db: Session, asset: Asset) -> int:
    findings = [
        qc.Finding("loudness", 0.0, 30.0, -18.2, -24.0, "error", "±2 LU"),
        qc.Finding("black", 4.0, 6.4, 2.4, 2.0, "error"),
    ]
    row = service.store_report(db, asset, BUILTIN["gy-t-282"], qc.Report(30.0, LOUD, findings))
    db.commit()
    return row.id


def test_pack_loading_matching_reports_and_decisions(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Tokens,
) -> None:  # fmt: skip
    studio = make_org("影视公司")
    owner = make_user(role=Role.enterprise_staff, org=studio)
    reviewer = make_user(role=Role.reviewer, org=studio)  # the studio's own 审核 desk
    stranger = make_user(role=Role.enterprise_staff)
    officer = make_user(role=Role.authority_officer, org=make_org("广电局", kind=OrgKind.authority,
                                                                   region_code="330000"))  # fmt: skip
    # loading packs: reviewers and stewards yes, enterprise staff no; a bad line is named
    pack = "赌博,涉赌,high\n口交,低俗,high\n".encode()
    refused = client.post("/api/v1/review/packs", data={"name": "基础"}, files={"file": ("p.txt", pack)},
                          headers=api_token(owner))  # fmt: skip
    assert refused.status_code == 403
    bad = client.post("/api/v1/review/packs", data={"name": "基础"},
                      files={"file": ("p.txt", "赌博\n博彩,涉赌,urgent\n".encode())}, headers=api_token(officer))  # fmt: skip
    assert bad.status_code == 400 and "2" in bad.text
    loaded = client.post("/api/v1/review/packs", data={"name": "基础"},
                         files={"file": ("p.txt", pack), "whitelist": ("w.txt", "路口交通\n".encode())},
                         headers=api_token(reviewer))  # fmt: skip
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["version"] == 1 and loaded.json()["terms"] == 2 and loaded.json()["whitelist"] == 1
    again = client.post("/api/v1/review/packs", data={"name": "基础"}, files={"file": ("p2.txt", pack + b"\xe5\x8d\x9a\xe5\xbd\xa9\n")},
                        headers=api_token(reviewer))  # fmt: skip
    assert again.json()["version"] == 2 and again.json()["whitelist"] == 1  # the whitelist stays
    assert (
        db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "review_term_pack_versions")) is not None
    )

    asset = _asset(db, studio)
    report_id = _report(db, asset)
    url = f"/api/v1/review/assets/{asset.id}/reports"
    assert client.get(url, headers=api_token(stranger)).status_code == 404
    shown = client.get(url, headers=api_token(owner))
    assert shown.status_code == 200
    (report,) = shown.json()
    assert report["verdict"] == "fail" and report["packs"] == ["基础 v2"]
    terms = [f for f in report["findings"] if f["kind"] == "term"]
    assert [(f["source"], f["term"], f["start"], f["end"]) for f in terms] == [
        ("metadata", "赌博", 0.0, 0.0),
        ("subtitle", "赌博", 27.0, 29.0),
    ]  # 路口交通 is whitelisted
    black = next(f for f in report["findings"] if f["kind"] == "black")
    # numbers stay numbers; each names its unit
    assert (black["value"], black["limit"], black["unit"]) == (2.4, 2.0, "s")
    assert {f["unit"] for f in terms} == {""} and report["units"]["start"] == "s"
    assert next(f for f in report["findings"] if f["kind"] == "loudness")["unit"] == "LUFS"
    assert report["loudness"]["true_peak_at_s"] == 3.2 and report["loudness"]["lra_lu"] == 6.0

    # decisions: a reviewer may, the owner may not; a false positive needs a note
    decision = f"/api/v1/review/findings/{black['id']}/decision"
    assert client.post(decision, json={"status": "accepted"}, headers=api_token(owner)).status_code == 403
    assert (
        client.post(decision, json={"status": "false_positive"}, headers=api_token(reviewer)).status_code
        == 400
    )
    done = client.post(
        decision, json={"status": "false_positive", "note": "片头黑场"}, headers=api_token(reviewer)
    )
    assert done.status_code == 200 and done.json()["status"] == "false_positive"
    # the note stays with the asset: a new report of the same profile carries it over
    new_id = _report(db, asset)
    carried = client.get(f"/api/v1/review/reports/{new_id}", headers=api_token(owner)).json()
    assert next(f for f in carried["findings"] if f["kind"] == "black")["note"] == "片头黑场"
    assert client.get(f"/api/v1/review/reports/{report_id}", headers=api_token(stranger)).status_code == 404

    queue = client.get("/api/v1/review/queue", headers=api_token(owner)).json()
    assert [row["report"] for row in queue] == [new_id]
    assert client.get("/api/v1/review/queue", headers=api_token(stranger)).json() == []


def test_profiles_builtin_and_operator(
    client: TestClient, make_user: Callable[..., User], make_org: Callable[..., Organisation], api_token: Tokens,
) -> None:  # fmt: skip
    officer = make_user(
        role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000")
    )
    staff = make_user(role=Role.enterprise_staff)
    keys = [p["key"] for p in client.get("/api/v1/review/profiles", headers=api_token(staff)).json()]
    assert keys == ["gy-t-282", "ebu-r128", "atsc-a85"]
    platform = {"key": "platform-x", "name": "某平台", "source": "平台上传规范 2025", "integrated_lufs": -16.0,
                "tolerance_lu": 1.0, "true_peak_max_dbtp": -1.0, "short_term_max_lufs": -10.0}  # fmt: skip
    assert client.post("/api/v1/review/profiles?scope=operator", json=platform,
                       headers=api_token(staff)).status_code == 403  # fmt: skip
    assert client.post("/api/v1/review/profiles", json={**platform, "key": "ebu-r128"},
                       headers=api_token(officer)).status_code == 409  # fmt: skip
    bad = client.post("/api/v1/review/profiles", json={**platform, "loudness": 1}, headers=api_token(officer))
    assert bad.status_code == 400 and "loudness" in bad.text
    assert (
        client.post("/api/v1/review/profiles", json=platform, headers=api_token(officer)).status_code == 201
    )
    keys = [p["key"] for p in client.get("/api/v1/review/profiles", headers=api_token(staff)).json()]
    assert keys[-1] == "platform-x"


def test_an_organisation_adds_its_own_profile_seen_and_used_by_its_members_only(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Tokens,
) -> None:  # fmt: skip
    studio, other = make_org("影视公司"), make_org("别家公司")
    staff, colleague = (
        make_user(role=Role.enterprise_staff, org=studio),
        make_user(role=Role.reviewer, org=studio),
    )
    stranger = make_user(role=Role.enterprise_staff, org=other)
    admin = make_user(role=Role.admin)
    officer = make_user(
        role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000")
    )
    douyin = {"key": "studio-short", "name": "本公司短视频交付", "source": "本公司 2026 交付规范",
              "integrated_lufs": -14.0, "tolerance_lu": 1.0, "true_peak_max_dbtp": -1.0}  # fmt: skip
    # a read-only member does not add one; a member who may change the organisation's data does
    assert (
        client.post("/api/v1/review/profiles", json=douyin, headers=api_token(colleague)).status_code == 403
    )
    added = client.post("/api/v1/review/profiles", json=douyin, headers=api_token(staff))
    assert added.status_code == 201 and added.json()["org_id"] == studio.id
    assert db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "review_profiles")) is not None

    def keys(user: User) -> list[str]:
        return [p["key"] for p in client.get("/api/v1/review/profiles", headers=api_token(user)).json()]

    assert (
        keys(staff)[-1] == "studio-short"
        and keys(colleague)[-1] == "studio-short"
        and "studio-short" in keys(admin)
    )
    assert "studio-short" not in keys(stranger) and "studio-short" not in keys(officer)
    # the other organisation cannot take the key, replace the profile or check with it
    taken = client.post(
        "/api/v1/review/profiles", json={**douyin, "name": "抢注"}, headers=api_token(stranger)
    )
    assert taken.status_code == 409
    asset = _asset(db, studio)
    theirs = _asset(db, other)
    theirs.sha256 = "cd" * 32
    db.commit()
    check = client.post("/api/v1/review/checks", json={"asset_id": theirs.id, "profile": "studio-short"},
                        headers=api_token(stranger))  # fmt: skip
    assert check.status_code == 404 and "studio-short" in check.text
    mine = client.post("/api/v1/review/checks", json={"asset_id": asset.id, "profile": "studio-short"},
                       headers=api_token(staff))  # fmt: skip
    assert mine.status_code in (201, 202), mine.text
    # its members replace it; an operator-wide one is the stewards'
    changed = client.post("/api/v1/review/profiles", json={**douyin, "integrated_lufs": -16.0},
                          headers=api_token(staff))  # fmt: skip
    assert changed.status_code == 201 and changed.json()["integrated_lufs"] == -16.0
    login(client, stranger.username)
    page = client.get("/review/profiles").text
    assert (
        "studio-short" not in page and 'data-testid="profile-form"' in page and 'value="operator"' not in page
    )
    login(client, staff.username)
    page = client.get("/review/profiles").text
    assert "本公司短视频交付" in page and "影视公司" in page
    assert "本公司短视频交付" in client.get(f"/media/{asset.id}").text  # offered under the player


def test_a_stored_profile_is_deleted_by_those_who_may_save_it_and_its_reports_stay_readable(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Tokens,
) -> None:  # fmt: skip
    """Delete: a built-in profile never (409, named); another organisation's is not found; a read-only member
    is refused; the organisation's staff delete its own, the stewards the operator's. The reports checked against a deleted profile
    stay, with its name: what the reviewer read before reads the same after. Every delete is audited."""
    studio, other = make_org("影视公司"), make_org("别家公司")
    staff, colleague = (
        make_user(role=Role.enterprise_staff, org=studio),
        make_user(role=Role.reviewer, org=studio),
    )
    stranger = make_user(role=Role.enterprise_staff, org=other)
    officer = make_user(
        role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000")
    )
    admin = make_user(role=Role.admin)
    own = {"key": "studio-short", "name": "本公司短视频交付", "source": "本公司 2026 交付规范",
           "integrated_lufs": -14.0, "tolerance_lu": 1.0, "true_peak_max_dbtp": -1.0}  # fmt: skip
    operator = {**own, "key": "platform/x", "name": "某平台", "source": "平台上传规范 2025"}
    assert client.post("/api/v1/review/profiles", json=own, headers=api_token(staff)).status_code == 201
    assert (
        client.post("/api/v1/review/profiles", json=operator, headers=api_token(officer)).status_code == 201
    )
    asset = _asset(db, studio)
    profile = service.get_profile(db, "studio-short")
    report = service.store_report(db, asset, profile, qc.Report(30.0, LOUD, [
        qc.Finding("loudness", 0.0, 30.0, -18.2, -14.0, "error", "±1 LU")]))  # fmt: skip
    db.commit()

    def delete(key: str, user: User) -> Any:
        return client.delete(f"/api/v1/review/profiles/{key}", headers=api_token(user))

    for key in BUILTIN:
        refused = delete(key, admin)
        assert refused.status_code == 409 and key in refused.json()["errors"][0]["message"], refused.text
        assert refused.json()["errors"][0]["field"] == "key"
    assert delete("no-such", admin).status_code == 404
    assert delete("studio-short", stranger).status_code == 404  # not theirs to see
    assert delete("studio-short", officer).status_code == 404
    assert delete("studio-short", colleague).status_code == 403  # read-only member
    assert delete("platform/x", staff).status_code == 403  # the operator's: the stewards'
    # the web page: a delete button (with a confirmation that names the reports kept) where one may delete
    login(client, staff.username)
    page = client.get("/review/profiles").text
    assert (
        page.count('data-testid="profile-delete"') == 1
        and 'action="/review/profiles/studio-short/delete"' in page
    )
    assert "1 份质检报告将保留" in page or "QC report checked against it stays" in page
    for user, status in ((colleague, 403), (stranger, 404), (officer, 404)):
        login(client, user.username)
        form = client.get("/review/profiles").text
        assert 'action="/review/profiles/studio-short/delete"' not in form, user.username
        assert ('action="/review/profiles/platform/x/delete"' in form) is (user is officer)
        refused = client.post("/review/profiles/studio-short/delete", data={"csrf_token": csrf_from(form)},
                              follow_redirects=False)  # fmt: skip
        assert refused.status_code == status, user.username
    login(client, admin.username)
    form = client.get("/review/profiles").text
    assert client.post("/review/profiles/gy-t-282/delete", data={"csrf_token": csrf_from(form)},
                       follow_redirects=False).status_code == 409  # fmt: skip
    assert 'action="/review/profiles/platform/x/delete"' in form  # a key with a slash, too
    login(client, staff.username)
    page = client.get("/review/profiles").text
    gone = client.post("/review/profiles/studio-short/delete", data={"csrf_token": csrf_from(page)},
                       follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303 and "本公司短视频交付" not in client.get("/review/profiles").text
    assert delete("studio-short", staff).status_code == 404
    assert delete("platform/x", officer).json() == {"key": "platform/x", "name": "某平台", "reports_kept": 0}
    keys = [p["key"] for p in client.get("/api/v1/review/profiles", headers=api_token(admin)).json()]
    assert keys == list(BUILTIN)
    deletes = db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "review_profiles",
                                                  AuditEntry.action == "delete")).all()  # fmt: skip
    assert sorted((entry.before or {}).get("key") for entry in deletes) == ["platform/x", "studio-short"]
    # the report stays, under the profile's name, with the limits its findings were measured against
    kept = client.get(f"/api/v1/review/reports/{report.id}", headers=api_token(staff)).json()
    assert (kept["profile"], kept["profile_name"], kept["verdict"]) == (
        "studio-short",
        "本公司短视频交付",
        "fail",
    )
    assert [f["limit"] for f in kept["findings"] if f["kind"] == "loudness"] == [-14.0]
    login(client, staff.username)
    page = client.get(f"/media/{asset.id}").text
    assert "本公司短视频交付" in page and 'data-testid="profile-deleted"' in page
    assert "本公司短视频交付" in client.get("/review").text  # the queue
    # a new check against it is refused by name
    check = client.post("/api/v1/review/checks", json={"asset_id": asset.id, "profile": "studio-short"},
                        headers=api_token(staff))  # fmt: skip
    assert check.status_code == 404 and "studio-short" in check.text
