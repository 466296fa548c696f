"""Selection rounds: normalisation per expert against hand-computed values, conflicts, publication."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden
from avbase.policy import rounds
from avbase.policy.selection import ScoreSheet, rank_entries
from tests.conftest import login


def test_a_harsh_and_a_lenient_expert_weigh_the_same() -> None:
    # Expert 1 gives 60, 70, 80; expert 2 gives 90, 95, 100 to the same entries in the same order.
    sheets = [ScoreSheet(e, 1, t) for e, t in ((1, 60), (2, 70), (3, 80))] + [
        ScoreSheet(e, 2, t) for e, t in ((1, 90), (2, 95), (3, 100))
    ]
    result = {s.entry_id: s for s in rank_entries([1, 2, 3, 4], sheets)}
    z = math.sqrt(3 / 2)  # (80 - 70) / sd, sd = sqrt(200 / 3) ≈ 8.165
    assert result[3].normalised == pytest.approx(z) and result[1].normalised == pytest.approx(-z)
    assert result[2].normalised == pytest.approx(0.0) and result[3].raw_mean == 90
    assert [result[e].rank for e in (3, 2, 1, 4)] == [1, 2, 3, None]
    assert result[4].experts == 0


def test_normalisation_can_reverse_a_raw_mean_ranking() -> None:
    # A lenient expert scores only entry 1 (high, but it is that expert's lowest); entry 2 is scored by the
    # harsh expert only, as their best. Raw means say 1 > 2; per-expert standing says 2 > 1.
    sheets = [ScoreSheet(1, 1, 85), ScoreSheet(3, 1, 95), ScoreSheet(2, 2, 70), ScoreSheet(4, 2, 50)]
    ranked = [s.entry_id for s in rank_entries([1, 2, 3, 4], sheets)]
    assert ranked.index(2) < ranked.index(1)


def test_a_round_from_call_to_published_list(
    catalogue: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    db = catalogue
    officer = Principal.of(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    selection = rounds.create_round(
        db, officer, measure_id="hn2023.2.challenge-list", year=2025, title="2025年音视频关键技术揭榜挂帅",
        criteria=[{"key": "innovation", "name": "创新性", "max": 60}, {"key": "feasibility", "name": "可行性", "max": 40}],
        deadline=date(2025, 5, 31), quota=1,
    )  # fmt: skip
    firms = [make_org(f"企业{n}", region_code="430105") for n in range(3)]
    entries = [
        rounds.submit_entry(db, Principal.of(make_user(org=firm)), selection.id, title=f"8K编码芯片{n}", summary=None,
                            on=date(2025, 5, 1))
        for n, firm in enumerate(firms)
    ]  # fmt: skip
    with pytest.raises(Conflict):
        rounds.submit_entry(db, Principal.of(make_user(org=firms[0])), selection.id, title="迟到", summary=None,
                            on=date(2025, 6, 1))  # fmt: skip
    experts = [
        make_user(role=Role.reviewer, org=firms[0]),
        make_user(role=Role.reviewer, org=make_org("高校")),
    ]
    for expert in experts:
        rounds.add_expert(db, officer, selection.id, user_id=expert.id)
    rounds.close_entries(db, officer, selection.id)
    insider, outsider = (Principal.of(e) for e in experts)
    with pytest.raises(Forbidden):  # the first expert works for the first entrant
        rounds.score_entry(db, insider, entries[0].id, marks={"innovation": 60, "feasibility": 40})
    with pytest.raises(AvbaseError) as out_of_range:
        rounds.score_entry(db, outsider, entries[0].id, marks={"innovation": 50, "feasibility": 45})
    assert (out_of_range.value.field, out_of_range.value.params["max"]) == ("feasibility", "40")
    rounds.score_entry(db, insider, entries[1].id, marks={"innovation": 30, "feasibility": 20})
    rounds.score_entry(db, insider, entries[2].id, marks={"innovation": 50, "feasibility": 30})
    for entry, marks in zip(entries, ({"innovation": 55, "feasibility": 35}, {"innovation": 40, "feasibility": 20},
                                      {"innovation": 45, "feasibility": 30}), strict=True):  # fmt: skip
        rounds.score_entry(db, outsider, entry.id, marks=marks)
    listed = rounds.publish(db, officer, selection.id)
    # outsider: 90, 60, 75 → z 1.22, -1.22, 0; insider: 50, 80 → z -1, 1. Means: e0 1.22, e1 -1.11, e2 0.5
    assert [e.title for e in listed] == ["8K编码芯片0"]
    assert [(e.title, e.rank) for e in sorted(entries, key=lambda e: e.rank or 0)] == [
        ("8K编码芯片0", 1),
        ("8K编码芯片2", 2),
        ("8K编码芯片1", 3),
    ]
    with pytest.raises(Conflict):
        rounds.score_entry(db, outsider, entries[1].id, marks={"innovation": 60, "feasibility": 40})


def test_rounds_over_rest_and_on_the_web_hide_unpublished_entries_from_other_entrants(
    client: TestClient,
    catalogue: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    hunan_officer = api_token(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    officer = api_token(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000"))
    )
    call = {"measure_id": "zj2024.12.innovative-products", "year": 2026, "title": "2026年视听创新电子产品",
            "criteria": [{"key": "novelty", "name": "创新性", "max": 100}], "deadline": "2099-12-31", "quota": 2}  # fmt: skip
    refused = client.post("/api/v1/policy/rounds", json=call, headers=hunan_officer)
    assert (
        refused.status_code == 403 and refused.json()["errors"][0]["field"] == "measure"
    )  # not Hunan's call
    made = client.post("/api/v1/policy/rounds", json=call, headers=officer)
    assert made.status_code == 201, made.text
    round_id = made.json()["id"]
    first, second = make_user(), make_user()
    for user, title in ((first, "8K激光电视"), (second, "Audio Vivid音箱")):
        entered = client.post(
            f"/api/v1/policy/rounds/{round_id}/entries", json={"title": title}, headers=api_token(user)
        )
        assert entered.status_code == 201
    from_hunan = make_user(org=make_org(region_code="430105"))
    outside = client.post(
        f"/api/v1/policy/rounds/{round_id}/entries",
        json={"title": "HDR 监视器"},
        headers=api_token(from_hunan),
    )
    assert outside.status_code == 403 and "浙江省" in outside.json()["detail"]
    from avbase.policy.inbox import policy_items

    def told(user: User) -> bool:
        return any(
            i.kind == "policy.round_open"
            for i in policy_items(catalogue, Principal.of(user), date(2026, 6, 1))
        )

    assert told(make_user()) and not told(from_hunan)  # the call is announced where it applies
    seen = client.get(f"/api/v1/policy/rounds/{round_id}", headers=api_token(first)).json()
    assert [e["title"] for e in seen["entries"]] == ["8K激光电视"]
    assert len(client.get(f"/api/v1/policy/rounds/{round_id}", headers=officer).json()["entries"]) == 2
    login(client, first.username)
    page = client.get(f"/policy/rounds/{round_id}").text
    assert "8K激光电视" in page and "Audio Vivid音箱" not in page


def test_an_expert_scores_on_the_round_page_and_abstains_from_their_own_organisation(
    client: TestClient,
    catalogue: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
) -> None:
    db = catalogue
    officer = Principal.of(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    selection = rounds.create_round(
        db, officer, measure_id="hn2023.6.demonstration", year=2026, title="示范标杆", deadline=date(2099, 1, 1),
        criteria=[{"key": "value", "name": "示范价值", "max": 10}], quota=1,
    )  # fmt: skip
    home, other = make_org("专家单位", region_code="430105"), make_org("另一家企业", region_code="430105")
    own = rounds.submit_entry(
        db,
        Principal.of(make_user(org=home)),
        selection.id,
        title="自家项目",
        summary=None,
        on=date(2026, 1, 1),
    )
    theirs = rounds.submit_entry(
        db,
        Principal.of(make_user(org=other)),
        selection.id,
        title="他家项目",
        summary=None,
        on=date(2026, 1, 1),
    )
    expert = make_user(role=Role.reviewer, org=home)
    rounds.add_expert(db, officer, selection.id, user_id=expert.id)
    rounds.close_entries(db, officer, selection.id)
    db.commit()
    csrf = login(client, expert.username)
    page = client.get(f"/policy/rounds/{selection.id}").text
    assert page.count('class="actions score-form"') == 1 and "回避" in page
    too_high = client.post(
        f"/policy/round-entries/{theirs.id}/score", data={"csrf_token": csrf, "mark_value": "11"}
    )
    assert too_high.status_code == 400 and "0 到 10" in too_high.text
    saved = client.post(
        f"/policy/round-entries/{theirs.id}/score",
        data={"csrf_token": csrf, "mark_value": "8.5"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    blocked = client.post(
        f"/policy/round-entries/{own.id}/score", data={"csrf_token": csrf, "mark_value": "10"}
    )
    assert blocked.status_code == 403
    assert 'value="8.5"' in client.get(f"/policy/rounds/{selection.id}").text
