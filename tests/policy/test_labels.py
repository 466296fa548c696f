"""What a newcomer reads on the policy pages: titles and labels, not slugs, fact names or enum values;
simplified statute text in either language; places and scores people understand."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.policy import rounds
from tests.conftest import login


def visible(html: str) -> str:
    """The text a reader sees (tags and their attributes removed)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_quotes_and_the_measure_page_name_facts_values_and_parameters(
    client: TestClient, catalogue: Session, make_user: Callable[..., User]
) -> None:
    for locale, words in (
        ("zh_Hans", ("市级部门", "上限（元）")),
        ("en", ("a municipal department", "Cap (yuan)")),
    ):
        client.cookies.clear()
        user = make_user(role=Role.enterprise_staff, locale=locale)
        csrf = login(client, user.username)
        form = {"csrf_token": csrf, "fact_recognition_level": "municipal", "fact_assessed_amount": "100"}
        refused = visible(client.post("/policy/measures/hn2023.4.rnd-center/quote", data=form).text)
        assert words[0] in refused and words[1] in refused and "5,000,000.00" in refused
        for code in ("recognition_level", "is municipal", "为 municipal", "hn2023", " cap "):
            assert code not in refused, (locale, code)
    threshold = visible(
        client.post(
            "/policy/measures/zj2024.11.key-support-list/quote",
            data={"csrf_token": csrf, "fact_rnd_expense": "1", "fact_revenue": "100", "on": "2025-01-01"},
        ).text
    )
    assert "rnd_expense" not in threshold and "R&amp;D expense" in threshold


def test_the_english_page_shows_the_simplified_text_with_the_original_on_request(
    client: TestClient, catalogue: Session, make_user: Callable[..., User]
) -> None:
    login(client, make_user(role=Role.enterprise_staff, locale="en").username)
    page = client.get("/policy/measures/hn2023.4.rnd-center").text
    simplified, traditional = "对经省级及以上部门认定的中心", "對經省級及以上部門認定的中心"
    assert page.index(simplified) < page.index('data-testid="original-text"') < page.index(traditional)


def test_a_round_shows_places_and_published_scores_out_of_100_with_z_scores_behind(
    client: TestClient,
    catalogue: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
) -> None:
    db = catalogue
    officer = Principal.of(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    criteria = [
        {"key": "innovation", "name": "创新性", "max": 60},
        {"key": "feasibility", "name": "可行性", "max": 40},
    ]
    selection = rounds.create_round(
        db, officer, measure_id="hn2023.2.challenge-list", year=2025, title="揭榜挂帅", criteria=criteria,
        deadline=date(2099, 5, 31), quota=10,
    )  # fmt: skip
    db.commit()
    viewer = make_user(role=Role.enterprise_staff, org=make_org("观察企业", region_code="430105"))
    login(client, viewer.username)
    assert "名额 10 个，已报名 0 项" in client.get(f"/policy/rounds/{selection.id}").text
    firms = [make_org(f"企业{n}", region_code="430105") for n in range(2)]
    entries = [
        rounds.submit_entry(db, Principal.of(make_user(org=firm)), selection.id, title=f"芯片{n}", summary=None,
                            on=date(2025, 5, 1))
        for n, firm in enumerate(firms)
    ]  # fmt: skip
    expert = make_user(role=Role.reviewer, org=make_org("高校"))
    rounds.add_expert(db, officer, selection.id, user_id=expert.id)
    rounds.close_entries(db, officer, selection.id)
    rounds.score_entry(db, Principal.of(expert), entries[0].id, marks={"innovation": 54, "feasibility": 36})
    rounds.score_entry(db, Principal.of(expert), entries[1].id, marks={"innovation": 30, "feasibility": 20})
    rounds.publish(db, officer, selection.id)
    db.commit()
    page = client.get(f"/policy/rounds/{selection.id}").text
    assert "名额 10 个，共报名 2 项" in page
    assert '<b data-testid="points">90.0</b>' in page and "标准分（z）" in page and "+1.00" in page
