"""The sheet reader alone: units, percentages, headers over two rows, totals and notes, column matching."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from avbase.kit.sheets import (
    YUAN,
    FieldSpec,
    Match,
    Unit,
    Vocabulary,
    match_title,
    money,
    percentage,
    read_table,
)

VOCABULARY = Vocabulary(
    fields=(
        FieldSpec("code", ("代码",), ("编码",), required=True),
        FieldSpec("revenue", ("收入",), ("营业收入", "销售收入"), kind="money"),
        FieldSpec("cost", ("成本",), ("营业成本",), kind="money"),
        FieldSpec("margin", ("毛利率",), ("利润率",), kind="percent"),
    ),
    ignored=frozenset({"序号"}),
)


def test_money_scales_exactly_to_the_fen_and_rounds_half_up_once() -> None:
    wan = Unit("万元", Decimal(10_000))
    assert money(7622.0538, wan) == Decimal("76220538.00")
    assert money("1,234.56785", YUAN) == Decimal("1234.57")
    assert money(0.1 + 0.2, Unit("亿元", Decimal(100_000_000))) == Decimal("30000000.00")
    assert money("n/a", wan) == "n/a"  # left for the field's own check to name


def test_a_percentage_is_read_as_its_header_says() -> None:
    assert percentage("12.5%", header_says_percent=False) == Decimal("0.125")
    assert percentage("12.5%", header_says_percent=True) == Decimal("0.125")
    assert percentage(12.5, header_says_percent=True) == Decimal("0.125")
    assert percentage(0.125, header_says_percent=False) == Decimal("0.125")


def test_titles_are_known_mapped_guessed_or_unmatched() -> None:
    assert match_title("代码", VOCABULARY, {})[:2] == ("code", Match.known)
    assert match_title("营业收入（万元）", VOCABULARY, {})[:2] == ("revenue", Match.guessed)
    assert match_title("联系人", VOCABULARY, {})[:2] == (None, Match.unmatched)
    assert match_title("联系人", VOCABULARY, {"联系人": ""})[:2] == (None, Match.ignored)
    assert match_title(" 销 售 额 ", VOCABULARY, {"销售额": "revenue"})[:2] == ("revenue", Match.mapped)
    assert match_title("序号", VOCABULARY, {})[:2] == (None, Match.ignored)


def test_a_csv_form_with_title_unit_two_row_header_subtotal_total_and_notes(tmp_path: Path) -> None:
    lines = [
        "某市视听企业统计表,,,,",
        ",,,单位：万元,",
        "代码,金额,,毛利率（%）,序号",
        ",收入,成本,,",
        "A1,1.5,0.5,12.5,1",
        "A2,2,1,10%,2",
        "小计,3.5,1.5,,",
        "A3,0.0001,-,,3",
        "合计,3.5001,1.5,,",
        "注：金额单位为万元。,,,,",
    ]
    path = tmp_path / "form.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path, VOCABULARY, mapping={})
    assert table.header_rows == (3, 4) and table.unit == Unit("万元", Decimal(10_000))
    assert [(c.title, c.field) for c in table.columns[:4]] == [
        ("代码", "code"),
        ("金额/收入", "revenue"),
        ("金额/成本", "cost"),
        ("毛利率（%）", "margin"),
    ]
    assert [r.values for r in table.rows] == [
        {
            "code": "A1",
            "revenue": Decimal("15000.00"),
            "cost": Decimal("5000.00"),
            "margin": Decimal("0.125"),
        },
        {"code": "A2", "revenue": Decimal("20000.00"), "cost": Decimal("10000.00"), "margin": Decimal("0.1")},
        {"code": "A3", "revenue": Decimal("1.00"), "cost": None, "margin": None},
    ]
    assert [(t.number, t.kind, t.rows) for t in table.totals] == [(7, "subtotal", 2), (9, "total", 3)]
    assert table.problems == [] and table.skipped == [1, 2, 10]


def test_a_total_that_is_not_the_sum_is_a_problem_of_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("代码,收入,成本\nA1,1,2\nA2,2,2\n合计,3,5\n", encoding="utf-8")
    [problem] = read_table(path, VOCABULARY).problems
    assert (problem.row, problem.column, problem.params["sum"]) == (4, "cost", "4.00")
