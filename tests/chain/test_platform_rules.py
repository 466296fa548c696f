"""The platforms' published rules as dated parameter sets, each quoted by hand to the fen."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from avbase.chain.settlement.params import ParameterError
from avbase.chain.settlement.platform import RULE_SETS
from avbase.chain.settlement.revenue_models import quote
from avbase.chain.settlement.waterfall import Quote
from tests.conftest import run_cli

ON = date(2026, 3, 31)


def revenue(result: Quote) -> D:
    return result.amount("revenue")


def steps(result: Quote, key: str) -> list[D]:
    return [line.amount for line in result.lines if line.key == key]


def refused(model: str, params: dict[str, str], on: date = ON) -> str:
    with pytest.raises(ParameterError) as raised:
        quote(model, params, on=on)
    return str(raised.value.field)


def test_every_rule_set_names_its_source_with_a_date_and_runs_its_own_model() -> None:
    for rule in RULE_SETS.values():
        assert rule.content in {"网络电影", "网络剧", "微短剧"}
        assert any(str(year) in rule.source for year in range(2019, 2027)), rule.name
        with pytest.raises(ParameterError) as raised:
            quote(rule.model, {"rules": rule.name}, on=rule.effective_from.replace(year=2018))
        assert raised.value.field == "rules"


# --- 优酷 网络剧 播后定级 (2022-01-17): hours ÷ runtime, whole volume, the ≤ boundary -------------------

POST = {"rules": "youku-series-post-grade-2022", "runtime_hours": "18"}


def test_youku_post_grade_prices_complete_viewings_at_the_tier_reached() -> None:
    # 1,000,000 hours ÷ 18 = 55,555.555… complete viewings × 3 yuan = 166,666.666… → 166,666.67.
    result = quote("member-hours", POST | {"hours": "1000000"}, on=ON)
    assert steps(result, "hours") == [D("166666.67")]
    assert revenue(result) == D("166666.67") and result.parts["producer"] == D("166666.67")
    assert result.lines[0].params["viewings"] == "55,555.56"
    assert result.parameters["price_tiers"][1].startswith(
        "youku-series-post-grade-2022: 优酷网络剧「播后定级」"
    )


@pytest.mark.parametrize(
    ("index", "price"),
    [
        ("500000", "3"),  # 指数 ≤ 50万: still 3 yuan
        ("500000.5", "10"),
        ("1000000", "10"),  # ≤ 100万
        ("1000001", "20"),
        ("1500000", "20"),  # ≤ 150万
        ("1500000.01", "25"),
    ],
)
def test_youku_post_grade_tier_boundaries_belong_to_the_tier_below(index: str, price: str) -> None:
    result = quote("member-hours", POST | {"runtime_hours": "1", "hours": index}, on=ON)
    assert revenue(result) == (D(index) * D(price)).quantize(D("0.01"))


def test_youku_post_grade_counts_the_viewings_of_earlier_periods() -> None:
    # 9,000,000 hours before = 500,000 viewings; 18 more hours = 1 viewing: 500,001 > 50万 → 10 yuan.
    result = quote("member-hours", POST | {"hours_before": "9000000", "hours": "18"}, on=ON)
    assert revenue(result) == D("10.00")
    at_threshold = quote("member-hours", POST | {"hours_before": "8999982", "hours": "18"}, on=ON)
    assert revenue(at_threshold) == D("3.00")


def test_youku_post_grade_needs_the_runtime_and_its_dates() -> None:
    assert refused("member-hours", {"rules": "youku-series-post-grade-2022", "hours": "1"}) == "runtime_hours"
    assert refused("member-hours", POST | {"hours": "1"}, on=date(2022, 1, 16)) == "rules"
    assert refused("member-hours", POST | {"hours": "1", "runtime_hours": "0"}) == "runtime_hours"


# --- 优酷 网络剧 播前定级 (2019): grade price per complete viewing × the episode coefficient ----------------

PRE = {"rules": "youku-series-pre-grade-2019", "runtime_hours": "18", "grade": "A", "member_factor": "1.1"}


def test_youku_pre_grade_prices_complete_viewings_by_grade_times_the_coefficient() -> None:
    result = quote("member-hours", PRE | {"hours": "1000000"}, on=ON)
    # 55,555.555… viewings × 20 = 1,111,111.11; × 1.1 = 1,222,222.221 → 1,222,222.22.
    assert steps(result, "hours") == [D("1111111.11")]
    assert steps(result, "member_factor") == [D("1222222.22")]
    assert revenue(result) == D("1222222.22")
    c_grade = quote("member-hours", PRE | {"hours": "36", "grade": "C", "member_factor": "1"}, on=ON)
    assert revenue(c_grade) == D("10.00")  # 2 viewings × 5 yuan


@pytest.mark.parametrize("missing", ["runtime_hours", "grade", "member_factor"])
def test_youku_pre_grade_refuses_a_quote_without_what_the_source_leaves_open(missing: str) -> None:
    params = {k: v for k, v in PRE.items() if k != missing} | {"hours": "1"}
    assert refused("member-hours", params) == missing


def test_youku_pre_grade_refuses_an_unknown_grade_and_dates_before_it() -> None:
    assert refused("member-hours", PRE | {"hours": "1", "grade": "D"}) == "grade"
    assert refused("member-hours", PRE | {"hours": "1"}, on=date(2019, 4, 2)) == "rules"


# --- 腾讯视频 微短剧 (2022-04-02): member hours × the grade's price per hour ------------------------------


@pytest.mark.parametrize(("grade", "expected"), [("S", "24691.00"), ("A", "18518.25"), ("B", "12345.50")])
def test_tencent_micro_drama_prices_member_hours_by_grade(grade: str, expected: str) -> None:
    result = quote(
        "member-hours", {"rules": "tencent-micro-drama-2022", "hours": "12345.5", "grade": grade}, on=ON
    )
    assert steps(result, "hours") == [D(expected)] and revenue(result) == D(expected)


def test_tencent_micro_drama_needs_a_grade_it_publishes_and_its_dates() -> None:
    rule = {"rules": "tencent-micro-drama-2022", "hours": "1"}
    assert refused("member-hours", rule) == "grade"
    assert refused("member-hours", rule | {"grade": "C"}) == "grade"
    assert refused("member-hours", rule | {"grade": "S"}, on=date(2022, 4, 1)) == "rules"


# --- 腾讯视频 网络电影 2025: effective views × 2 yuan × the new-member ladder coefficient ---------------


def test_tencent_2025_film_prices_effective_views_times_the_coefficient() -> None:
    rule = {"rules": "tencent-online-film-2025", "views": "123457"}
    result = quote("effective-views", rule | {"member_factor": "1.15"}, on=ON)
    # 123,457 × 2 = 246,914.00; × 1.15 = 283,951.10.
    assert steps(result, "views") == [D("246914.00")]
    assert steps(result, "member_factor") == [D("283951.10")]
    assert revenue(result) == D("283951.10")
    assert refused("effective-views", rule) == "member_factor"
    assert refused("effective-views", rule | {"member_factor": "1"}, on=date(2024, 12, 31)) == "rules"


# --- 爱奇艺 剧情短视频 (微短剧) 2019: member and advertising revenue 5:5 ----------------------------------


def test_iqiyi_2019_micro_drama_splits_member_and_advertising_revenue_half_and_half() -> None:
    rule = {"rules": "iqiyi-micro-drama-2019", "member_revenue": "812345.67", "ad_revenue": "204567.89"}
    result = quote("revenue-share", rule, on=ON)
    # 406,172.835 → 406,172.84; 102,283.945 → 102,283.95.
    assert steps(result, "member_revenue") == [D("406172.84")]
    assert steps(result, "ad_revenue") == [D("102283.95")]
    assert revenue(result) == D("508456.79")
    assert refused("revenue-share", rule, on=date(2019, 3, 21)) == "rules"


# --- 优酷 网络故事片 2026: member revenue × 100 % × 拉新系数 (at most 1.2) --------------------------------

YOUKU_FILM = {"rules": "youku-online-film-2026", "member_revenue": "1234567.89"}


def test_youku_2026_film_shares_all_member_revenue_times_the_new_member_coefficient() -> None:
    result = quote("revenue-share", YOUKU_FILM | {"member_factor": "1.15"}, on=ON)
    # 1,234,567.89 × 100 % = 1,234,567.89; × 1.15 = 1,419,753.0735 → 1,419,753.07.
    assert steps(result, "member_revenue") == [D("1234567.89")]
    assert steps(result, "member_factor") == [D("1419753.07")]
    assert revenue(result) == D("1419753.07")
    top = quote("revenue-share", YOUKU_FILM | {"member_factor": "1.2"}, on=ON)
    assert revenue(top) == D("1481481.47")  # 1,481,481.468


def test_youku_2026_film_caps_the_coefficient_and_starts_on_new_year() -> None:
    assert refused("revenue-share", YOUKU_FILM | {"member_factor": "1.21"}) == "member_factor"
    assert refused("revenue-share", YOUKU_FILM) == "member_factor"
    assert refused("revenue-share", YOUKU_FILM | {"member_factor": "1"}, on=date(2025, 12, 31)) == "rules"


# --- 爱奇艺 网络电影 2026: revenue × a share tiered by the film's revenue (marginal) -----------------------

EXCLUSIVE = {"rules": "iqiyi-online-film-2026-exclusive"}


def test_iqiyi_2026_exclusive_sums_the_share_of_each_revenue_tier() -> None:
    result = quote("revenue-share", EXCLUSIVE | {"member_revenue": "4000000", "ad_revenue": "2000000"}, on=ON)
    assert steps(result, "title_revenue") == [D("6000000.00")]
    # 100万 × 80 % + 400万 × 100 % + 100万 × 120 %.
    assert steps(result, "revenue_tier") == [D("800000.00"), D("4000000.00"), D("1200000.00")]
    assert revenue(result) == D("6000000.00")


@pytest.mark.parametrize(
    ("before", "member", "expected"),
    [
        ("0", "1000000", "800000.00"),  # ≤ 100万: all at 80 %
        ("0", "1000000.01", "800000.01"),  # the cent above 100万 at 100 %
        ("4500000", "1000000", "1100000.00"),  # 50万 at 100 % + 50万 at 120 %
        ("0", "333333.33", "266666.66"),  # 266,666.664
    ],
)
def test_iqiyi_2026_exclusive_tier_boundaries(before: str, member: str, expected: str) -> None:
    result = quote("revenue-share", EXCLUSIVE | {"revenue_before": before, "member_revenue": member}, on=ON)
    assert revenue(result) == D(expected)


def test_iqiyi_2026_non_exclusive_is_a_flat_80_percent() -> None:
    result = quote(
        "revenue-share",
        {
            "rules": "iqiyi-online-film-2026-non-exclusive",
            "member_revenue": "1000000.05",
            "ad_revenue": "333333.33",
        },
        on=ON,
    )
    assert steps(result, "member_revenue") == [D("800000.04")]
    assert steps(result, "ad_revenue") == [D("266666.66")]
    assert revenue(result) == D("1066666.70")


def test_iqiyi_2026_refuses_dates_before_it_and_mixed_shares() -> None:
    assert refused("revenue-share", EXCLUSIVE | {"member_revenue": "1"}, on=date(2026, 1, 14)) == "rules"
    assert (
        refused("revenue-share", EXCLUSIVE | {"member_revenue": "1", "member_share": "50%"}) == "share_tiers"
    )


def test_a_whole_volume_share_tier_honours_the_boundary() -> None:
    params = {"share_tiers": "0:80%,100万:100%", "tier_mode": "whole", "member_revenue": "1000000"}
    assert revenue(quote("revenue-share", params, on=ON)) == D("1000000.00")
    above = quote("revenue-share", params | {"tier_boundary": "above"}, on=ON)
    assert revenue(above) == D("800000.00")


def test_the_old_rule_sets_quote_as_before() -> None:
    params = {"hours": "1000000", "hours_before": "1500000", "rules": "iqiyi-online-film-2024"}
    assert revenue(quote("member-hours", params, on=ON)) == D("1500000.00")
    plain = quote("member-hours", {"hours": "10", "price": "1.5"}, on=ON)
    assert plain.lines[0].msgid == "{hours} member hours × {price} per hour: {amount}"


# --- the command line -------------------------------------------------------------------------------------


def test_quote_a_published_rule_from_the_command_line(tmp_path: Path) -> None:
    done = run_cli(
        tmp_path,
        "chain",
        "quote",
        "member-hours",
        "--param",
        "rules=youku-series-post-grade-2022",
        "--param",
        "hours=1000000",
        "--param",
        "runtime_hours=18",
        "--param",
        "on=2024-11-30",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["parts"]["producer"] == "166666.67"
    assert result["steps"][0]["text"] == (
        "1,000,000 member hours ÷ 18 hours of runtime = 55,555.56 complete viewings × 3 each "
        "(the tier the title's 55,555.56 complete viewings reached): 166,666.67"
    )
    assert result["parameters"]["tier_boundary"]["source"].startswith("youku-series-post-grade-2022:")
    early = run_cli(
        tmp_path,
        "chain",
        "quote",
        "member-hours",
        "--param",
        "rules=youku-series-post-grade-2022",
        "--param",
        "hours=1",
        "--param",
        "runtime_hours=18",
        "--param",
        "on=2022-01-16",
        "--json",
    )
    assert early.returncode == 2 and "rules" in early.stderr and early.stdout == ""


def test_the_rule_sets_are_listed_with_their_dates_and_sources(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "chain", "rules", "--model", "member-hours", "--json")
    assert done.returncode == 0, done.stderr
    listed = {rule["name"]: rule for rule in json.loads(done.stdout)}
    assert set(listed) == {name for name, rule in RULE_SETS.items() if rule.model == "member-hours"}
    post = listed["youku-series-post-grade-2022"]
    assert post["effective_from"] == "2022-01-17" and post["effective_until"] is None
    assert post["requires"] == ["runtime_hours"] and "驱动中国 2022-01-18" in post["source"]
