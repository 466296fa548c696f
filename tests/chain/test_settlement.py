"""Statement imports and settlement runs, end to end against the ledger, with figures done by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.chain.settlement import service as settlement
from avbase.chain.settlement.models import RunState, StatementLine
from avbase.chain.settlement.statements import import_statements
from avbase.core import ledger
from avbase.core.errors import AvbaseError, Conflict, Forbidden
from avbase.industry import import_templates
from avbase.industry.imports import ImportRejected
from tests.chain.conftest import World

NOVEMBER = """title,period,metric,quantity,amount
山河之间,2024-11-01,票房,1000,600000.00
山河之间,2024-11-02,票房,800,400000.00
别的电影,2024-11-02,票房,10,999.00
"""
LATE = """title,period,metric,quantity,amount
山河之间,2024-11-30,票房,100,100000.00
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def owed(db: Session, world: World) -> dict[str, D]:
    return {b.name: b.owed for b in settlement.balances(db, world.studio)}


def test_settle_approve_correct_and_the_ledger_balances(db: Session, world: World, tmp_path: Path) -> None:
    first = import_statements(db, world.studio, write(tmp_path, "nov.csv", NOVEMBER), source="猫眼专业版")
    assert (first.rows, first.amount) == (3, D("1000999.00"))
    run = settlement.settle(db, world.studio, "HX-2024-01", period="2024-11")
    assert run.base == D("1000000.00") and run.state is RunState.draft
    # Gross 1,000,000: fund 50,000; tax 33,000; net 917,000; producer side 43 % 394,310; fee 10 % 39,431.
    assert {s.role: s.amount for s in run.statements} == {
        "fund": D("50000.00"),
        "tax": D("33000.00"),
        "exhibitor": D("522690.00"),
        "agency": D("0.00"),
        "distributor": D("39431.00"),
        "producer": D("354879.00"),
    }
    settlement.approve(db, world.studio, run.id)
    assert owed(db, world)["潇湘院线 · HX-2024-01"] == D("522690.00")
    assert owed(db, world)["湘江影业 · HX-2024-01"] == D("354879.00")
    with pytest.raises(Conflict):
        settlement.approve(db, world.studio, run.id)

    # A late report for November: the period is locked, so settling it again makes a correcting run.
    import_statements(db, world.studio, write(tmp_path, "late.csv", LATE), source="猫眼专业版")
    correction = settlement.settle(db, world.studio, "HX-2024-01", period="2024-11")
    assert correction.sequence == 2 and correction.base == D("1100000.00")
    # Gross 1,100,000: net 1,008,700; producer side 433,741; exhibitor 574,959; fee 43,374.10.
    adjustments = {s.role: s.adjustment for s in correction.statements}
    assert adjustments == {
        "fund": D("5000.00"),
        "tax": D("3300.00"),
        "exhibitor": D("52269.00"),
        "agency": D("0.00"),
        "distributor": D("3943.10"),
        "producer": D("35487.90"),
    }
    settlement.approve(db, world.studio, correction.id)
    assert owed(db, world)["潇湘院线 · HX-2024-01"] == D("574959.00")
    assert owed(db, world)["湘江影业 · HX-2024-01"] == D("390366.90")
    # Balances on any date: the correction is dated in November too, so the end of October saw nothing.
    assert settlement.balances(db, world.studio, on=date(2024, 10, 31)) == []

    # December: the supplement's 8 % fee is in force, and the film's total before December counts.
    import_statements(
        db,
        world.studio,
        write(tmp_path, "dec.csv", NOVEMBER.replace("2024-11", "2024-12")),
        source="猫眼专业版",
    )
    december = settlement.settle(db, world.studio, "HX-2024-01", period="2024-12")
    assert {s.role: s.amount for s in december.statements}["distributor"] == D("31544.80")  # 8 % of 394,310
    fee_line = next(line for line in december.trace if line["key"] == "distribution_fee")
    assert fee_line["params"]["rate"] == "8%"
    # A party sees its own statement and balance; the owner sees every party's.
    assert [s.role for s in settlement.own_statements(december, world.cinema)] == ["exhibitor"]
    assert [b.name for b in settlement.balances(db, world.cinema)] == ["潇湘院线 · HX-2024-01"]
    assert settlement.balances(db, world.outsider) == []
    with pytest.raises(Forbidden):
        settlement.settle(db, world.cinema, "HX-2024-01", period="2024-12")
    # Every posting balances: the whole book adds up to zero.
    assert sum(b.amount for b in ledger.balances(db, book="chain")) == 0


def test_payment_reduces_what_is_owed(db: Session, world: World, tmp_path: Path) -> None:
    import_statements(db, world.studio, write(tmp_path, "nov.csv", NOVEMBER), source="猫眼")
    settlement.approve(
        db, world.studio, settlement.settle(db, world.studio, "HX-2024-01", period="2024-11").id
    )
    settlement.record_payment(
        db, world.studio, "HX-2024-01", role="exhibitor", amount=D("500000"), on=date(2024, 12, 5)
    )
    assert owed(db, world)["潇湘院线 · HX-2024-01"] == D("22690.00")
    on_nov_30 = {b.name: b.owed for b in settlement.balances(db, world.studio, on=date(2024, 11, 30))}
    assert on_nov_30["潇湘院线 · HX-2024-01"] == D("522690.00")


