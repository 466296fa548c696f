"""Demo data of the chain: a Malanshan producer's titles with their windows, a theatrical contract and three
platform contracts (two on platforms' published rule sets), a month of imported statements, approved
settlement runs with ledger balances, and a reconciliation of a platform statement with each kind of
discrepancy and an open claim."""

from __future__ import annotations

import random
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.chain.distribution import service as distribution
from avbase.chain.distribution.models import Title
from avbase.chain.distribution.service import PartyIn, TermIn
from avbase.chain.settlement import claims
from avbase.chain.settlement import service as settlement
from avbase.chain.settlement.statements import import_statements
from avbase.core.accounts.models import Organisation, OrgKind, User
from avbase.core.accounts.principal import Principal

PRODUCER_USER = "hunan.staff"
PERIOD = "2024-11"
SEED = 2024
PARTNERS = {
    "潇湘电影院线（演示）": "430000",
    "湘影发行有限公司（演示）": "430105",
    "云帆视频平台（演示）": "330106",
}


def _org(session: Session, name: str, region: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name, kind=OrgKind.enterprise, region_code=region)
        session.add(found)
        session.flush()
    return found


def load(session: Session) -> dict[str, int]:
    user = session.scalar(select(User).where(User.username == PRODUCER_USER))
    if user is None:
        return {"chain_contracts": 0}
    producer = Principal.of(user)
    if session.scalar(select(Title.id).where(Title.org_id == producer.org_id)) is not None:
        return {"chain_contracts": len(distribution.list_contracts(session, producer))}
    cinema, distributor, platform = (_org(session, name, region) for name, region in PARTNERS.items())
    film = distribution.create_title(session, producer, name="湘江夜行", kind="film")
    online = distribution.create_title(session, producer, name="马栏山奇遇", kind="film", note="网络电影")
    series = distribution.create_title(session, producer, name="星火微光", kind="micro_drama")
    short = distribution.create_title(session, producer, name="湘水谣", kind="micro_drama", note="横屏微短剧")
    window = distribution.add_window
    window(
        session,
        producer,
        film.id,
        channel="theatrical",
        territory="CN",
        starts_on=date(2024, 10, 1),
        ends_on=date(2024, 12, 31),
        exclusive=True,
        licensee_org_id=cinema.id,
    )
    window(
        session,
        producer,
        film.id,
        channel="pvod",
        territory="CN",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 2, 28),
        exclusive=False,
    )
    window(
        session,
        producer,
        film.id,
        channel="svod",
        territory="CN",
        starts_on=date(2025, 3, 1),
        exclusive=True,
        licensee_org_id=platform.id,
    )
    window(session, producer, film.id, channel="overseas", territory="HK", starts_on=date(2024, 11, 15))
    window(
        session,
        producer,
        online.id,
        channel="svod",
        territory="CN",
        starts_on=date(2024, 10, 18),
        ends_on=date(2025, 4, 17),
        exclusive=True,
        licensee_org_id=platform.id,
    )
    window(
        session,
        producer,
        series.id,
        channel="avod",
        territory="CN",
        starts_on=date(2024, 11, 1),
        licensee_org_id=platform.id,
    )
    window(
        session,
        producer,
        short.id,
        channel="svod",
        territory="CN",
        starts_on=date(2024, 11, 1),
        exclusive=True,
        licensee_org_id=platform.id,
    )
    me = PartyIn("producer", producer.org_name, producer.org_id)
    distribution.create_contract(
        session,
        producer,
        code="MLS-FILM-2024-01",
        name="《湘江夜行》院线发行与分账",
        title_id=film.id,
        model="cn-theatrical",
        starts_on=date(2024, 10, 1),
        parties=[
            PartyIn("exhibitor", cinema.name, cinema.id),
            PartyIn("distributor", distributor.name, distributor.id),
            PartyIn("guarantor", distributor.name + "（保底）"),
            PartyIn("fund", "国家电影事业发展专项资金"),
            PartyIn("tax", "税务机关"),
            PartyIn("agency", "中影数字院线（代理）"),
            me,
        ],
        terms=[
            TermIn(
                "producer_share_tiers",
                "0:43%,3亿:45%,8亿:47%",
                date(2024, 10, 1),
                "发行合同第4.1条：按影片累计票房分档",
            ),
            TermIn("agency_fee_rate", "1%", date(2024, 10, 1), "发行合同第4.3条"),
            TermIn("distribution_fee_rate", "8%", date(2024, 10, 1), "发行合同第5.1条"),
            TermIn("guarantee", "1500万", date(2024, 10, 1), "保底发行协议第2条"),
            TermIn("guarantor_share_above", "60%", date(2024, 10, 1), "保底发行协议第3条"),
        ],
    )
    distribution.create_contract(
        session,
        producer,
        code="MLS-NET-2024-02",
        name="《马栏山奇遇》网络电影独家分账",
        title_id=online.id,
        model="member-hours",
        starts_on=date(2024, 10, 18),
        parties=[PartyIn("distributor", distributor.name, distributor.id), me],
        terms=[
            TermIn("rules", "iqiyi-online-film-2024", date(2024, 10, 18), "平台分账规则（2024年10月1日起）"),
            TermIn("new_member_bonus", "6", date(2024, 10, 18), "合同第6条：拉新奖励每人6元"),
            TermIn("distribution_fee_rate", "10%", date(2024, 10, 18), "发行代理协议第3条"),
            TermIn("costs", "200万", date(2024, 10, 18), "合同第8条：宣发费用先行回收"),
        ],
    )
    distribution.create_contract(
        session,
        producer,
        code="MLS-MD-2024-03",
        name="《星火微光》微短剧会员+广告分成",
        title_id=series.id,
        model="revenue-share",
        starts_on=date(2024, 11, 1),
        parties=[me],
        terms=[
            TermIn("member_share", "60%", date(2024, 11, 1), "合作协议第3.1条"),
            TermIn("ad_share", "35%", date(2024, 11, 1), "合作协议第3.2条"),
        ],
    )
    distribution.create_contract(
        session,
        producer,
        code="MLS-MD-2024-04",
        name="《湘水谣》微短剧会员时长分账",
        title_id=short.id,
        model="member-hours",
        starts_on=date(2024, 11, 1),
        parties=[me],
        terms=[
            TermIn(
                "rules",
                "tencent-micro-drama-2022",
                date(2024, 11, 1),
                "平台微短剧分账规则（腾讯视频 2022 版）",
            ),
            TermIn("grade", "A", date(2024, 11, 1), "平台定级通知：A级"),
        ],
    )
    with tempfile.TemporaryDirectory() as folder:
        box_office, platform_statement, expected = _statement_files(Path(folder))
        import_statements(session, producer, box_office, source="猫眼专业版（演示）")
        import_statements(session, producer, platform_statement, source=platform.name)
        for code in ("MLS-FILM-2024-01", "MLS-NET-2024-02", "MLS-MD-2024-03", "MLS-MD-2024-04"):
            run = settlement.settle(session, producer, code, period=PERIOD)
            settlement.approve(session, producer, run.id)
        owed = next(b.owed for b in settlement.balances(session, producer) if b.name.startswith(cinema.name))
        settlement.record_payment(
            session, producer, "MLS-FILM-2024-01", role="exhibitor", amount=owed, on=date(2024, 12, 10)
        )
        kept, result = claims.reconcile_and_keep(
            session,
            producer,
            statement=platform_statement,
            expected=expected,
            counterparty=platform.name,
            statement_name="云帆视频2024年11月分账单.csv",
            expected_name="我方11月预期.csv",
        )
    index = next(i for i, d in enumerate(result.discrepancies) if d.kind == "duplicate")
    claims.raise_claim(
        session,
        producer,
        kept.id,
        index=index,
        counterparty_org_id=platform.id,
        text="11月30日会员观看时长重复计入，请核减并出具更正对账单。",
    )
    return {"chain_contracts": 4}


