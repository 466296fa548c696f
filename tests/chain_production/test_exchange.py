"""The script exchange: deposit and verify, reading only when admitted (audited, watermarked PDF), coverage
aggregates and recommendation lists, interest, and literary works matched to producers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.chain.scripts import service
from avbase.chain.scripts.models import InterestKind, Recommendation, WorkKind
from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.errors import Conflict, Forbidden
from tests.conftest import login
from tests.industry.test_raw_codes import scan

SCRIPTS = Path(__file__).parent / "scripts"
SCORES = {"premise": 8, "structure": 7, "characters": 9, "dialogue": 6, "market": 8}


@pytest.fixture
def people(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> dict[str, User]:
    return {
        "author": make_user("author", org=make_org("林晓工作室"), role=Role.creator),
        "producer": make_user("producer", org=make_org("春江影业")),
        "other": make_user("other", org=make_org("湘江影视")),
        "expert": make_user("expert", org=make_org("专家库"), role=Role.reviewer),
    }


def p(user: User) -> Principal:
    return Principal.of(user)


def test_reading_needs_the_authors_admission_and_is_audited(db: Session, people: dict[str, User]) -> None:
    author, producer, other = p(people["author"]), p(people["producer"]), p(people["other"])
    script, _certificate = service.deposit(
        db, author, SCRIPTS / "river_dash.txt", title="江边", genre="家庭", logline="返乡的建筑师与渔家女。"
    )
    assert script.eighths and script.sha256 == service.storage.sha256_of(SCRIPTS / "river_dash.txt")
    with pytest.raises(Forbidden):
        service.full_text(db, producer, script.id)
    request = service.request_read(db, producer, script.id, "想看全文")
    with pytest.raises(Conflict):
        service.request_read(db, producer, script.id)
    assert [r.id for r in service.read_requests(db, other, script.id)] == []  # others' requests stay hidden
    service.decide_read(db, author, request.id, admit=True)
    _script, lines = service.full_text(db, producer, script.id)
    assert "1-1 日 外 江边码头" in lines
    with pytest.raises(Forbidden):
        service.full_text(db, other, script.id)
    reads = db.scalars(select(AuditEntry).where(AuditEntry.action == "chain.script.read")).all()
    assert [entry.note for entry in reads] == ["producer (春江影业)"]


def test_coverage_aggregates_recommendations_interest_and_adaptation(
    db: Session, people: dict[str, User]
) -> None:
    author, producer, other, expert = (p(people[k]) for k in ("author", "producer", "other", "expert"))
    river, _ = service.deposit(db, author, SCRIPTS / "river_dash.txt", title="江边", genre="家庭")
    city, _ = service.deposit(db, author, SCRIPTS / "city_dichang.txt", title="都市夜归人", genre="都市")
    novel, _ = service.deposit(
        db,
        author,
        SCRIPTS / "village_changjing.txt",
        title="榕树下（小说）",
        genre="家庭",
        kind=WorkKind.literary,
    )
    service.write_coverage(db, expert, river.id, scores=SCORES, recommendation=Recommendation.recommend)
    service.write_coverage(
        db, expert, city.id, scores={**SCORES, "premise": 4}, recommendation=Recommendation.consider
    )
    with pytest.raises(Forbidden):
        service.write_coverage(db, other, river.id, scores=SCORES, recommendation=Recommendation.decline)
    with pytest.raises(Exception, match="from 1 to 10"):
        service.write_coverage(
            db, expert, river.id, scores={**SCORES, "market": 11}, recommendation=Recommendation.consider
        )
    rows, means = service.coverage_of(db, producer, river.id)
    assert len(rows) == 1 and means["overall"] == 7.6 and means["characters"] == 9
    ranked = service.catalogue(db, order="score")
    assert [(e.script.title, e.overall) for e in ranked] == [("江边", 7.6), ("都市夜归人", 6.8)]
    service.mark_interest(db, producer, river.id)
    with pytest.raises(Forbidden):
        service.mark_interest(db, producer, river.id, InterestKind.option)  # not admitted to read
    service.set_brief(db, other, ["家庭", "乡村"])
    matches = service.adaptation_matches(db, author, novel.id)
    # 湘江影视's brief names 家庭 (3); 春江影业 showed interest in a 家庭 script (1).
    assert [(m["name"], m["score"]) for m in matches] == [("湘江影视", 3), ("春江影业", 1)]
    assert [e.script.title for e in service.catalogue(db, kind=WorkKind.literary)] == ["榕树下（小说）"]


def test_reading_room_pdf_is_watermarked_per_reader(
    client: TestClient, db: Session, people: dict[str, User]
) -> None:
    author, producer = p(people["author"]), p(people["producer"])
    script, _ = service.deposit(
        db, author, SCRIPTS / "lab_mixed.txt", title="实验室的灯", logline="一夜未眠的实验室。"
    )
    request = service.request_read(db, producer, script.id)
    db.commit()
    login(client, "producer")
    catalogue = client.get("/scripts")
    assert catalogue.status_code == 200 and "一夜未眠的实验室。" in catalogue.text
    assert client.get(f"/scripts/{script.id}/read.pdf").status_code == 403
    service.decide_read(db, author, request.id, admit=True)
    db.commit()
    pdf = client.get(f"/scripts/{script.id}/read.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "许教授" in text and "Test User · 春江影业" in text
    assert scan(client, ["/scripts", f"/scripts/{script.id}", "/scripts?order=score"]) == {}
