from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.industry.imports import ImportOptions, ImportRejected, preview, run_import
from avbase.industry.models import Enterprise, Report, YearlyFigure

ON = date(2026, 11, 22)


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_good_csv_imports_every_row_and_a_second_one_corrects(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a, b = make_enterprise(), make_enterprise()
    header = "统一社会信用代码,期间,视听内容生产收入,研发费用,从业人员"
    first = write_csv(
        tmp_path / "r.csv", [header, f"{a.credit_code},2025-Q1,100.50,5,10", f"{b.credit_code},2025,2000,0,3"]
    )
    result = run_import(db, officer, "reports", first, on=ON)
    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    again = write_csv(
        tmp_path / "r2.csv", [header.replace("从业人员", "备注"), f"{a.credit_code},2025-Q1,120,5,restated"]
    )
    assert run_import(db, officer, "reports", again, on=ON).updated == 1
    db.commit()
    versions = db.execute(
        select(Report.version, Report.is_current).where(Report.enterprise_id == a.id).order_by(Report.version)
    ).all()
    assert [tuple(v) for v in versions] == [(1, False), (2, True)]
    figure = db.get(YearlyFigure, (a.id, 2025))
    assert figure is not None and figure.revenue_total == Decimal("120.00")


def test_one_bad_row_rejects_the_whole_file_with_row_level_reasons(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a = make_enterprise()
    db.commit()
    path = write_csv(
        tmp_path / "bad.csv",
        [
            "credit_code,period,revenue_content,rnd_expense",
            f"{a.credit_code},2025,100,5",
            f"{a.credit_code},2025,-3,0",
            "91330106000000CT7X,2025,1,0",
            f"{a.credit_code},2025-Q9,1,0",
            f"{a.credit_code},2025-Q1,10,50",
            f"{a.credit_code},2025,100,5",
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(db, officer, "reports", path, on=ON)
    db.rollback()
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(3, "revenue_content"), (4, "credit_code"), (5, "period"), (6, "row"), (7, "period")}
    reasons = {e.row: e.reason for e in caught.value.errors}
    assert "不能为负数" in reasons[3] and "研发费用不能超过营业收入" in reasons[6] and "第 2 行" in reasons[7]
    assert db.scalar(select(func.count()).select_from(Report)) == 0


def test_excel_files_import_with_chinese_headers_and_labels(
    db: Session, officer: Principal, tmp_path: Path
) -> None:
    from avbase.industry.credit_code import make_credit_code

    book = Workbook()
    sheet = book.active
    sheet.append(["企业名称", "统一社会信用代码", "行政区划代码", "产业集群", "专精特新"])
    sheet.append(["甲影视有限公司", make_credit_code("330106", 7), "330106", "视听内容生产", "是"])
    sheet.append(["乙电子有限公司", make_credit_code("330212", 8), 330212, "electronics", "否"])
    book.save(tmp_path / "e.xlsx")
    result = run_import(db, officer, "enterprises", tmp_path / "e.xlsx")
    assert (result.created, result.rows) == (2, 2)
    made = {e.organisation.name: e for e in db.scalars(select(Enterprise))}
    assert made["甲影视有限公司"].specialised and made["乙电子有限公司"].cluster.value == "electronics"


# --- the spreadsheets people actually have (issue 23) ------------------------------------------------------


def _report_book(
    path: Path,
    header: list[object],
    rows: list[list[object]],
    *,
    above: list[list[object]] = (),  # type: ignore[assignment]
    below: list[list[object]] = (),  # type: ignore[assignment]
) -> Path:
    book = Workbook()
    sheet = book.active
    for row in [*above, header, *rows, *below]:
        sheet.append(row)
    book.save(path)
    return path


def _current(db: Session, enterprise: Enterprise) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    return [
        (str(r.period_start), r.revenue_content, r.revenue_electronics, r.revenue_services, r.rnd_expense)
        for r in db.scalars(
            select(Report).where(Report.enterprise_id == enterprise.id, Report.is_current).order_by(Report.id)
        )
    ]


def test_a_form_with_a_title_row_and_a_unit_row_in_yuan_imports_exactly(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a, b = make_enterprise(), make_enterprise()
    path = _report_book(
        tmp_path / "form.xlsx",
        ["统一社会信用代码", "企业名称", "期间", "视听内容生产收入", "研发费用"],
        [[a.credit_code, "甲", "2025", 76220538.12, 1000], [b.credit_code, "乙", "2025", "1,234.5", "-"]],
        above=[["2025年视听企业统计报表（东阳市）"], ["", "", "", "", "单位：元"]],
    )
    result = run_import(db, officer, "reports", path, on=ON)
    assert (result.rows, result.created, result.unit) == (2, 2, "元")
    assert _current(db, a) == [("2025-01-01", Decimal("76220538.12"), 0, 0, Decimal("1000.00"))]
    assert _current(db, b)[0][1] == Decimal("1234.50")


def test_a_unit_row_in_wan_yuan_and_a_header_in_yi_yuan_scale_to_the_fen(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a, b = make_enterprise(), make_enterprise()
    wan = _report_book(
        tmp_path / "wan.xlsx",
        ["统一社会信用代码", "期间", "视听内容生产收入", "研发费用"],
        [[a.credit_code, "2025", 7622.0538, "12.3456"]],
        above=[["2025年视听企业统计报表"], ["单位：万元"]],
    )
    assert run_import(db, officer, "reports", wan, on=ON).unit == "万元"
    assert _current(db, a) == [("2025-01-01", Decimal("76220538.00"), 0, 0, Decimal("123456.00"))]
    yi = _report_book(
        tmp_path / "yi.xlsx",
        ["统一社会信用代码", "期间", "视听内容生产收入（亿元）", "研发费用（万元）"],
        [[b.credit_code, "2025", 0.76220538, 3.5]],
        above=[["金额单位：元"]],  # a column's own unit wins over the sheet's
    )
    run_import(db, officer, "reports", yi, on=ON)
    assert _current(db, b) == [("2025-01-01", Decimal("76220538.00"), 0, 0, Decimal("35000.00"))]


def test_a_header_merged_over_two_rows_is_read_as_one(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a = make_enterprise()
    book = Workbook()
    sheet = book.active
    sheet.append(["视听企业主要经济指标"])
    sheet.append(["统一社会信用代码", "期间", "营业收入（万元）", None, None, "研发投入（万元）"])
    sheet.append([None, None, "视听内容", "视听电子", "文化服务", None])
    for cells in ("A2:A3", "B2:B3", "C2:E2", "F2:F3", "A1:F1"):
        sheet.merge_cells(cells)
    sheet.append([a.credit_code, "2025-Q2", 1.5, 2.25, "0.0001", 0.5])
    book.save(tmp_path / "merged.xlsx")

    result = run_import(
        db, officer, "reports", tmp_path / "merged.xlsx", on=ON, options=ImportOptions(accept_guesses=True)
    )
    assert result.rows == 1
    assert _current(db, a) == [
        ("2025-04-01", Decimal("15000.00"), Decimal("22500.00"), Decimal("1.00"), Decimal("5000.00"))
    ]


def test_the_data_sheet_is_found_or_asked_for_by_name(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a = make_enterprise()
    book = Workbook()
    book.active.title = "填报说明"
    book.active.append(["本表由企业按季度填报，金额单位为元。"])
    data = book.create_sheet("数据")
    data.append(["统一社会信用代码", "期间", "视听内容生产收入"])
    data.append([a.credit_code, "2025-Q1", 10])
    book.save(tmp_path / "two.xlsx")
    result = run_import(db, officer, "reports", tmp_path / "two.xlsx", on=ON)
    assert (result.sheet, result.created) == ("数据", 1)

    copy = book.copy_worksheet(data)
    copy.title = "数据（旧）"
    book.save(tmp_path / "three.xlsx")
    with pytest.raises(AvbaseError) as caught:
        run_import(db, officer, "reports", tmp_path / "three.xlsx", on=ON)
    assert "数据、数据（旧）" in _(caught.value.message, **caught.value.params)
    chosen = run_import(
        db, officer, "reports", tmp_path / "three.xlsx", on=ON, options=ImportOptions(sheet="数据")
    )
    assert (chosen.sheet, chosen.unchanged) == ("数据", 1)


def test_foreign_column_names_are_guessed_confirmed_and_saved_as_a_template(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a, b = make_enterprise(), make_enterprise()
    header = ["序号", "组织机构代码", "报告期", "营业收入", "研发经费支出", "联系人"]
    first = _report_book(tmp_path / "county.xlsx", header, [[1, a.credit_code, "2025", 100, 7, "张三"]])

    shown = preview(db, officer, "reports", first, on=ON)
    columns = {c["title"]: (c["field"], c["match"]) for c in shown.to_json()["columns"]}
    assert columns == {
        "序号": (None, "ignored"),
        "组织机构代码": ("credit_code", "guessed"),
        "报告期": ("period", "guessed"),
        "营业收入": ("revenue_content", "guessed"),
        "研发经费支出": ("rnd_expense", "guessed"),
        "联系人": (None, "unmatched"),
    }
    with pytest.raises(ImportRejected) as caught:
        run_import(db, officer, "reports", first, on=ON)
    assert {(e.row, e.column) for e in caught.value.errors} == {
        (1, "credit_code"),
        (1, "period"),
        (1, "revenue_content"),
        (1, "rnd_expense"),
        (1, "F"),
    }
    assert db.scalar(select(func.count()).select_from(Report)) == 0

    confirmed = ImportOptions(
        mapping={"营业收入": "revenue_services", "联系人": ""},
        accept_guesses=True,
        save_as="东阳统计局季报",
        source="东阳市统计局",
    )
    assert run_import(db, officer, "reports", first, on=ON, options=confirmed).template == "东阳统计局季报"
    assert _current(db, a) == [("2025-01-01", 0, 0, Decimal("100.00"), Decimal("7.00"))]

    # Next year's form from the same source: the saved template reads it, named or found.
    second = _report_book(tmp_path / "county-2.xlsx", header, [[1, b.credit_code, "2024", 50, 1, "李四"]])
    named = run_import(
        db, officer, "reports", second, on=ON, options=ImportOptions(template="东阳统计局季报")
    )
    assert (named.created, named.template) == (1, "东阳统计局季报")
    assert _current(db, b) == [("2024-01-01", 0, 0, Decimal("50.00"), Decimal("1.00"))]
    assert preview(db, officer, "reports", second, on=ON).template == "东阳统计局季报"


def test_total_and_subtotal_rows_are_checked_not_imported(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a, b, c = make_enterprise(), make_enterprise(), make_enterprise()
    header = ["统一社会信用代码", "企业名称", "期间", "视听内容生产收入", "从业人员"]
    rows: list[list[object]] = [
        [a.credit_code, "甲", "2025", 100.1, 10],
        [b.credit_code, "乙", "2025", 200.2, 20],
        ["", "小计", "", 300.3, 30],
        [c.credit_code, "丙", "2025", 0.05, 1],
        ["合计", "", "", 300.35, 31],
    ]
    notes = [["注：本表金额单位为元。"], ["填表人：王五", "", "联系电话：0579-1234567"]]
    good = _report_book(tmp_path / "totals.xlsx", header, rows, below=notes)
    result = run_import(db, officer, "reports", good, on=ON)
    assert (result.rows, result.created, result.totals) == (3, 3, 2)

    rows[4][3] = 300.36
    bad = _report_book(tmp_path / "bad-total.xlsx", header, rows)
    with pytest.raises(ImportRejected) as caught:
        run_import(db, officer, "reports", bad, on=ON)
    [error] = caught.value.errors
    assert (error.row, error.column) == (6, "revenue_content") and "300.35" in error.reason


def _cache_formula_results(path: Path, results: dict[str, str]) -> None:
    """Writes a saved result beside each formula, as Excel does (openpyxl writes formulas without one)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for cell, value in results.items():
        xml = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v\s*/>', rf"\1\2<v>{value}</v>", xml)
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, body in parts.items():
            target.writestr(name, body)


def test_a_formula_cell_is_refused_unless_its_saved_result_is_allowed(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a = make_enterprise()
    header = ["统一社会信用代码", "期间", "视听内容生产收入", "视听电子产品收入"]
    path = _report_book(tmp_path / "f.xlsx", header, [[a.credit_code, "2025", 76220538, "=C2*0"]])
    with pytest.raises(ImportRejected) as caught:  # no saved result: refused, never read as 0
        run_import(db, officer, "reports", path, on=ON, options=ImportOptions(use_formula_values=True))
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "revenue_electronics") and "D2" in error.reason

    path = _report_book(tmp_path / "g.xlsx", header, [[a.credit_code, "2025", "=1000+1", 5]])
    _cache_formula_results(path, {"C2": "1001"})
    with pytest.raises(ImportRejected) as caught:
        run_import(db, officer, "reports", path, on=ON)
    [error] = caught.value.errors
    assert (error.row, error.column) == (2, "revenue_content") and "1001" in error.reason
    assert db.scalar(select(func.count()).select_from(Report)) == 0
    run_import(db, officer, "reports", path, on=ON, options=ImportOptions(use_formula_values=True))
    assert _current(db, a) == [("2025-01-01", Decimal("1001.00"), Decimal("5.00"), 0, 0)]


def test_an_imported_correction_needs_a_note_as_the_api_does(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a = make_enterprise()
    header = "统一社会信用代码,期间,视听内容生产收入"
    run_import(
        db, officer, "reports", write_csv(tmp_path / "1.csv", [header, f"{a.credit_code},2025,100"]), on=ON
    )
    silent = write_csv(tmp_path / "2.csv", [header, f"{a.credit_code},2025,120"])
    with pytest.raises(ImportRejected) as caught:
        run_import(db, officer, "reports", silent, on=ON)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "note")]
    assert _current(db, a)[0][1] == Decimal("100.00")


def test_a_gbk_csv_with_a_title_row_imports(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    a = make_enterprise()
    text = f"2025年视听企业统计报表,,\n单位：万元,,\n统一社会信用代码,期间,视听文化服务收入\n{a.credit_code},2025,1.01\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    assert run_import(db, officer, "reports", tmp_path / "gbk.csv", on=ON).created == 1
    assert _current(db, a)[0][3] == Decimal("10100.00")


def test_an_enterprise_import_does_not_tell_whether_an_unseen_credit_code_exists(
    db: Session,
    make_enterprise: Callable[..., Enterprise],
    make_user: Callable[..., User],
    tmp_path: Path,
) -> None:
    from avbase.core.accounts.models import Organisation, Role
    from avbase.industry.credit_code import make_credit_code

    elsewhere, mine = make_enterprise("别人的公司"), make_enterprise("自己的公司")
    db.commit()
    staff = Principal.of(make_user(role=Role.enterprise_staff, org=db.get(Organisation, mine.org_id)))
    unknown = make_credit_code("330106", 9_999)
    path = write_csv(
        tmp_path / "e.csv",
        ["credit_code,name,region_code,cluster",
         f"{elsewhere.credit_code},改名,330106,content", f"{unknown},新公司,330106,content"],
    )  # fmt: skip
    with pytest.raises(ImportRejected) as rejected:
        run_import(db, staff, "enterprises", path)
    answers = {error.row: (error.column, error.reason) for error in rejected.value.errors}
    code_masked = {row: (column, reason.replace(elsewhere.credit_code, "X").replace(unknown, "X"))
                   for row, (column, reason) in answers.items()}  # fmt: skip
    assert len(code_masked) == 2 and code_masked[2] == code_masked[3]
    assert code_masked[2][0] == "credit_code"


def test_a_csv_in_utf16_imports_like_utf8(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise], tmp_path: Path
) -> None:
    """CSV files are read by the one text decoder (kit/text.py) that subtitles use: any encoding it knows."""
    a = make_enterprise()
    path = tmp_path / "r.csv"
    path.write_bytes(
        ("统一社会信用代码,期间,视听内容生产收入\n" + f"{a.credit_code},2025,100.50\n").encode("utf-16")
    )
    assert run_import(db, officer, "reports", path, on=ON).created == 1
