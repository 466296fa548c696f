"""The production resources database on SQLite and PostgreSQL: search with an availability filter, bookings
that never double-book (also when they arrive at once), requests for quotes accepted into a booking."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.chain.resources import service
from avbase.chain.resources.models import Booking, BookingStatus, QuoteStatus, ResourceKind
from avbase.chain.resources.schemas import BookingIn, QuoteAnswerIn, QuoteRequestIn, ResourceIn
from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.db import session_factory
from avbase.core.errors import Conflict, Forbidden
from tests.conftest import csrf_from, login
from tests.industry.test_raw_codes import scan

D = date


def stage(name: str = "横店 1号棚", **extra: object) -> ResourceIn:
    fields: dict[str, object] = {
        "kind": "studio",
        "name": name,
        "region_code": "330783",
        "place": "横店影视城",
        "day_rate": "12000.00",
        "details": {"area_m2": 3000, "height_m": 18, "led_volume": True, "power_kw": 1200},
    }
    fields.update(extra)
    return ResourceIn.model_validate(fields)


@pytest.fixture
def people(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> dict[str, Principal]:
    hengdian, studio, other = make_org("横店影视城有限公司"), make_org("春江影业"), make_org("湘江影视")
    return {
        "owner": Principal.of(make_user(org=hengdian)),
        "producer": Principal.of(make_user(org=studio)),
        "other": Principal.of(make_user(org=other)),
        "reviewer": Principal.of(make_user(org=other, role=Role.reviewer)),
    }


def test_search_filters_and_availability(db: Session, people: dict[str, Principal]) -> None:
    owner = people["owner"]
    big = service.create_resource(db, owner, stage("1号棚"))
    small = service.create_resource(db, owner, stage("2号棚", day_rate="4000"))
    colour = service.create_resource(
        db, owner, stage("调色间", kind="service", trade="colour", region_code="430104", details={})
    )
    big.rating, small.rating = 4.8, 4.1
    service.book(db, people["producer"], big.id, BookingIn(starts_on=D(2027, 3, 1), ends_on=D(2027, 3, 10)))
    db.commit()

    def names(**filters: object) -> list[str]:
        found, _more = service.search(db, service.SearchFilters(**filters))  # type: ignore[arg-type]
        return [r.name for r in found]

    assert names(kind=ResourceKind.studio) == ["1号棚", "2号棚"]
    assert names(kind=ResourceKind.studio, available_from=D(2027, 3, 10), available_to=D(2027, 3, 12)) == [
        "2号棚"
    ]
    assert names(kind=ResourceKind.studio, available_from=D(2027, 3, 11), available_to=D(2027, 3, 12)) == [
        "1号棚",
        "2号棚",
    ]
    assert names(max_rate=Decimal("5000")) == ["2号棚"]
    assert names(min_rating=4.5) == ["1号棚"]
    assert names(trade="colour") == ["调色间"] == names(region="43")
    assert names(region="3307") == ["1号棚", "2号棚"]
    assert colour.id and names(text="调色") == ["调色间"]
    with pytest.raises(Exception, match="both dates"):
        service.SearchFilters(available_from=D(2027, 1, 1))


def test_booking_refuses_taken_days_and_names_them(db: Session, people: dict[str, Principal]) -> None:
    resource = service.create_resource(db, people["owner"], stage())
    first = service.book(
        db, people["producer"], resource.id, BookingIn(starts_on=D(2027, 5, 1), ends_on=D(2027, 5, 3))
    )
    db.commit()
    with pytest.raises(Conflict) as taken:
        service.book(
            db, people["other"], resource.id, BookingIn(starts_on=D(2027, 5, 3), ends_on=D(2027, 5, 4))
        )
    assert taken.value.params == {"name": "横店 1号棚", "start": "2027-05-01", "end": "2027-05-03"}
    db.rollback()
    # The owner blocks days; others may not.
    with pytest.raises(Forbidden):
        service.book(
            db, people["other"], resource.id,
            BookingIn(starts_on=D(2027, 6, 1), ends_on=D(2027, 6, 1), status=BookingStatus.blocked),
        )  # fmt: skip
    with pytest.raises(Forbidden):
        service.book(
            db, people["reviewer"], resource.id, BookingIn(starts_on=D(2027, 6, 1), ends_on=D(2027, 6, 1))
        )
    # Cancelling frees the days; the calendar hides who booked from third parties.
    service.set_booking_status(db, people["producer"], first.id, BookingStatus.cancelled)
    again = service.book(
        db, people["other"], resource.id, BookingIn(starts_on=D(2027, 5, 2), ends_on=D(2027, 5, 2))
    )
    db.commit()
    seen_by_producer = service.calendar(db, people["producer"], resource.id, D(2027, 5, 1), D(2027, 5, 31))
    assert [(row["starts_on"], row["org_id"]) for row in seen_by_producer] == [(D(2027, 5, 2), None)]
    seen_by_owner = service.calendar(db, people["owner"], resource.id, D(2027, 5, 1), D(2027, 5, 31))
    assert seen_by_owner[0]["org_id"] == people["other"].org_id and seen_by_owner[0]["id"] == again.id
    audited = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == "chain_bookings")
    )
    assert audited == 3  # two bookings made, one cancelled


def test_concurrent_bookings_never_double_book(
    clean_engine: Engine, people: dict[str, Principal], db: Session
) -> None:
    resource = service.create_resource(db, people["owner"], stage())
    db.commit()
    contenders = 6
    barrier = threading.Barrier(contenders)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        session = session_factory(clean_engine)()
        principal = people["producer"] if index % 2 else people["other"]
        try:
            barrier.wait()
            service.book(
                session, principal, resource.id,
                BookingIn(starts_on=D(2027, 7, 1 + index % 2), ends_on=D(2027, 7, 5), note=f"try {index}"),
            )  # fmt: skip
            session.commit()
            outcome = "booked"
        except Conflict:
            session.rollback()
            outcome = "refused"
        finally:
            session.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * (contenders - 1)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Booking).where(Booking.resource_id == resource.id)) == 1


def test_quotes_sent_to_matching_providers_answered_and_accepted(
    db: Session, people: dict[str, Principal]
) -> None:
    owner, producer, other = people["owner"], people["producer"], people["other"]
    mine = service.create_resource(db, producer, stage("自家棚"))
    a = service.create_resource(db, owner, stage("1号棚"))
    b = service.create_resource(db, other, stage("长沙 LED 棚", region_code="430104"))
    busy = service.create_resource(db, other, stage("已订满"))
    service.book(db, owner, busy.id, BookingIn(starts_on=D(2027, 8, 1), ends_on=D(2027, 8, 31)))
    request, quotes = service.request_quotes(
        db, producer,
        QuoteRequestIn(title="虚拟拍摄 5 天", kind="studio", starts_on=D(2027, 8, 10), ends_on=D(2027, 8, 14)),
    )  # fmt: skip
    assert sorted(q.resource_id for q in quotes) == sorted([a.id, b.id])  # not its own, not the busy one
    assert mine.id not in [q.resource_id for q in quotes]
    quote_a = next(q for q in quotes if q.resource_id == a.id)
    quote_b = next(q for q in quotes if q.resource_id == b.id)
    with pytest.raises(Conflict):
        service.accept_quote(db, producer, quote_a.id)  # not answered yet
    service.answer_quote(db, owner, quote_a.id, QuoteAnswerIn(day_rate=Decimal("11000"), message="含灯光"))
    service.answer_quote(db, other, quote_b.id, QuoteAnswerIn(decline=True))
    # A provider sees only its own quote; a stranger not even the request.
    assert [q.id for q in service.quotes_of(db, owner, request.id)] == [quote_a.id]
    booking = service.accept_quote(db, producer, quote_a.id)
    db.commit()
    assert (booking.resource_id, booking.starts_on, booking.org_id) == (a.id, D(2027, 8, 10), producer.org_id)
    assert quote_a.status is QuoteStatus.accepted and quote_b.status is QuoteStatus.declined
    with pytest.raises(Conflict):
        service.accept_quote(db, producer, quote_a.id)


def test_directory_map_calendar_and_booking_pages(
    client: TestClient, db: Session, people: dict[str, Principal]
) -> None:
    location = service.create_resource(
        db, people["owner"],
        stage("明清宫苑", kind="location", lat=29.16, lon=120.31, details={"permits": "横店影视城管委会"}),
    )  # fmt: skip
    db.commit()
    assert client.get("/resources", follow_redirects=False).status_code in (302, 303, 401)
    producer = db.get_one(User, people["producer"].user_id)
    login(client, producer.username)
    page = client.get("/resources", params={"kind": "location"})
    assert page.status_code == 200 and "明清宫苑" in page.text and 'data-testid="location-map"' in page.text
    calendar = client.get(f"/resources/{location.id}", params={"month": "2027-02"})
    token = csrf_from(calendar.text)
    form = {"starts_on": "2027-02-03", "ends_on": "2027-02-04", "status": "confirmed", "csrf_token": token}
    booked = client.post(f"/resources/{location.id}/bookings", data=form, follow_redirects=False)
    assert booked.status_code == 303
    shown = client.get(booked.headers["location"])
    assert shown.text.count('class="taken"') == 2
    taken = client.post(f"/resources/{location.id}/bookings", data=form)
    assert taken.status_code == 409 and "2027-02-03" in taken.text
    blocked = client.post(
        f"/resources/{location.id}/bookings",
        data={**form, "starts_on": "2027-03-01", "ends_on": "2027-03-01", "status": "blocked"},
    )
    assert blocked.status_code == 403
    assert scan(client, ["/resources", f"/resources/{location.id}?month=2027-02", "/resources/quotes"]) == {}
