"""Titles, windows that refuse overlapping exclusive windows, contracts with dated terms; who sees what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from avbase.chain.distribution import service as distribution
from avbase.chain.settlement.params import ParameterError
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from tests.chain.conftest import World


def test_exclusive_windows_never_overlap(db: Session, world: World) -> None:
    add = distribution.add_window
    add(
        db,
        world.studio,
        world.title.id,
        channel="theatrical",
        territory="CN",
        starts_on=date(2024, 7, 1),
        ends_on=date(2024, 9, 30),
        exclusive=True,
    )
    add(
        db,
        world.studio,
        world.title.id,
        channel="svod",
        territory="CN",
        starts_on=date(2024, 10, 1),
        ends_on=date(2025, 3, 31),
        exclusive=True,
    )
    add(db, world.studio, world.title.id, channel="theatrical", territory="HK", starts_on=date(2024, 8, 1))
    with pytest.raises(Conflict, match="overlaps"):  # meets the exclusive SVOD window on its last day
        add(db, world.studio, world.title.id, channel="svod", territory="CN", starts_on=date(2025, 3, 31))
    with pytest.raises(Conflict):  # a worldwide window meets the exclusive one in CN
        add(
            db,
            world.studio,
            world.title.id,
            channel="theatrical",
            territory="WORLD",
            starts_on=date(2024, 9, 1),
            exclusive=True,
        )
    # Not exclusive, after the exclusive window: allowed; two non-exclusive windows may overlap.
    add(db, world.studio, world.title.id, channel="svod", territory="CN", starts_on=date(2025, 4, 1))
    add(db, world.studio, world.title.id, channel="svod", territory="CN", starts_on=date(2025, 5, 1))
    calendar = distribution.window_calendar(db, world.studio)
    assert [(row.window.channel, row.window.territory) for row in calendar][:2] == [
        ("theatrical", "CN"),
        ("theatrical", "HK"),
    ]
    with pytest.raises(AvbaseError) as raised:
        add(db, world.studio, world.title.id, channel="cable", territory="CN", starts_on=date(2025, 1, 1))
    assert raised.value.field == "channel"
    with pytest.raises(AvbaseError) as raised:
        add(
            db,
            world.studio,
            world.title.id,
            channel="tv",
            territory="CN",
            starts_on=date(2025, 1, 2),
            ends_on=date(2025, 1, 1),
        )
    assert raised.value.field == "ends_on"


def test_each_party_sees_its_own(db: Session, world: World) -> None:
    assert [c.code for c in distribution.list_contracts(db, world.cinema)] == ["HX-2024-01"]
    assert [t.name for t in distribution.list_titles(db, world.cinema)] == ["山河之间"]
    assert distribution.list_contracts(db, world.outsider) == []
    with pytest.raises(NotFound):
        distribution.get_contract(db, world.outsider, "HX-2024-01")
    with pytest.raises(Forbidden):  # a party reads, only the owner writes
        distribution.add_window(
            db, world.cinema, world.title.id, channel="tv", territory="CN", starts_on=date(2025, 1, 1)
        )


def test_terms_are_dated_and_checked(db: Session, world: World) -> None:
    terms = distribution.terms_in_force(world.contract, date(2024, 11, 30))
    assert terms["distribution_fee_rate"].value == "10%"
    assert distribution.terms_in_force(world.contract, date(2024, 12, 31))[
        "distribution_fee_rate"
    ].source == ("补充协议第1条")
    with pytest.raises(ParameterError) as raised:
        distribution.create_contract(
            db,
            world.studio,
            code="X",
            name="x",
            title_id=world.title.id,
            model="cn-theatrical",
            starts_on=date(2024, 1, 1),
            parties=[],
            terms=[distribution.TermIn("producer_share", "143%", date(2024, 1, 1))],
        )
    assert raised.value.field == "producer_share"
    with pytest.raises(ParameterError) as raised:  # the rule set leaves the grade to the contract
        distribution.create_contract(
            db,
            world.studio,
            code="WD-1",
            name="微短剧",
            title_id=world.title.id,
            model="member-hours",
            starts_on=date(2024, 1, 1),
            parties=[],
            terms=[distribution.TermIn("rules", "tencent-micro-drama-2022", date(2024, 1, 1))],
        )
    assert raised.value.field == "grade" and "tencent-micro-drama-2022" in str(raised.value.params)
    with pytest.raises(Conflict):
        distribution.create_contract(
            db,
            world.studio,
            code="HX-2024-01",
            name="x",
            title_id=world.title.id,
            model="cn-theatrical",
            starts_on=date(2024, 1, 1),
            parties=[],
        )
