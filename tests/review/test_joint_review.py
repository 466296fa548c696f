"""Joint review (联审联办): routed through core routing (scope "review"), seen only by the owner, the departments
it is routed to and admins; decisions consolidate; a returned work comes back as v2 and the diff names the
findings fixed and new and the comments resolved; the inbox lists what waits; the opinion is a PDF."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from avbase.core import routing
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.inbox import collect
from avbase.kit.timecode import frame_timecode
from avbase.media.models import Asset, AssetState
from avbase.review import demo, joint, qc, service
from avbase.review.loudness import Loudness
from avbase.review.models import ChangeState, Decision, ReviewWork, WorkChange, WorkState
from avbase.review.profiles import BUILTIN
from tests.conftest import csrf_from, login
from tests.industry.test_raw_codes import scan

Tokens = Callable[[User], dict[str, str]]
LOUD = Loudness(-18.2, 6.0, -12.0, -15.0, -0.5, -0.6, 3.2)
API = "/api/v1/review/works"


def _asset(db: Session, org: Organisation, title: str, findings: list[qc.Finding]) -> int:
    asset = Asset(org_id=org.id, sha256=f"{abs(hash(title)):064x}"[:64], file_name=f"{title}.mp4", size=1,
                  title=title, kind="video", duration=60.0, state=AssetState.ready, tags=[], people=[],
                  collections=[], probe={"video": [{"frame_rate": 25.0}], "audio": []})  # fmt: skip
    db.add(asset)
    db.flush()
    service.store_report(db, asset, BUILTIN["gy-t-282"], qc.Report(60.0, LOUD, findings))
    return asset.id


class World:
    def __init__(self, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
                 api_token: Tokens) -> None:  # fmt: skip
        self.studio = make_org("影视公司")
        self.owner = make_user(role=Role.enterprise_staff, org=self.studio)
        self.stranger = make_user(role=Role.enterprise_staff, org=make_org("别家公司"))
        self.admin = make_user(role=Role.admin)
        self.units: dict[str, Organisation] = {}
        self.officers: dict[str, User] = {}
        steward = Principal.of(self.admin)
        for unit, name in (("宣传部门", "省委宣传部"), ("广电部门", "省广电局"), ("网信部门", "省网信办")):
            org = make_org(name, kind=OrgKind.authority, region_code="330000")
            routing.set_route(db, steward, scope=joint.SCOPE, unit=unit, org_id=org.id)
            self.units[unit] = org
            self.officers[unit] = make_user(role=Role.authority_officer, org=org)
        self.far_officer = make_user(role=Role.authority_officer, org=make_org("湘广电", kind=OrgKind.authority,
                                                                                 region_code="430000"))  # fmt: skip
        self.v1 = _asset(db, self.studio, "片一", [
            qc.Finding("loudness", 0.0, 60.0, -18.2, -24.0, "error", "±2 LU"),
            qc.Finding("black", 4.0, 6.4, 2.4, 2.0, "error"),
        ])  # fmt: skip
        self.v2 = _asset(db, self.studio, "片二", [
            qc.Finding("loudness", 0.0, 60.0, -18.2, -24.0, "error", "±2 LU"),
            qc.Finding("freeze", 10.0, 13.0, 3.0, 2.0, "error"),
        ])  # fmt: skip
        self.foreign = _asset(db, make_org("他人公司"), "别人的片", [])
        db.commit()
        self.api_token = api_token

    def h(self, user: User) -> dict[str, str]:
        return self.api_token(user)


@pytest.fixture
def world(db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation],
          api_token: Tokens) -> World:  # fmt: skip
    return World(db, make_user, make_org, api_token)


def _field(response: Any) -> str:
    return str(response.json()["errors"][0]["field"])


def _submit(client: TestClient, w: World, **extra: Any) -> dict[str, Any]:
    body = {"title": "纪录片《山河》", "asset_ids": [w.v1], "due_on": "2026-12-10", **extra}
    response = client.post(API, json=body, headers=w.h(w.owner))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _route(client: TestClient, w: World, work_id: int, by: User | None = None) -> Any:
    return client.post(f"{API}/{work_id}/route", json={"lead": "广电部门", "co": ["宣传部门", "网信部门"]},
                       headers=w.h(by or w.officers["广电部门"]))  # fmt: skip


def test_frame_timecodes() -> None:
    assert frame_timecode(0.0, 25) == "00:00:00:00"
    assert frame_timecode(61.52, 25) == "00:01:01:13"
    assert frame_timecode(3600.999, 30) == "01:00:00:29"


def test_routing_uses_core_routing_and_each_route_is_refused_to_others(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    # only the owner's own assets; a read-only or authority user does not submit
    foreign = client.post(API, json={"title": "x", "asset_ids": [w.foreign]}, headers=w.h(w.owner))
    assert foreign.status_code == 400 and _field(foreign) == "asset_ids"
    assert client.post(API, json={"title": "x", "asset_ids": [w.v1]},
                       headers=w.h(w.officers["宣传部门"])).status_code == 403  # fmt: skip
    work = _submit(client, w)
    assert work["state"] == "submitted" and work["version"] == 1
    wid = work["id"]
    # before routing: the owner and the officers of the owner's province see it; the others do not
    assert client.get(f"{API}/{wid}", headers=w.h(w.owner)).status_code == 200
    assert client.get(f"{API}/{wid}", headers=w.h(w.officers["宣传部门"])).status_code == 200
    for outsider in (w.stranger, w.far_officer):
        assert client.get(f"{API}/{wid}", headers=w.h(outsider)).status_code == 404
        assert client.get(API, headers=w.h(outsider)).json() == []
    # the owner does not route; an officer outside the province does not either; an unrouted unit is named
    assert _route(client, w, wid, by=w.owner).status_code == 403
    assert _route(client, w, wid, by=w.far_officer).status_code == 404
    unknown = client.post(f"{API}/{wid}/route", json={"lead": "广电部门", "co": ["文旅部门"]},
                          headers=w.h(w.officers["广电部门"]))  # fmt: skip
    assert unknown.status_code == 409 and _field(unknown) == "co"
    routed = _route(client, w, wid)
    assert routed.status_code == 200, routed.text
    departments = routed.json()["departments"]
    assert [(row["unit"], row["lead"]) for row in departments] == [
        ("广电部门", True), ("宣传部门", False), ("网信部门", False)
    ]  # fmt: skip
    # the departments' organisations come from core routing, not from a table of our own
    assert {row["org_id"] for row in departments} == set(routing.routes(db, joint.SCOPE).values())
    # once routed: each routed department sees it; an officer of an unrouted authority no longer does
    bystander_org = w.far_officer
    assert client.get(f"{API}/{wid}", headers=w.h(bystander_org)).status_code == 404
    for officer in w.officers.values():
        assert [row["id"] for row in client.get(API, headers=w.h(officer)).json()] == [wid]
    # comments: departments only, frame-accurate timecodes; the owner resolves; strangers get 404
    comment = client.post(f"{API}/{wid}/comments", json={"asset_id": w.v1, "seconds": 5.52, "text": "黑场过长"},
                          headers=w.h(w.officers["宣传部门"]))  # fmt: skip
    assert comment.status_code == 201 and comment.json()["timecode"] == "00:00:05:13"
    assert client.post(f"{API}/{wid}/comments", json={"asset_id": w.v1, "seconds": 1, "text": "x"},
                       headers=w.h(w.owner)).status_code == 403  # fmt: skip
    assert client.post(f"{API}/{wid}/comments", json={"asset_id": w.v1, "seconds": 1, "text": "x"},
                       headers=w.h(w.stranger)).status_code == 404  # fmt: skip
    outside = client.post(f"{API}/{wid}/comments", json={"asset_id": w.v1, "seconds": 99, "text": "x"},
                          headers=w.h(w.officers["宣传部门"]))  # fmt: skip
    assert outside.status_code == 400 and _field(outside) == "seconds"
    cid = comment.json()["id"]
    assert client.post(f"{API}/comments/{cid}/resolved", json={"resolved": True},
                       headers=w.h(w.stranger)).status_code == 404  # fmt: skip
    assert client.post(f"{API}/comments/{cid}/resolved", json={"resolved": True},
                       headers=w.h(w.officers["网信部门"])).status_code == 403  # fmt: skip
    assert client.post(f"{API}/comments/{cid}/resolved", json={"resolved": True},
                       headers=w.h(w.owner)).json()["resolved"] is True  # fmt: skip
    assert client.get(f"{API}/{wid}", headers=w.h(w.admin)).json()["state"] == "in_review"
    # every write audited
    audited = set(db.scalars(select(AuditEntry.entity_type)))
    assert {
        "review_works",
        "review_work_versions",
        "review_work_departments",
        "review_work_comments",
    } <= audited


def test_decisions_consolidate(client: TestClient, world: World) -> None:
    assert joint.consolidated_state([Decision.approve, None]) is WorkState.in_review
    assert joint.consolidated_state([Decision.approve, Decision.approve]) is WorkState.passed
    assert (
        joint.consolidated_state([Decision.approve, Decision.with_changes]) is WorkState.passed_with_changes
    )
    assert joint.consolidated_state([Decision.with_changes, Decision.reject]) is WorkState.rejected
    w = world
    wid = _submit(client, w)["id"]
    _route(client, w, wid)

    def decide(unit: str, decision: str, reasons: str = "", user: User | None = None) -> Any:
        return client.post(f"{API}/{wid}/decision", json={"decision": decision, "reasons": reasons},
                           headers=w.h(user or w.officers[unit]))  # fmt: skip

    assert decide("", "pass", user=w.owner).status_code == 403
    assert decide("", "pass", user=w.stranger).status_code == 404
    no_reason = decide("网信部门", "reject")
    assert no_reason.status_code == 400 and _field(no_reason) == "reasons"
    assert decide("广电部门", "pass").json()["state"] == "in_review"
    assert decide("宣传部门", "pass").json()["state"] == "in_review"
    final = decide("网信部门", "reject", "含违规内容")
    assert final.json()["state"] == "rejected"
    assert decide("网信部门", "pass").status_code == 409  # decided: no more decisions
    # a second work: all pass
    wid = _submit(client, w, title="短片")["id"]
    _route(client, w, wid)
    for unit in w.officers:
        state = decide(unit, "pass").json()["state"]
    assert state == "passed"


def test_a_returned_work_comes_back_as_v2_with_the_diff(client: TestClient, world: World) -> None:
    w = world
    wid = _submit(client, w)["id"]
    _route(client, w, wid)
    early = client.post(f"{API}/{wid}/versions", json={"asset_ids": [w.v2]}, headers=w.h(w.owner))
    assert early.status_code == 409 and _field(early) == "state"
    first = client.post(f"{API}/{wid}/comments", json={"asset_id": w.v1, "seconds": 4.0, "text": "黑场"},
                        headers=w.h(w.officers["广电部门"])).json()  # fmt: skip
    client.post(f"{API}/{wid}/comments", json={"asset_id": w.v1, "seconds": 30.0, "text": "字幕错字"},
                headers=w.h(w.officers["宣传部门"]))  # fmt: skip
    for unit, decision in (("广电部门", "pass_with_changes"), ("宣传部门", "pass"), ("网信部门", "pass")):
        body = {"decision": decision, "reasons": "去掉黑场" if decision != "pass" else ""}
        state = client.post(f"{API}/{wid}/decision", json=body, headers=w.h(w.officers[unit])).json()["state"]
    assert state == "passed_with_changes"
    client.post(f"{API}/comments/{first['id']}/resolved", json={"resolved": True}, headers=w.h(w.owner))
    # only the owner sends v2, with its own assets
    assert client.post(f"{API}/{wid}/versions", json={"asset_ids": [w.v2]},
                       headers=w.h(w.officers["广电部门"])).status_code == 403  # fmt: skip
    assert client.post(f"{API}/{wid}/versions", json={"asset_ids": [w.v2]},
                       headers=w.h(w.stranger)).status_code == 404  # fmt: skip
    v2 = client.post(
        f"{API}/{wid}/versions", json={"asset_ids": [w.v2], "note": "已修改"}, headers=w.h(w.owner)
    )
    assert v2.status_code == 201, v2.text
    assert v2.json()["version"] == 2 and v2.json()["state"] == "routed"
    assert all(row["decision"] is None for row in v2.json()["departments"])
    diff = client.get(f"{API}/{wid}/diff", headers=w.h(w.officers["网信部门"])).json()
    assert [row["kind"] for row in diff["fixed"]] == ["black"]
    assert [row["kind"] for row in diff["added"]] == ["freeze"]
    assert [row["kind"] for row in diff["kept"]] == ["loudness"]
    assert [row["text"] for row in diff["comments_resolved"]] == ["黑场"]
    assert [row["text"] for row in diff["comments_open"]] == ["字幕错字"]
    assert client.get(f"{API}/{wid}/diff", headers=w.h(w.stranger)).status_code == 404
    history = client.get(f"{API}/{wid}", headers=w.h(w.owner)).json()["versions"]
    assert [row["version"] for row in history] == [1, 2]
    assert {row["decision"] for row in history[0]["decisions"]} == {"pass", "pass_with_changes"}


def test_passed_with_changes_lists_the_changes_and_the_next_version_is_checked_against_them(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    wid = _submit(client, w)["id"]
    _route(client, w, wid)
    lead, co = w.officers["广电部门"], w.officers["宣传部门"]

    def decide(user: User, decision: str, **body: Any) -> Any:
        return client.post(f"{API}/{wid}/decision", json={"decision": decision, **body}, headers=w.h(user))

    asked = decide(lead, "pass_with_changes", reasons="两处需修改", changes=["剪短开头黑场", "片尾字幕改正"])
    assert asked.status_code == 200, asked.text
    decide(co, "pass_with_changes", reasons="第 12 秒品牌标识打码")  # the reasons' lines are the changes
    work = decide(w.officers["网信部门"], "pass").json()
    assert work["state"] == "passed_with_changes"
    assert [(row["unit"], row["text"]) for row in work["changes_asked"]] == [
        ("广电部门", "剪短开头黑场"), ("广电部门", "片尾字幕改正"), ("宣传部门", "第 12 秒品牌标识打码")
    ]  # fmt: skip
    # the opinion says the work passes on condition of the changes, and lists them
    pdf = client.get(f"{API}/{wid}/opinion.pdf", headers=w.h(w.owner))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert ("修改后通过" in text or "Passed with changes" in text) and "剪短开头黑场" in text, text
    # not before the next version; then only the department that asked ticks a change off
    first = work["changes_asked"][0]["id"]
    early = client.post(f"{API}/changes/{first}/done", json={"done": True}, headers=w.h(lead))
    assert early.status_code == 409
    assert client.post(f"{API}/{wid}/versions", json={"asset_ids": [w.v2], "note": "已改"},
                       headers=w.h(w.owner)).status_code == 201  # fmt: skip
    v2 = client.get(f"{API}/{wid}", headers=w.h(lead)).json()
    assert v2["state"] == "routed" and v2["changes_asked"] == []
    assert [row["done"] for row in v2["changes_to_check"]] == [False, False, False]
    for user, status in ((co, 403), (w.owner, 403), (w.stranger, 404)):
        refused = client.post(f"{API}/changes/{first}/done", json={"done": True}, headers=w.h(user))
        assert refused.status_code == status, (user.username, refused.text)
    # the lead passes v2 only once its own changes are ticked off; the co-department's list does not hold it
    blocked = decide(lead, "pass")
    assert blocked.status_code == 409 and _field(blocked) == "changes"
    for change in v2["changes_to_check"][:2]:
        done = client.post(f"{API}/changes/{change['id']}/done", json={"done": True}, headers=w.h(lead))
        assert done.status_code == 200 and done.json()["checked_version"] == 2
    assert decide(lead, "pass").json()["state"] == "in_review"
    assert decide(co, "pass").status_code == 409  # its change is not ticked off yet
    audited = db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "review_work_changes")).all()
    assert len(audited) >= 5  # three listed, two ticked off

    login(client, co.username)
    page = client.get(f"/review/works/{wid}").text
    assert 'data-testid="changes-to-check"' in page and "第 12 秒品牌标识打码" in page
    mine = v2["changes_to_check"][2]["id"]
    assert f'action="/review/works/changes/{mine}/done"' in page
    assert f'action="/review/works/changes/{first}/done"' not in page  # the lead's, not this department's
    ticked = client.post(f"/review/works/changes/{mine}/done", data={"done": "1", "csrf_token": csrf_from(page)},
                         follow_redirects=False)  # fmt: skip
    assert ticked.status_code == 303
    login(client, w.owner.username)
    page = client.get(f"/review/works/{wid}").text
    assert 'data-testid="changes-to-check"' in page and "/review/works/changes/" not in page
    assert client.post(f"/review/works/changes/{mine}/done", data={"done": "0", "csrf_token": csrf_from(page)},
                       follow_redirects=False).status_code == 403  # fmt: skip
    assert not scan(client, [f"/review/works/{wid}"])


def test_a_change_not_made_is_accepted_by_the_department_that_asked_with_the_reason(
    client: TestClient, db: Session, world: World
) -> None:
    """A change asked on v1 is settled on v2 by the department that asked: made, or not made with the reason
    (asked → done | not_made, with the note, who and when); the work does not pass while one is open."""
    w = world
    wid = _submit(client, w)["id"]
    _route(client, w, wid)
    lead, co = w.officers["广电部门"], w.officers["宣传部门"]

    def decide(user: User, decision: str, **body: Any) -> Any:
        return client.post(f"{API}/{wid}/decision", json={"decision": decision, **body}, headers=w.h(user))

    def settle(change: int, user: User, state: str, note: str = "") -> Any:
        return client.post(f"{API}/changes/{change}/state", json={"state": state, "note": note},
                           headers=w.h(user))  # fmt: skip

    decide(
        lead,
        "pass_with_changes",
        reasons="三处需修改",
        changes=["剪短开头黑场", "片尾字幕改正", "更换片头音乐"],
    )
    decide(co, "pass")
    asked = decide(w.officers["网信部门"], "pass").json()["changes_asked"]
    black, credits, music = (row["id"] for row in asked)
    assert [row["state"] for row in asked] == ["asked"] * 3
    assert settle(credits, lead, "not_made", "无需修改").status_code == 409  # not before the next version
    assert client.post(f"{API}/{wid}/versions", json={"asset_ids": [w.v2], "note": "片尾字幕经核实无误"},
                       headers=w.h(w.owner)).status_code == 201  # fmt: skip
    # an authority cannot route the new version away from the department whose changes wait
    away = client.post(f"{API}/{wid}/route", json={"lead": "宣传部门", "co": ["网信部门"]}, headers=w.h(lead))
    assert away.status_code == 409 and _field(away) == "co"

    # not made needs the reason; only the department that asked settles it; others are told so
    reasonless = settle(credits, lead, "not_made", "  ")
    assert reasonless.status_code == 400 and _field(reasonless) == "note"
    assert settle(credits, lead, "dropped", "x").status_code == 422  # not a state
    for user, status in ((co, 403), (w.owner, 403), (w.stranger, 404), (w.far_officer, 404)):
        refused = settle(credits, user, "not_made", "无需修改")
        assert refused.status_code == status, (user.username, refused.text)
    reason = "片尾字幕为片方提供，经核实无误，无需修改"
    settled = settle(credits, lead, "not_made", reason)
    assert settled.status_code == 200, settled.text
    row = settled.json()
    assert (row["state"], row["done"], row["note"], row["checked_version"], row["checked_by_id"]) == (
        "not_made", False, reason, 2, lead.id
    )  # fmt: skip
    assert row["checked_at"] is not None
    assert (
        client.post(f"{API}/changes/{black}/done", json={"done": True}, headers=w.h(lead)).status_code == 200
    )
    # one change still asked: the lead cannot pass yet
    blocked = decide(lead, "pass")
    assert blocked.status_code == 409 and _field(blocked) == "changes"

    # the page: the state, the reason, who and when; the form to accept a change as not made, for the lead only
    for user, status in ((co, 403), (w.owner, 403), (w.stranger, 404)):
        login(client, user.username)
        page = client.get(f"/review/works/{wid}")
        assert page.status_code == (404 if status == 404 else 200)
        assert f'action="/review/works/changes/{music}/state"' not in page.text
        form = client.get("/review/works").text
        refused = client.post(f"/review/works/changes/{music}/state", data={
            "state": "not_made", "note": "无需修改", "csrf_token": csrf_from(form)}, follow_redirects=False)  # fmt: skip
        assert refused.status_code == status, user.username
    login(client, lead.username)
    page = client.get(f"/review/works/{wid}").text
    assert f'id="change-{credits}" data-done="no" data-state="not_made"' in page
    assert reason in page and lead.display_name in page
    assert f'id="change-{black}" data-done="yes" data-state="done"' in page
    assert f'action="/review/works/changes/{music}/state"' in page and 'data-testid="not-made-form"' in page
    empty = client.post(f"/review/works/changes/{music}/state",
                        data={"state": "not_made", "note": "", "csrf_token": csrf_from(page)})  # fmt: skip
    assert empty.status_code == 422 and 'data-field="note"' in empty.text
    accepted = client.post(f"/review/works/changes/{music}/state", data={
        "state": "not_made", "note": "经商定保留原音乐", "csrf_token": csrf_from(page)}, follow_redirects=False)  # fmt: skip
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/review/works/{wid}#changes"

    # every change settled: the lead passes; having passed on them, it does not reopen one
    assert decide(lead, "pass").json()["state"] == "in_review"
    reopened = settle(music, lead, "asked")
    assert reopened.status_code == 409 and _field(reopened) == "state"
    for unit in ("宣传部门", "网信部门"):
        work = decide(w.officers[unit], "pass").json()
    assert work["state"] == "passed"
    assert [(row["state"], row["note"]) for row in work["changes_to_check"]] == [
        ("done", ""), ("not_made", reason), ("not_made", "经商定保留原音乐")
    ]  # fmt: skip
    audited = db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "review_work_changes",
                                                  AuditEntry.action == "update")).all()  # fmt: skip
    assert any((entry.after or {}).get("state") == "not_made" for entry in audited)
    # the opinion lists each change with its state and the reason
    pdf = client.get(f"{API}/{wid}/opinion.pdf", headers=w.h(w.owner))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert reason in text.replace("\n", "") and ("未修改" in text or "not made" in text), text
    login(client, lead.username)
    assert not scan(client, [f"/review/works/{wid}"])


def test_a_work_does_not_pass_while_a_change_is_open(client: TestClient, db: Session, world: World) -> None:
    """The rule holds in the consolidation itself: a change left open (as if it slipped past the departments'
    own checks) keeps the work in review when every department has passed."""
    w = world
    wid = _submit(client, w)["id"]
    _route(client, w, wid)

    def decide(unit: str, decision: str, **body: Any) -> Any:
        return client.post(f"{API}/{wid}/decision", json={"decision": decision, **body},
                           headers=w.h(w.officers[unit]))  # fmt: skip

    decide("广电部门", "pass_with_changes", reasons="改", changes=["剪短开头黑场"])
    decide("宣传部门", "pass")
    decide("网信部门", "pass")
    client.post(f"{API}/{wid}/versions", json={"asset_ids": [w.v2]}, headers=w.h(w.owner))
    change = db.scalars(select(WorkChange).where(WorkChange.work_id == wid)).one()
    client.post(f"{API}/changes/{change.id}/done", json={"done": True}, headers=w.h(w.officers["广电部门"]))
    decide("广电部门", "pass")
    decide("宣传部门", "pass")
    db.expire_all()
    change.state = ChangeState.asked
    db.commit()
    assert decide("网信部门", "pass").json()["state"] == "in_review"


def test_the_inbox_lists_waiting_overdue_and_returned_works(
    db: Session, client: TestClient, world: World
) -> None:
    w = world
    wid = _submit(client, w, due_on="2026-12-10")["id"]
    officer = Principal.of(w.officers["宣传部门"])
    waiting = [item for item in collect(db, officer, on=date(2026, 12, 1)) if item.domain == "review"]
    assert [item.kind for item in waiting] == ["review.work_to_route"]
    _route(client, w, wid)
    db.expire_all()
    waiting = [item for item in collect(db, officer, on=date(2026, 12, 1)) if item.domain == "review"]
    assert [(item.kind, item.link) for item in waiting] == [("review.work_to_decide", f"/review/works/{wid}")]
    late = [item for item in collect(db, officer, on=date(2026, 12, 10) + timedelta(days=1))
            if item.domain == "review"]  # fmt: skip
    assert [(item.kind, item.urgency.value) for item in late] == [("review.work_overdue", "overdue")]
    assert not [item for item in collect(db, Principal.of(w.stranger), on=date(2026, 12, 11))
                if item.domain == "review"]  # fmt: skip
    client.post(f"{API}/{wid}/decision", json={"decision": "pass_with_changes", "reasons": "改"},
                headers=w.h(w.officers["宣传部门"]))  # fmt: skip
    db.expire_all()
    assert not [item for item in collect(db, officer, on=date(2026, 12, 1)) if item.domain == "review"]
    for unit in ("广电部门", "网信部门"):
        client.post(f"{API}/{wid}/decision", json={"decision": "pass"}, headers=w.h(w.officers[unit]))
    db.expire_all()
    mine = [
        item for item in collect(db, Principal.of(w.owner), on=date(2026, 12, 1)) if item.domain == "review"
    ]
    assert [item.kind for item in mine] == ["review.work_returned"]


def test_the_opinion_pdf(client: TestClient, world: World) -> None:
    w = world
    wid = _submit(client, w)["id"]
    _route(client, w, wid)
    client.post(f"{API}/{wid}/decision", json={"decision": "reject", "reasons": "违规内容"},
                headers=w.h(w.officers["网信部门"]))  # fmt: skip
    response = client.get(f"{API}/{wid}/opinion.pdf", headers=w.h(w.owner))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "纪录片《山河》" in text and "违规内容" in text and "黑场" in text
    assert client.get(f"{API}/{wid}/opinion.pdf", headers=w.h(w.stranger)).status_code == 404


def test_the_pages_work_for_each_side_and_refuse_the_others(
    client: TestClient, db: Session, world: World
) -> None:
    w = world
    login(client, w.owner.username)
    form = client.get("/review/works/new")
    assert form.status_code == 200 and 'name="asset_ids"' in form.text and "片一" in form.text
    assert "别人的片" not in form.text  # only the owner's media to choose from
    bad = client.post("/review/works", data={"title": "", "asset_ids": [str(w.v1)],
                                             "csrf_token": csrf_from(form.text)})  # fmt: skip
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    made = client.post("/review/works", data={"title": "纪录片《山河》", "asset_ids": [str(w.v1)], "due_on": "2026-12-10",
                                              "csrf_token": csrf_from(form.text)}, follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    wid = int(made.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/review/works/{wid}").text
    assert "纪录片《山河》" in page and 'data-testid="decision-form"' not in page and "route-form" not in page
    assert f'href="/review/works/{wid}"' in client.get("/review/works").text

    login(client, w.officers["广电部门"].username)
    assert client.get("/review/works/new").status_code == 403  # an authority does not submit works
    page = client.get(f"/review/works/{wid}").text
    assert 'data-testid="route-form"' in page
    routed = client.post(f"/review/works/{wid}/route", data={"lead": "广电部门", "co": ["网信部门"],
                                                            "csrf_token": csrf_from(page)}, follow_redirects=False)  # fmt: skip
    assert routed.status_code == 303
    page = client.get(f"/review/works/{wid}").text
    assert 'data-testid="decision-form"' in page and 'id="comment-form"' in page
    added = client.post(f"/review/works/{wid}/comments", data={"asset_id": str(w.v1), "seconds": "4.04", "text": "黑场",
                                                              "csrf_token": csrf_from(page)}, follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    page = client.get(f"/review/works/{wid}").text
    assert 'data-seek="4.04"' in page and "00:00:04:01" in page  # clicking the timecode seeks the player
    refused = client.post(f"/review/works/{wid}/decision", data={"decision": "reject", "reasons": "",
                                                                "csrf_token": csrf_from(page)})  # fmt: skip
    assert refused.status_code == 422 and 'data-field="reasons"' in refused.text
    done = client.post(f"/review/works/{wid}/decision", data={"decision": "pass", "csrf_token": csrf_from(page)},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    pdf = client.get(f"/review/works/{wid}/opinion.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    login(client, w.stranger.username)
    assert client.get(f"/review/works/{wid}").status_code == 404
    assert client.get(f"/review/works/{wid}/opinion.pdf").status_code == 404
    assert "纪录片《山河》" not in client.get("/review/works").text
    page = client.get("/review/works").text
    assert client.post(f"/review/works/{wid}/decision", data={"decision": "pass", "csrf_token": csrf_from(page)},
                       follow_redirects=False).status_code == 404  # fmt: skip
    login(client, w.owner.username)
    page = client.get(f"/review/works/{wid}").text
    assert client.post(f"/review/works/{wid}/decision", data={"decision": "pass", "csrf_token": csrf_from(page)},
                       follow_redirects=False).status_code == 403  # fmt: skip
    assert client.post(f"/review/works/{wid}/route", data={"lead": "广电部门", "csrf_token": csrf_from(page)},
                       follow_redirects=False).status_code == 403  # fmt: skip
    assert not scan(client, [f"/review/works/{wid}", "/review/works", "/review/works/new"])


def test_the_demo_seeds_a_joint_review_in_several_states(
    clean_engine: Engine, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation]
) -> None:
    studio = make_org("东阳云网络视听有限公司")
    make_user("studio.staff", role=Role.enterprise_staff, org=studio)
    make_user("admin", role=Role.admin)
    make_org("浙江省委宣传部", kind=OrgKind.authority, region_code="330000")
    make_user("zj.officer", role=Role.authority_officer,
              org=make_org("浙江省广播电视局", kind=OrgKind.authority, region_code="330000"))  # fmt: skip
    assert demo.load_joint(clean_engine) == {"joint_reviews": 0}  # no clips yet: nothing seeded
    for name in ("bbb_0_30.webm", "bottle.mp4", "smpte_1080p.mp4"):
        db.add(Asset(org_id=studio.id, sha256=name.ljust(64, "0")[:64], file_name=name, size=1, title=name,
                     tags=[], people=[], collections=[]))  # fmt: skip
    db.commit()
    assert demo.load_joint(clean_engine) == {"joint_reviews": 3}
    assert demo.load_joint(clean_engine) == {"joint_reviews": 3}  # once
    states = {work.title: (work.state.value, work.version) for work in db.scalars(select(ReviewWork))}
    assert states == {
        demo.WORKS[0]: ("in_review", 1),
        demo.WORKS[1]: ("routed", 2),
        demo.WORKS[2]: ("passed", 1),
    }
    second = db.scalars(select(ReviewWork).where(ReviewWork.title == demo.WORKS[1])).one()
    assert [row.state.value for row in joint.changes_to_check(db, second)] == ["asked", "not_made"]
