"""Rankings of developers and creators by a scheme kept as data, the top-ranked put forward to a policy
round; the expert think tank drawing a panel without conflicts; the talent directory."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden
from avbase.core.jobs.worker import Worker
from avbase.ecosystem import contests, experts, profiles, resources, talent
from avbase.kit.dates import today
from avbase.policy import rounds
from tests.conftest import login


@pytest.fixture
def officer(make_org: Callable[..., Organisation], make_user: Callable[..., User]) -> Principal:
    org = make_org(kind=OrgKind.authority, region_code="330000")  # the people below are Zhejiang's
    return Principal.of(make_user(role=Role.authority_officer, org=org))


def a_round(db: Session, officer: Principal) -> int:
    from avbase.policy.catalogue import load_catalogue

    load_catalogue(db)
    made = rounds.create_round(
        db, officer, measure_id="zj2024.12.innovative-products", year=today().year, title="优秀开发者与创作者",
        criteria=[{"key": "merit", "name": "成绩", "max": 100}], deadline=date(today().year, 12, 31), quota=2,
    )  # fmt: skip
    db.commit()
    return made.id


def test_the_ranking_follows_the_formula_and_feeds_a_policy_round(
    db: Session, clean_engine: Engine, tmp_path: Path, officer: Principal, make_user: Callable[..., User]
) -> None:
    a, b, c, d, e = (Principal.of(make_user(name)) for name in ("ada", "bo", "cy", "di", "ed"))
    first = resources.publish(db, a, kind="model", title="A", description="", licence="MIT")
    (tmp_path / "a").write_bytes(b"a")
    resources.add_version(db, a, first.id, version="1", files=[(tmp_path / "a", "a.bin")])
    second = resources.publish(db, b, kind="code", title="B", description="", licence="MIT")
    for version in ("1", "2"):
        (tmp_path / version).write_bytes(version.encode())
        resources.add_version(db, b, second.id, version=version, files=[(tmp_path / version, "b.bin")])
    db.commit()
    reader = Principal.of(make_user())
    for _ in range(3):
        resources.download(db, reader, first.versions[0].files[0].id)
    resources.download(db, reader, second.versions[0].files[0].id)
    resources.rate(db, reader, first.id, 4)
    # A contest closed this year: cy first (100 points), di second (50), ed last (0).
    truth = {"clips": {n: {"loudness": -23.0} for n in "wxyz"}}
    contest = contests.create_contest(db, officer, title="响度", metric="loudness-mae", truth=json.dumps(truth).encode(),
                                      truth_name="t.json", public_share=0.5, daily_limit=3)  # fmt: skip
    for who, value in ((c, -23.0), (d, -24.0), (e, -30.0)):
        data = json.dumps({"clips": {n: {"loudness": value} for n in "wxyz"}}).encode()
        contests.submit(db, who, contest.id, data=data, file_name="p.json")
    db.commit()
    Worker(clean_engine).run_until_idle()
    contests.close_contest(db, officer, contest.id)
    db.commit()

    period = profiles.parse_period(str(today().year))
    scheme = profiles.scheme(db)
    ranked = profiles.ranking(db, period, scheme)
    # ada: downloads 3 → 100, rating 4 stars → 80, versions 1 → 50: 0.4×100 + 0.2×80 + 0.1×50 = 61.
    # cy: contest points 100 → 0.3×100 = 30. bo: downloads 1 → 33.3, versions 2 → 100: 13.33 + 10 = 23.33.
    # di: 50 points → 15. ed: 0.
    assert [(r.user_id, round(r.score, 2)) for r in ranked] == [
        (a.user_id, 61.0), (c.user_id, 30.0), (b.user_id, 23.33), (d.user_id, 15.0), (e.user_id, 0.0),
    ]  # fmt: skip
    assert profiles.formula(scheme)[0] == (0.4, profiles.INDICATORS["downloads"])

    round_id = a_round(db, officer)
    with pytest.raises(Forbidden):
        profiles.nominate(db, a, round_id=round_id, period=period, ranking_scheme=scheme, top=2)
    made = profiles.nominate(db, officer, round_id=round_id, period=period, ranking_scheme=scheme, top=2)
    db.commit()
    entries = rounds.get_round(db, round_id).entries
    assert [e.id for e in entries] == made and [e.org_id for e in entries] == [a.org_id, c.org_id]
    assert entries[0].title.startswith("Test User（") and "第 1 名" in entries[0].title, entries[0].title
    with pytest.raises(Conflict):
        profiles.nominate(db, officer, round_id=round_id, period=period, ranking_scheme=scheme, top=1)
    with pytest.raises(AvbaseError):
        profiles.save_scheme(db, officer, key="x", title="x", weights={"downloads": 0.5, "rating": 0.4})
    profile = profiles.profile(db, c.user_id)
    assert [(r.title, r.rank, r.participants, r.final) for r in profile["contests"]] == [("响度", 1, 3, True)]


def test_a_panel_is_drawn_from_the_think_tank_without_conflicts(
    db: Session, officer: Principal, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    entrant_org = make_org("芒果TV")
    members = [make_user(f"expert{n}") for n in range(3)]
    members[0].org_id = entrant_org.id  # works for an entrant
    db.commit()
    for n, member in enumerate(members):
        conflicts = [entrant_org.id] if n == 1 else []  # declared a conflict with the entrant
        experts.register(db, officer, user_id=member.id, title="教授", fields=["超高清"], conflicts=conflicts)
    experts.register(db, officer, user_id=make_user("other").id, title="研究员", fields=["音频"])
    with pytest.raises(Forbidden):
        experts.register(db, Principal.of(make_user()), user_id=members[0].id, title="x", fields=["y"])
    round_id = a_round(db, officer)
    rounds.submit_entry(db, Principal.of(make_user(org=entrant_org)), round_id, title="8K 转播车", summary=None,
                        on=today())  # fmt: skip
    with pytest.raises(Conflict):
        experts.draw_panel(db, officer, round_id, field="超高清", size=2)  # only expert2 is free of conflicts
    [drawn] = experts.draw_panel(db, officer, round_id, field="超高清", size=1)
    assert drawn.user_id == members[2].id
    assert [e.user_id for e in rounds.get_round(db, round_id).experts] == [members[2].id]


def test_the_talent_directory_adds_demands_up_by_field_and_city(
    client: TestClient, db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    one, two, three = (
        Principal.of(make_user(org=make_org(region_code=code))) for code in ("430105", "430104", "430200")
    )
    talent.post(db, one, role="HDR 调色师", field="超高清", level="senior", count=2)
    talent.post(db, two, role="8K 摄影师", field="超高清", level="leading", count=1)
    talent.post(db, three, role="声音设计", field="音频", level="junior", count=4)
    with pytest.raises(Forbidden):
        talent.post(
            db, Principal.of(make_user(role=Role.creator)), role="x", field="y", level="junior", count=1
        )
    with pytest.raises(AvbaseError) as refused:
        talent.post(db, one, role="x", field="y", level="master", count=1)
    assert refused.value.field == "level"
    db.commit()
    rows = talent.directory(db, region_prefix="43")
    assert [(r.field, r.region, r.people, r.enterprises, r.by_level["senior"], r.by_level["leading"]) for r in rows] == [
        ("音频", "430200", 4, 1, 0, 0), ("超高清", "430100", 3, 2, 2, 1),
    ]  # fmt: skip
    login(client, make_user(role=Role.creator).username)
    book = load_workbook(io.BytesIO(client.get("/ecosystem/talent.xlsx?region=43").content)).active
    values = [[cell.value for cell in row] for row in book.iter_rows()]
    assert values[2][:4] == ["音频", "株洲市", 4, 1] and "8K 摄影师、HDR 调色师" in values[3]
    page = client.get("/ecosystem/talent")
    assert (
        "超高清" in page.text and 'method="post" action="/ecosystem/talent"' not in page.text
    )  # creators do not post


def test_rest_routes_of_rankings_experts_and_talent_allowed_and_refused(
    client: TestClient,
    officer: Principal,
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    creator, staff = api_token(make_user(role=Role.creator)), api_token(make_user(org=None))
    base = "/api/v1/ecosystem"
    board = client.get(f"{base}/rankings?period=2026-Q1", headers=creator)
    assert board.status_code == 200 and board.json()["formula"][0].startswith("40%")
    assert client.get(f"{base}/rankings?period=2026-Q5", headers=creator).status_code == 422
    expert = {"user_id": officer.user_id, "title": "教授", "fields": ["超高清"]}
    assert client.post(f"{base}/experts", json=expert, headers=creator).status_code == 403
    demand = {"role": "调色师", "field": "超高清", "level": "senior", "count": 2}
    assert client.post(f"{base}/talent", json=demand, headers=creator).status_code == 403
    assert client.post(f"{base}/talent", json=demand, headers=staff).status_code == 201
    rows = client.get(f"{base}/talent/directory", headers=creator).json()
    assert [(r["field"], r["people"]) for r in rows] == [("超高清", 2)]
    person = client.get(f"{base}/people/{officer.user_id}", headers=creator).json()
    assert (person["resources"], person["contests"], person["downloads"]) == ([], [], 0)
    assert client.get(f"{base}/people/999999", headers=creator).status_code == 404


def test_every_ecosystem_page_renders_in_both_languages(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    import re

    login(client, make_user("root", role=Role.admin).username)
    han = re.compile(r"[\u4e00-\u9fff]")
    for path in ("/ecosystem/contests", "/ecosystem/resources", "/ecosystem/data", "/ecosystem/people",
                 "/ecosystem/experts", "/ecosystem/talent"):  # fmt: skip
        client.cookies.set("avbase_locale", "zh_Hans")
        assert client.get(path).status_code == 200, path
        client.cookies.set("avbase_locale", "en")
        english = client.get(path)
        assert english.status_code == 200, path
        assert not han.findall(english.text.replace("中文", "")), path


def test_organisations_are_ranked_by_what_they_and_their_members_did(
    client: TestClient,
    db: Session,
    tmp_path: Path,
    officer: Principal,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    studio, lab = make_org("芒果工作室"), make_org("湘江实验室")
    p, q, r = (
        Principal.of(make_user(name, org=org)) for name, org in (("p", studio), ("q", studio), ("r", lab))
    )
    reader = Principal.of(make_user())
    for number, who in enumerate((p, q, r)):
        made = resources.publish(db, who, kind="model", title=f"M{number}", description="", licence="MIT")
        (tmp_path / str(number)).write_bytes(str(number).encode())
        resources.add_version(db, who, made.id, version="1", files=[(tmp_path / str(number), "m.bin")])
        for _ in range(2):
            resources.download(db, reader, made.versions[0].files[0].id)
    db.commit()
    period = profiles.parse_period(str(today().year))
    scheme = profiles.scheme(db)
    # Each person: 2 downloads, 1 version: all equal at 0.4×100 + 0.1×100 = 50.
    assert {round(row.score, 2) for row in profiles.ranking(db, period, scheme)} == {50.0}
    # The studio's two members make 4 downloads and 2 versions (100, 100 → 50); the lab's 2 and 1 (50 → 25).
    ranked = profiles.ranking(db, period, scheme, "organisations")
    assert [(row.org_id, row.user_id, round(row.score, 2)) for row in ranked] == [
        (studio.id, None, 50.0),
        (lab.id, None, 25.0),
    ]

    answer = client.get(
        "/api/v1/ecosystem/rankings",
        params={"period": period.label, "by": "organisations"},
        headers=api_token(make_user()),
    )
    assert answer.status_code == 200 and answer.json()["by"] == "organisations"
    assert [(row["organisation"], row["user"]) for row in answer.json()["rows"]] == [
        (studio.id, None),
        (lab.id, None),
    ]
    login(client, make_user().username)
    page = client.get(f"/ecosystem/people?by=organisations&period={period.label}").text
    assert page.index("芒果工作室") < page.index("湘江实验室")

    round_id = a_round(db, officer)
    hunan = make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    with pytest.raises(Forbidden):  # Zhejiang's round takes nominations from Zhejiang's authorities
        profiles.nominate(
            db, Principal.of(hunan), round_id=round_id, period=period, ranking_scheme=scheme, top=1
        )
    made = profiles.nominate(
        db, officer, round_id=round_id, period=period, ranking_scheme=scheme, top=1, by="organisations"
    )
    db.commit()
    assert [e.org_id for e in rounds.get_round(db, round_id).entries if e.id in made] == [studio.id]