def test_a_file_imported_twice_is_not_counted_twice(db: Session, world: World, tmp_path: Path) -> None:
    path = write(tmp_path, "nov.csv", NOVEMBER)
    import_statements(db, world.studio, path, source="猫眼")
    with pytest.raises(Conflict, match="imported already"):
        import_statements(db, world.studio, write(tmp_path, "copy.csv", NOVEMBER), source="猫眼")
    assert db.scalar(select(func.count()).select_from(StatementLine)) == 3


def test_a_bad_row_rejects_the_whole_file(db: Session, world: World, tmp_path: Path) -> None:
    bad = NOVEMBER + "山河之间,2024-13,票房,1,abc\n,2024-11,票房,1,5\n"
    with pytest.raises(ImportRejected) as rejected:
        import_statements(db, world.studio, write(tmp_path, "bad.csv", bad), source="猫眼")
    assert {(e.row, e.column) for e in rejected.value.errors} >= {(5, "period"), (5, "amount"), (6, "title")}
    assert db.scalar(select(func.count()).select_from(StatementLine)) == 0


def test_a_platform_statement_read_with_its_saved_template(db: Session, world: World, tmp_path: Path) -> None:
    statement = "影视作品,结算月,分账项,观看小时,应付金额\n山河之间,2024年11月,会员观看时长,1500000,0\n"
    path = write(tmp_path, "iqiyi.csv", statement)
    with pytest.raises(AvbaseError, match="header"):  # the platform's column names are not known yet
        import_statements(db, world.studio, path, source="爱奇艺")
    import_templates.save_template(
        db,
        world.studio,
        kind="statements",
        name="爱奇艺月结",
        source="爱奇艺",
        mapping={
            "影视作品": "title",
            "结算月": "period",
            "分账项": "metric",
            "观看小时": "quantity",
            "应付金额": "amount",
        },
    )
    done = import_statements(db, world.studio, path, source="爱奇艺", template="爱奇艺月结")
    assert done.template == "爱奇艺月结"
    line = db.scalars(select(StatementLine)).one()
    assert (line.period, line.metric, line.quantity) == ("2024-11", "member_hours", D("1500000"))


def test_a_platform_contract_settles_from_member_hours(db: Session, world: World, tmp_path: Path) -> None:
    """Hours summed in the database (4,700,000 read back as 4.7E+6) reach the model as a plain number."""
    from avbase.chain.distribution import service as distribution

    title = distribution.create_title(db, world.studio, name="马栏山奇遇", kind="film")
    distribution.create_contract(
        db,
        world.studio,
        code="NET-1",
        name="网络电影",
        title_id=title.id,
        model="member-hours",
        starts_on=date(2024, 10, 1),
        parties=[distribution.PartyIn("producer", "湘江影业", world.studio.org_id)],
        terms=[distribution.TermIn("rules", "iqiyi-online-film-2024", date(2024, 10, 1))],
    )
    statement = "title,period,metric,quantity,amount\n马栏山奇遇,2024-11,member_hours,2350000,0\n"
    import_statements(db, world.studio, write(tmp_path, "a.csv", statement), source="平台")
    import_statements(
        db,
        world.studio,
        write(tmp_path, "b.csv", statement.replace("2024-11,", "2024-11-30,")),
        source="平台",
    )
    run = settlement.settle(db, world.studio, "NET-1", period="2024-11")
    # 4,700,000 hours: 2,000,000 at 1 yuan, 2,700,000 at 2 yuan.
    assert run.inputs["hours"] == "4700000" and run.base == D("7400000.00")


def test_a_tiered_revenue_share_counts_the_revenue_of_approved_earlier_periods(
    db: Session, world: World, tmp_path: Path
) -> None:
    from avbase.chain.distribution import service as distribution

    title = distribution.create_title(db, world.studio, name="云端独播", kind="film")
    distribution.create_contract(
        db,
        world.studio,
        code="NET-2026",
        name="网络电影独播",
        title_id=title.id,
        model="revenue-share",
        starts_on=date(2026, 2, 1),
        parties=[distribution.PartyIn("producer", "湘江影业", world.studio.org_id)],
        terms=[distribution.TermIn("rules", "iqiyi-online-film-2026-exclusive", date(2026, 2, 1))],
    )
    statement = (
        "title,period,metric,quantity,amount\n"
        "云端独播,2026-02,member_revenue,0,2500000.00\n"
        "云端独播,2026-02,ad_revenue,0,500000.00\n"
        "云端独播,2026-03,member_revenue,0,3000000.00\n"
    )
    import_statements(db, world.studio, write(tmp_path, "rev.csv", statement), source="爱奇艺")
    february = settlement.settle(db, world.studio, "NET-2026", period="2026-02")
    # 3,000,000: 1,000,000 at 80 % + 2,000,000 at 100 %.
    assert february.base == D("2800000.00")
    settlement.approve(db, world.studio, february.id)
    march = settlement.settle(db, world.studio, "NET-2026", period="2026-03")
    # 3,000,000 on top of 3,000,000: 2,000,000 at 100 % up to 5,000,000, 1,000,000 above at 120 %.
    assert march.base == D("3200000.00")
