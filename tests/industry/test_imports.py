from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.industry.imports import ImportRejected, run_import
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
