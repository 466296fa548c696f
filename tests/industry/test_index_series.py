"""Index series, pillar contributions to the change and method changes, against values worked out by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError
from avbase.industry import index_series, index_service
from avbase.industry.models import Enterprise, UnitLevel
from avbase.industry.reports import file_report
from avbase.industry.schemas import ReportIn
from tests.conftest import login
from tests.industry.conftest import ON, PILLARS, definition_in
from tests.industry.test_raw_codes import raw_codes, visible_text


def test_the_headline_series_and_its_pillar_contributions(db: Session, hunan: dict[str, Enterprise]) -> None:
    definition = index_service.latest_definition(db, "hn-test")
    view = index_series.index_series(db, definition)
    assert view.periods == [2021, 2022, 2023]
    (province,) = view.units
    assert province.unit == "430000"
    points = {p.period: p for p in province.points}
    # 2021 = 100. 2022: scale 250/200 = 125, innovation 30/20 = 150 → (3·125 + 150)/4 = 131.25.
    # 2023: scale 200/200 = 100, innovation 50/20 = 250 → (3·100 + 250)/4 = 137.5.
    assert [points[y].composite for y in (2021, 2022, 2023)] == pytest.approx([100.0, 131.25, 137.5])
    assert points[2022].pillars == pytest.approx({"scale": 125.0, "innovation": 150.0})
    assert points[2021].change is None
    # 2022: +31.25 = scale ¾·25 + innovation ¼·50.
    assert points[2022].change == pytest.approx(31.25)
    assert points[2022].contributions == pytest.approx({"scale": 18.75, "innovation": 12.5})
    assert points[2022].change_pct == pytest.approx(31.25)
    # 2023: +6.25 = scale ¾·(100 − 125) + innovation ¼·(250 − 150); per cent of 131.25.
    assert points[2023].contributions == pytest.approx({"scale": -18.75, "innovation": 25.0})
    assert points[2023].change_pct == pytest.approx(100 * 6.25 / 131.25)
    assert points[2023].contributions_pct == pytest.approx(
        {"scale": -100 * 18.75 / 131.25, "innovation": 100 * 25 / 131.25}
    )
    for point in province.points[1:]:
        assert sum(point.contributions.values()) == pytest.approx(point.change)
        assert sum(point.contributions_pct.values()) == pytest.approx(point.change_pct)
    assert {p.version for p in province.points} == {1}
    assert view.method_changes == []


def test_the_city_sub_index_ranks_each_city_against_its_own_base(
    db: Session, hunan: dict[str, Enterprise]
) -> None:
    definition = index_service.latest_definition(db, "hn-test")
    view = index_series.index_series(db, definition, UnitLevel.city)
    by_unit = {u.unit: u for u in view.units}
    assert {u: s.name for u, s in by_unit.items()} == {"430100": "长沙市", "430200": "株洲市"}
    changsha, zhuzhou = by_unit["430100"], by_unit["430200"]
    # 长沙: 2022 scale 150, innovation 100 → 137.5; 2023 scale 150, innovation 300 → 187.5.
    # 株洲: 2022 scale 100, innovation 200 → 125; 2023 scale 50, innovation 200 → 87.5.
    assert [p.composite for p in changsha.points] == pytest.approx([100.0, 137.5, 187.5])
    assert [p.composite for p in zhuzhou.points] == pytest.approx([100.0, 125.0, 87.5])
    assert changsha.at(2023).rank == 1 and zhuzhou.at(2023).rank == 2  # type: ignore[union-attr]
    assert zhuzhou.at(2023).contributions == pytest.approx({"scale": -37.5, "innovation": 0.0})  # type: ignore[union-attr]


def test_a_method_change_applies_from_the_first_unfrozen_period_and_is_marked(
    db: Session, hunan: dict[str, Enterprise], hn_officer: Principal
) -> None:
    v1 = index_service.latest_definition(db, "hn-test")
    frozen = index_series.freeze(db, hn_officer, v1, UnitLevel.province, 2022)
    assert [p.period for p in frozen] == [2021, 2022]
    # Equal weights from now on (version 2): 2022 would be (125 + 150)/2 = 137.5 but stays 131.25.
    pillars = [{**p, "weight": 1} for p in PILLARS]
    v2 = index_service.save_definition(db, definition_in(pillars=pillars))
    assert v2.version == 2
    # A late correction of 2022 does not move the frozen point either.
    file_report(db, hn_officer, hunan["A"],
                ReportIn(period="2022", revenue_content=Decimal(900), rnd_expense=Decimal(10), note="修正"), on=ON)  # fmt: skip
    view = index_series.index_series(db, v2)
    points = {p.period: p for p in view.units[0].points}
    assert [(p.period, p.version, p.frozen) for p in view.units[0].points] == [
        (2021, 1, True), (2022, 1, True), (2023, 2, False)
    ]  # fmt: skip
    assert points[2022].composite == pytest.approx(131.25)
    # 2023 with v2: (100 + 250)/2 = 175, marked as a method change; the split still adds up:
    # scale ½·100 − ¾·125 = −43.75, innovation ½·250 − ¼·150 = 87.5.
    assert points[2023].composite == pytest.approx(175.0)
    assert points[2023].method_change and not points[2022].method_change
    assert view.method_changes == [2023]
    assert points[2023].contributions == pytest.approx({"scale": -43.75, "innovation": 87.5})
    # Freezing again keeps what is frozen and adds only the new period.
    assert [p.period for p in index_series.freeze(db, hn_officer, v2, UnitLevel.province, 2023)] == [2023]


def test_an_index_normalised_within_each_year_has_no_series(
    db: Session, hunan: dict[str, Enterprise]
) -> None:
    definition = index_service.save_definition(
        db,
        definition_in(
            name="hn-minmax", normalisation="minmax", base_period=None, unit_level="city", sub_levels=[]
        ),
    )
    assert not index_series.has_series(definition)
    with pytest.raises(AvbaseError, match="no time series"):
        index_series.index_series(db, definition)
    with pytest.raises(AvbaseError) as refused:
        index_series.index_series(db, index_service.latest_definition(db, "hn-test"), UnitLevel.park)
    assert refused.value.field == "level"


def test_sub_index_ranking_and_sensitivity_need_two_units(db: Session, hunan: dict[str, Enterprise]) -> None:
    definition = index_service.latest_definition(db, "hn-test")
    cities = index_series.index_series(db, definition, UnitLevel.city)
    ranked = index_series.ranking(cities, 2023)
    assert [(r.name, r.rank) for r in ranked] == [("长沙市", 1), ("株洲市", 2)]
    assert ranked[1].change_pct == pytest.approx(-30.0)  # 125 → 87.5
    view = index_series.sensitivity_at(db, cities, 2023)
    assert view is not None and view.scenarios[0] == "equal"
    # Equal weights: 长沙 (150 + 300)/2 = 225, 株洲 (50 + 200)/2 = 125: no rank moves.
    assert view.mean_shift["equal"] == 0
    # Without scale, 长沙 300 against 株洲 200 still leads; without innovation 150 against 50 as well.
    assert all(row.max_shift == 0 for row in view.rows)
    province = index_series.index_series(db, definition)
    assert index_series.sensitivity_at(db, province, 2023) is None


def test_the_index_page_and_the_api_show_the_series_to_officers_only(
    client: TestClient,
    db: Session,
    hunan: dict[str, Enterprise],
    hn_officer: Principal,
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    db.commit()
    login(client, hn_officer.username)
    html = client.get("/industry/index?definition=hn-test&period=2023").text
    series = html[html.index('id="index-series"') :]
    assert "131.25" in series and "137.50" in series and "+4.76%" in series
    assert 'id="sub-index-city"' in html and "长沙市" in html
    start = html.index('id="index-series-head"')
    section = html[html.index(">", start) + 1 : html.index('id="sensitivity-summary"')]
    assert raw_codes(visible_text(section), chinese=True) == []
    # The headline ranks one unit: a sentence instead of a table of zeros.
    assert "没有可显示的敏感性分析" in html
    assert client.get("/industry/index?definition=hn-test&lang=en").status_code == 200

    officer = db.get(User, hn_officer.user_id)
    assert officer is not None
    found = client.get(
        "/api/v1/industry/index/hn-test/series", params={"level": "city"}, headers=api_token(officer)
    ).json()
    assert found["periods"] == [2021, 2022, 2023] and found["level"] == "city"
    zhuzhou = next(u for u in found["units"] if u["unit"] == "430200")
    assert [p["composite"] for p in zhuzhou["points"]] == pytest.approx([100.0, 125.0, 87.5])
    assert zhuzhou["points"][2]["contributions"] == pytest.approx({"scale": -37.5, "innovation": 0.0})

    staff = make_user(role=Role.enterprise_staff, org=db.get(Organisation, hunan["A"].org_id))
    assert client.get("/api/v1/industry/index/hn-test/series", headers=api_token(staff)).status_code == 403
    client.cookies.clear()
    login(client, staff.username)
    assert client.get("/industry/index?definition=hn-test").status_code == 403


def test_the_index_page_marks_a_method_change_and_the_published_points(
    client: TestClient, db: Session, hunan: dict[str, Enterprise], hn_officer: Principal
) -> None:
    v1 = index_service.latest_definition(db, "hn-test")
    index_series.freeze(db, hn_officer, v1, UnitLevel.province, 2022)
    index_service.save_definition(db, definition_in(pillars=[{**p, "weight": 1} for p in PILLARS]))
    db.commit()
    login(client, hn_officer.username)
    html = client.get("/industry/index?definition=hn-test&period=2023").text
    table = html[html.index('id="index-series"') : html.index("</table>", html.index('id="index-series"'))]
    rows = table.split("<tr>")[2:]
    assert "已发布" in rows[1] and "v1" in rows[1] and "方法变更" not in rows[1]
    assert "初步" in rows[2] and "v2" in rows[2] and "方法变更" in rows[2] and "175.00" in rows[2]
    # The marker on the charts (the figures' JSON escapes non-ASCII characters).
    assert html.count("\\u65b9\\u6cd5 v2") == 2


def test_the_series_ends_with_the_last_ended_year(
    db: Session, hunan: dict[str, Enterprise], monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = index_service.latest_definition(db, "hn-test")
    monkeypatch.setattr(index_series, "today", lambda: date(2023, 6, 30))
    assert index_series.periods(db, definition) == [2021, 2022]
    assert [p.period for p in index_series.index_series(db, definition).units[0].points] == [2021, 2022]