def _statement_files(folder: Path) -> tuple[Path, Path, Path]:
    rng = random.Random(SEED)
    box_office = folder / "湘江夜行_2024-11_票房日报.csv"
    lines = ["片名,期间,指标,数量,金额"]
    for day in range(1, 31):
        people = rng.randint(20_000, 90_000)
        lines.append(f"湘江夜行,2024-11-{day:02d},票房,{people},{people * rng.randint(3600, 4400) / 100:.2f}")
    box_office.write_text("\n".join(lines) + "\n", encoding="utf-8")
    platform_lines = [
        "title,period,metric,quantity,amount",
        "马栏山奇遇,2024-11,member_hours,2350000,0.00",
        "马栏山奇遇,2024-11,new_members,1800,0.00",
        "星火微光,2024-11,member_revenue,0,812345.67",
        "星火微光,2024-11,ad_revenue,0,204567.89",
        "湘水谣,2024-11,member_hours,86420.5,0.00",
    ]
    expected_lines = [*platform_lines, "星火微光,2024-11,new_members,900,0.00"]  # missing from the statement
    statement = [*platform_lines, "马栏山奇遇,2024-11,member_hours,2350000,0.00"]  # counted twice
    statement[3] = "星火微光,2024-11,member_revenue,0,812300.00"  # the amount differs
    statement[2] = "马栏山奇遇,2024-11,new_members,1750,0.00"  # the quantity differs
    statement.append("星火微光,2024-10,ad_revenue,0,1200.00")  # a month that was not expected
    platform_statement = folder / "platform-2024-11.csv"
    platform_statement.write_text("\n".join(statement) + "\n", encoding="utf-8")
    expected = folder / "expected-2024-11.csv"
    expected.write_text("\n".join(expected_lines) + "\n", encoding="utf-8")
    return box_office, platform_statement, expected
