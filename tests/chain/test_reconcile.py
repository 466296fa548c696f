"""Reconciliation kinds, exactly; claims raised, answered and closed with their history."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session

from avbase.chain.settlement import claims
from avbase.chain.settlement.models import ClaimState
from avbase.chain.settlement.reconcile import BadStatement, reconcile_files
from avbase.core.errors import Conflict, Forbidden, NotFound
from tests.chain.conftest import World

STATEMENT = """title,period,metric,quantity,amount
山河之间,2024-11,member_hours,1000,1000.00
山河之间,2024-11,member_hours,1000,1000.00
山河之间,2024-12,member_hours,500,600.00
山河之间,2024-10,ad_revenue,0,50.00
星河,2024-11,effective_views,300,90.00
星河,2024-11,new_members,20,0
月光,2024-11,box_office,10,"1,234.50"
月光,2024-11-02,box_office,5,100.00
月光,2024-11-02,box_office,6,100.00
"""
EXPECTED = """title,period,metric,quantity,amount
山河之间,2024-11,会员观看时长,1000,1000.00
山河之间,2024-12,member_hours,500,600.01
星河,2024-11,effective_views,310,90.00
星河,2024-11,new_members,20,0.00
月光,2024-11,box_office,10,1234.50
月光,2024-11-02,box_office,11,200.00
晨曦,2024-11,box_office,1,77.00
"""


def files(tmp_path: Path, statement: str = STATEMENT, expected: str = EXPECTED) -> tuple[Path, Path]:
    (tmp_path / "s.csv").write_text(statement, encoding="utf-8")
    (tmp_path / "e.csv").write_text(expected, encoding="utf-8")
    return tmp_path / "s.csv", tmp_path / "e.csv"


def test_every_kind_exactly_and_nothing_that_agrees(tmp_path: Path) -> None:
    result = reconcile_files(*files(tmp_path))
    found = {(d.title, d.period, d.metric, d.kind): d.difference for d in result.discrepancies}
    assert found == {
        ("山河之间", "2024-10", "ad_revenue", "unexpected"): D("50.00"),
        ("山河之间", "2024-11", "member_hours", "duplicate"): D("1000.00"),  # counted twice
        ("山河之间", "2024-12", "member_hours", "amount_differs"): D("-0.01"),  # one fen
        ("星河", "2024-11", "effective_views", "quantity_differs"): D("-10"),
        ("晨曦", "2024-11", "box_office", "missing"): D("-77.00"),
    }
    # Two different lines of one key are summed, not taken for a duplicate; 1,234.50 agrees with 1234.50.
    assert result.statement_lines == 9


def test_agreeing_files_list_nothing(tmp_path: Path) -> None:
    assert reconcile_files(*files(tmp_path, EXPECTED, EXPECTED)).discrepancies == []


def test_excel_and_gbk_files_are_read_too(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in EXPECTED.strip().splitlines():
        sheet.append(row.split(","))
    book.save(tmp_path / "expected.xlsx")
    (tmp_path / "s.csv").write_bytes(EXPECTED.encode("gb18030"))
    assert reconcile_files(tmp_path / "s.csv", tmp_path / "expected.xlsx").discrepancies == []


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("X,2024-13x,m,1,1", "period"),
        ("X,2024-11,m,one,1", "quantity"),
        ("X,2024-11,m,1,1.005", "amount"),
        (",2024-11,m,1,1", "title"),
    ],
)
def test_bad_input_names_the_row_and_column(tmp_path: Path, line: str, column: str) -> None:
    statement, expected = files(tmp_path, STATEMENT + line + "\n")
    with pytest.raises(BadStatement) as raised:
        reconcile_files(statement, expected)
    assert raised.value.field == "statement"
    assert raised.value.params["row"] == 11 and raised.value.params["column"] == column


def test_a_claim_is_raised_answered_and_closed(db: Session, world: World, tmp_path: Path) -> None:
    statement, expected = files(tmp_path)
    kept, result = claims.reconcile_and_keep(
        db, world.studio, statement=statement, expected=expected, counterparty="芒果平台"
    )
    index = next(i for i, d in enumerate(result.discrepancies) if d.kind == "duplicate")
    claim = claims.raise_claim(
        db,
        world.studio,
        kept.id,
        index=index,
        counterparty_org_id=world.platform.org_id,
        text="11月会员时长重复计算",
    )
    assert (claim.kind, claim.difference, claim.state) == ("duplicate", "1000.00", ClaimState.raised)
    assert [c.id for c in claims.list_claims(db, world.platform)] == [claim.id]
    assert claims.list_claims(db, world.outsider) == []
    with pytest.raises(NotFound):
        claims.get_reconciliation(db, world.platform, kept.id)  # the reconciliation is the studio's own
    with pytest.raises(Forbidden):
        claims.answer(db, world.studio, claim.id, text="我自己答")
    claims.answer(db, world.platform, claim.id, text="已核实，将在12月结算中冲回")
    with pytest.raises(Forbidden):
        claims.close(db, world.platform, claim.id, text="")
    claims.close(db, world.studio, claim.id, text="已收到冲回")
    with pytest.raises(Conflict):
        claims.answer(db, world.platform, claim.id, text="再答")
    assert [(e.action, e.text) for e in claim.events] == [
        (ClaimState.raised, "11月会员时长重复计算"),
        (ClaimState.answered, "已核实，将在12月结算中冲回"),
        (ClaimState.closed, "已收到冲回"),
    ]
