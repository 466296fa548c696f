"""The review pages: the QC report under the asset's player (findings on a timeline that seeks, decisions),
the queue, profiles and term packs; each refused to those who may not."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.review import qc, service
from avbase.review.models import Finding, FindingStatus
from avbase.review.profiles import BUILTIN
from tests.conftest import csrf_from, login
from tests.industry.test_raw_codes import scan
from tests.review.test_api import _asset, _report


def test_asset_page_shows_the_report_and_a_reviewer_decides(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    studio = make_org("影视公司")
    owner = make_user(role=Role.enterprise_staff, org=studio)
    reviewer = make_user(role=Role.reviewer, org=studio)
    stranger = make_user(role=Role.enterprise_staff)
    asset = _asset(db, studio)
    _report(db, asset)
    login(client, owner.username)
    page = client.get(f"/media/{asset.id}").text
    assert 'data-testid="qc-report"' in page and 'data-profile="gy-t-282"' in page
    assert 'class="qc-mark lane-qc kind-black ' in page and 'data-seek="4.0"' in page
    assert "/review/findings/" not in page  # the owner does not decide
    # every measured value and limit with its unit
    assert "-18.20 LUFS" in page and "-24.00 LUFS" in page and "2.40 秒" in page and "2.00 秒" in page
    assert "-18.2 LUFS · LRA 6.0 LU" in page and "-0.5 dBTP" in page
    queue = client.get("/review").text
    assert f'href="/media/{asset.id}#qc"' in queue

    login(client, reviewer.username)
    page = client.get(f"/media/{asset.id}").text
    black = db.query(Finding).filter(Finding.asset_id == asset.id, Finding.kind == "black").one()
    answer = client.post(f"/review/findings/{black.id}/decision",
                         data={"status": "accepted", "note": "片尾黑场需修", "csrf_token": csrf_from(page)},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    db.refresh(black)
    assert black.status is FindingStatus.accepted and black.note == "片尾黑场需修"
    assert "片尾黑场需修" in client.get(f"/media/{asset.id}").text

    assert scan(client, [f"/media/{asset.id}", "/review", "/review/packs", "/review/profiles"]) == {}

    login(client, stranger.username)
    assert client.get(f"/media/{asset.id}").status_code == 404
    assert f"/media/{asset.id}#qc" not in client.get("/review").text


def test_packs_and_profiles_pages(
    client: TestClient, make_user: Callable[..., User], make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    officer = make_user(
        role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000")
    )
    staff = make_user(role=Role.enterprise_staff)
    login(client, staff.username)
    page = client.get("/review/packs").text
    assert 'action="/review/packs"' not in page
    own_only = client.get(
        "/review/profiles"
    ).text  # staff add their organisation's profiles, not the operator's
    assert 'action="/review/profiles"' in own_only and 'value="organisation"' in own_only
    assert 'value="operator"' not in own_only
    refused = client.post("/review/packs", data={"name": "x", "csrf_token": csrf_from(page)},
                          files={"file": ("p.txt", "赌博\n".encode())})  # fmt: skip
    assert refused.status_code == 403

    login(client, officer.username)
    page = client.get("/review/packs").text
    token = csrf_from(page)
    bad = client.post("/review/packs", data={"name": "涉赌", "csrf_token": token},
                      files={"file": ("p.txt", "赌博\n博彩,涉赌,urgent\n".encode())})  # fmt: skip
    assert (bad.status_code == 422 and "Line 2" in bad.text) or "第 2 行" in bad.text
    good = client.post("/review/packs", data={"name": "涉赌", "csrf_token": token},
                       files={"file": ("p.txt", "赌博,涉赌,高\n博彩,涉赌\n".encode())}, follow_redirects=True)  # fmt: skip
    assert good.status_code == 200 and "博彩" in good.text and "v1" in good.text
    profiles = client.get("/review/profiles").text
    assert "GY/T 282-2014" in profiles and "EBU R 128" in profiles and "ATSC A/85" in profiles
    wrong = client.post("/review/profiles", data={"params": "{not json", "csrf_token": token})
    assert wrong.status_code == 422
    added = client.post("/review/profiles", data={"csrf_token": token, "params": '{"key": "web", "name": "网络平台", '
                        '"source": "平台规范", "integrated_lufs": -16, "tolerance_lu": 1, "true_peak_max_dbtp": -1}'},
                        follow_redirects=True)  # fmt: skip
    assert added.status_code == 200 and "网络平台" in added.text


def test_a_still_pattern_shows_as_a_warning_and_the_profiles_page_names_its_thresholds_and_sources(
    client: TestClient, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    studio = make_org("影视公司")
    owner = make_user(role=Role.enterprise_staff, org=studio)
    asset = _asset(db, studio)
    still = qc.Finding("pattern", 2.0, 3.76, 7.9, 5.0, "warning", "still")
    service.store_report(db, asset, BUILTIN["gy-t-282"], qc.Report(30.0, None, [still]))
    db.commit()
    login(client, owner.username)
    page = client.get(f"/media/{asset.id}").text
    row = page[page.index('class="qc-mark lane-qc kind-pattern') :]
    assert '<span class="badge warn">规则图案</span>' in page and "静止图案" in row
    assert 'data-testid="qc-verdict">通过' in page  # a warning does not fail the programme
    profiles = client.get("/review/profiles").text
    assert (
        profiles.count('data-testid="still-patterns"') == 3
        and "占画面 ≥ 25%，持续 ≥ 0.5 秒，对比度 ≥ 0.5" in profiles
    )
    assert "Epilepsia" in profiles and "still_pattern_contrast" in profiles
    english = client.get("/review/profiles?lang=en").text
    assert "≥ 25 % of the screen, ≥ 0.5 s, contrast ≥ 0.5" in english and "Ofcom" in english
    assert scan(client, [f"/media/{asset.id}", "/review/profiles"]) == {}
