"""The licence marketplace: listings, offers, acceptance into licences on the chain of title; exclusive
licences never overlap, also when two acceptances race (PostgreSQL row locks, SQLite's write lock)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.db import session_factory
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.rights import marketplace as market
from avbase.rights import works
from avbase.rights.models import Licence, MediaRight, OfferState, TitleEvent, TitleEventKind


def _setup(
    db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation]
) -> tuple[Principal, Principal, Principal, int]:
    holder = Principal.of(make_user(role=Role.enterprise_staff, org=make_org("星河影业")))
    buyer = Principal.of(make_user(role=Role.enterprise_staff, org=make_org("芒果平台")))
    rival = Principal.of(make_user(role=Role.enterprise_staff, org=make_org("某视频网站")))
    work = works.create_work(db, holder, works.WorkIn(title="山海之间"))
    db.commit()
    return holder, buyer, rival, work.id


def _listing(db: Session, holder: Principal, work_id: int, *, exclusive: bool, territory: str = "CN") -> int:
    listing = market.create_listing(
        db,
        holder,
        market.ListingIn(
            work_id=work_id,
            media_right=MediaRight.svod,
            territory=territory,
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 12, 31),
            exclusive=exclusive,
            price=Decimal("500000.00") if exclusive else None,
        ),
    )
    db.commit()
    return listing.id


def test_territories_and_windows() -> None:
    assert market.territories_overlap("WW", "CN-33")
    assert market.territories_overlap("CN", "cn-33")
    assert not market.territories_overlap("CN-33", "CN-43")
    assert not market.territories_overlap("CN", "CNX")
    assert market.windows_overlap(
        (date(2027, 1, 1), date(2027, 6, 30)), (date(2027, 6, 30), date(2028, 1, 1))
    )
    assert not market.windows_overlap(
        (date(2027, 1, 1), date(2027, 6, 29)), (date(2027, 6, 30), date(2028, 1, 1))
    )


def test_offer_accept_licence_and_the_overlap_rules(
    db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation]
) -> None:
    holder, buyer, rival, work_id = _setup(db, make_user, make_org)
    exclusive = _listing(db, holder, work_id, exclusive=True)
    with pytest.raises(NotFound):  # another organisation's work: not even seen
        market.create_listing(db, buyer, market.ListingIn(work_id, MediaRight.tv, "CN", date(2027, 1, 1),
                                                          date(2027, 2, 1), False))  # fmt: skip
    with pytest.raises(AvbaseError, match="own listing"):
        market.make_offer(db, holder, market.OfferIn(exclusive, Decimal(1)))
    with pytest.raises(AvbaseError, match="inside the listing"):
        market.make_offer(
            db, buyer, market.OfferIn(exclusive, Decimal(1), date(2026, 1, 1), date(2027, 2, 1))
        )
    offer = market.make_offer(db, buyer, market.OfferIn(exclusive, Decimal("480000")))
    db.commit()
    with pytest.raises(Forbidden):
        market.accept_offer(db, buyer, offer.id)  # only the holder accepts
    licence = market.accept_offer(db, holder, offer.id)
    db.commit()
    assert (licence.licensee_org_id, licence.price, licence.exclusive) == (
        buyer.org_id,
        Decimal("480000.00"),
        True,
    )
    chain = db.scalars(select(TitleEvent).where(TitleEvent.work_id == work_id).order_by(TitleEvent.id)).all()
    assert [e.kind for e in chain] == [TitleEventKind.registration, TitleEventKind.licence]
    assert chain[-1].to_party == "芒果平台" and chain[-1].licence_id == licence.id

    # A non-exclusive licence may not overlap the exclusive one (same right, a province of CN, same year) …
    shared = _listing(db, holder, work_id, exclusive=False, territory="CN-33")
    second = market.make_offer(db, rival, market.OfferIn(shared, Decimal("1000")))
    db.commit()
    with pytest.raises(Conflict, match="overlap licence") as refused:
        market.accept_offer(db, holder, second.id)
    assert refused.value.params["id"] == licence.id
    db.rollback()
    assert db.get(type(second), second.id).state is OfferState.pending  # nothing changed
    # … but non-exclusive licences may overlap each other (another territory: no clash with the first).
    abroad = _listing(db, holder, work_id, exclusive=False, territory="US")
    for who in (buyer, rival):
        offer = market.make_offer(db, who, market.OfferIn(abroad, Decimal("2000")))
        db.commit()
        market.accept_offer(db, holder, offer.id)
        db.commit()
    assert db.scalar(select(Licence.id).where(Licence.territory == "US").limit(1)) is not None


def test_concurrent_exclusive_acceptances_grant_one_licence(
    clean_engine: Engine, db: Session, make_user: Callable[..., User], make_org: Callable[..., Organisation]
) -> None:
    holder, buyer, rival, work_id = _setup(db, make_user, make_org)
    # Two exclusive listings of the same right that overlap (CN and the whole world), an offer on each.
    first = _listing(db, holder, work_id, exclusive=True, territory="CN")
    second = _listing(db, holder, work_id, exclusive=True, territory="WW")
    offers = [
        market.make_offer(db, buyer, market.OfferIn(first, Decimal("100"))).id,
        market.make_offer(db, rival, market.OfferIn(second, Decimal("200"))).id,
    ]
    db.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(offer_id: int) -> None:
        session = session_factory(clean_engine)()
        try:
            barrier.wait()
            market.accept_offer(session, holder, offer_id)
            session.commit()
            outcomes.append("granted")
        except Conflict:
            session.rollback()
            outcomes.append("refused")
        finally:
            session.close()

    threads = [threading.Thread(target=accept, args=(offer_id,)) for offer_id in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["granted", "refused"]
    db.expire_all()
    assert len(db.scalars(select(Licence).where(Licence.work_id == work_id)).all()) == 1
