"""The inbox seam and notifications: items from industry and policy for the right principal only, one
notification per new item, e-mail to a real SMTP server (aiosmtpd), retries with backoff, the digest, the
bell and preference pages, the API and ``avbase inbox``."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from avbase.core import inbox
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.db import utcnow
from avbase.core.i18n import reset_locale, set_locale
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.worker import Worker
from avbase.core.notifications import service as notifications
from avbase.core.notifications.models import EmailState, Notification
from avbase.industry.models import Cluster, Enterprise, PeriodKind, Report
from avbase.policy import applications as apps
from avbase.policy.catalogue import load_catalogue
from avbase.policy.demo import attach_evidence
from avbase.policy.models import Review
from avbase.settings import get_settings
from tests.conftest import init_with_studio, login, run_cli

ON = date(2026, 5, 2)  # 2026-Q1 closed on 03-31 and was due on 04-15
MEASURE = "hn2023.5.certification"  # lead unit 省工业和信息化厅


class Inbox:
    """Messages the test SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or b""))
        return "250 OK"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Items are titled in the current language; these tests read them in English."""
    token = set_locale("en")
    yield
    reset_locale(token)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.start()
    received.port = controller.port
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", controller.port)
    monkeypatch.setattr(settings, "smtp_tls", "none")
    monkeypatch.setattr(settings, "smtp_sender", "avbase@example.cn")
    monkeypatch.setattr(settings, "smtp_timeout_seconds", 5.0)
    yield received
    controller.stop()


def _enterprise(db: Session, org: Organisation, *, filed: str | None) -> Enterprise:
    enterprise = Enterprise(org_id=org.id, credit_code=f"91330106MA{org.id:08d}", cluster=Cluster.content)
    db.add(enterprise)
    db.flush()
    if filed:
        db.add(
            Report(
                enterprise_id=enterprise.id,
                org_id=org.id,
                period_kind=PeriodKind.quarter,
                period_start=date.fromisoformat(filed),
            )
        )
    db.commit()
    return enterprise


def _kinds(items: list[inbox.InboxItem]) -> list[str]:
    return [item.kind for item in items]


def test_an_enterprise_owes_the_closed_periods_after_its_last_report_and_no_one_elses(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    studio, other = make_org("Studio"), make_org("Other")
    _enterprise(db, studio, filed="2025-10-01")
    _enterprise(db, other, filed="2026-01-01")
    staff = Principal.of(make_user(org=studio))
    items = inbox.collect(db, staff, on=ON)
    reports = [i for i in items if i.domain == "industry"]
    assert [(i.kind, i.due_on) for i in reports] == [("industry.report_overdue", date(2026, 4, 15))]
    assert "2026-Q1" in reports[0].title
    # Before the deadline the same period is due, not overdue.
    early = [i for i in inbox.collect(db, staff, on=date(2026, 4, 10)) if i.domain == "industry"]
    assert _kinds(early) == ["industry.report_due"]
    # The other enterprise filed Q1: it owes nothing, and it never sees the studio's items.
    theirs = inbox.collect(db, Principal.of(make_user(org=other)), on=ON)
    assert [i for i in theirs if i.domain == "industry"] == []


def test_a_park_operator_hears_of_its_late_enterprises_and_a_reviewer_of_none(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    from avbase.industry.models import Park, ParkLevel

    operator = make_org("Park operator", kind=OrgKind.park_operator)
    park = Park(name="Park", level=ParkLevel.national, region_code="330106", operator_org_id=operator.id)
    db.add(park)
    db.commit()
    for number, filed in enumerate(["2025-10-01", "2026-01-01", None]):
        enterprise = _enterprise(db, make_org(f"Member {number}", managed_by=operator), filed=filed)
        enterprise.park_id = park.id
    db.commit()
    items = inbox.collect(db, Principal.of(make_user(role=Role.park_operator, org=operator)), on=ON)
    late = [i for i in items if i.kind == "industry.park_unreported"]
    assert len(late) == 1 and "2 of the park's 3" in late[0].title
    assert inbox.collect(db, Principal.of(make_user(role=Role.reviewer, org=operator)), on=ON) == []


@pytest.fixture
def review_cast(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> tuple[User, User, User, int]:
    """An application on the lead unit's desk whose review was due long ago; (officer, other officer,
    applicant, application id)."""
    load_catalogue(db)
    admin = Principal(0, "admin", "Admin", Role.admin, 0, "avbase", "000000")
    lead_org = make_org("湖南省工业和信息化厅", kind=OrgKind.authority, region_code="430000")
    for unit in ("省工业和信息化厅", "省财政厅", "各市州人民政府"):
        apps.route_unit(db, admin, document="hn2023", unit=unit, org_id=lead_org.id)
    officer = make_user("lead.officer", role=Role.authority_officer, org=lead_org)
    officer.email = "officer@example.cn"
    other = make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    applicant = make_user(role=Role.enterprise_staff, org=make_org("芒果声像", region_code="430105"))
    who = Principal.of(applicant)
    facts = {"first_product": "true", "certification_cost": "80000", "granted_amount": "40000"}
    application = apps.create_application(db, who, measure_id=MEASURE, item="8K编码器首款认证", facts=facts)
    attach_evidence(db, who, application.id)
    apps.submit(db, who, application.id, on=date(2026, 3, 1))
    db.scalars(select(Review)).one().due_on = date(2026, 3, 16)
    db.commit()
    return officer, other, applicant, application.id


def test_the_lead_unit_sees_its_overdue_review_and_no_other_unit_does(
    db: Session, review_cast: tuple[User, User, User, int]
) -> None:
    officer, other, applicant, application_id = review_cast
    items = inbox.collect(db, Principal.of(officer), on=ON)
    assert [(i.kind, i.link) for i in items if i.domain == "policy"] == [
        ("policy.review_overdue", f"/policy/applications/{application_id}")
    ]
    assert [i for i in inbox.collect(db, Principal.of(other), on=ON) if i.domain == "policy"] == []
    # Returned, the application is the applicant's to change, and off the officer's desk.
    apps.decide(db, Principal.of(officer), application_id, decision=apps.Decision.return_, comment="补充材料")
    db.commit()
    assert "policy.application_returned" in _kinds(inbox.collect(db, Principal.of(applicant), on=ON))
    assert [i for i in inbox.collect(db, Principal.of(officer), on=ON) if i.domain == "policy"] == []


def test_an_overdue_review_is_emailed_at_once_and_told_only_once(
    clean_engine: Engine, db: Session, review_cast: tuple[User, User, User, int], smtp: Inbox
) -> None:
    officer, _other, _applicant, application_id = review_cast
    assert notifications.scan_and_queue(clean_engine, on=ON) >= 1
    assert notifications.scan_and_queue(clean_engine, on=ON) == 0  # nothing new the second time
    Worker(clean_engine).run_until_idle()
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "officer@example.cn" and message["From"] == "avbase@example.cn"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "8K编码器首款认证" in body and f"/policy/applications/{application_id}" in body
    db.expire_all()
    told = db.scalars(select(Notification).where(Notification.user_id == officer.id)).all()
    assert [(n.kind, n.email_state) for n in told] == [("policy.review_overdue", EmailState.sent)]


def test_a_failed_send_is_retried_later_and_never_undoes_the_notification(
    clean_engine: Engine,
    db: Session,
    review_cast: tuple[User, User, User, int],
    smtp: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_port", _free_port())  # nothing listens there
    notifications.scan_and_queue(clean_engine, on=ON)
    worker = Worker(clean_engine)
    worker.run_until_idle()
    db.expire_all()
    job = db.scalars(select(Job).where(Job.kind == notifications.EMAIL_JOB)).one()
    assert job.state is JobState.queued and job.attempts == 1
    assert job.run_after is not None and job.run_after > utcnow()  # backing off, not retried at once
    assert db.scalars(select(Notification)).one().email_state is EmailState.queued
    # The server comes back; once the wait is over the same job sends the e-mail.
    monkeypatch.setattr(get_settings(), "smtp_port", smtp.port)
    job.run_after = utcnow() - timedelta(seconds=1)
    db.commit()
    worker.run_until_idle()
    db.expire_all()
    assert db.get(Job, job.id).state is JobState.succeeded  # type: ignore[union-attr]
    assert len(smtp.messages) == 1


def test_items_not_due_at_once_wait_for_the_daily_digest(
    clean_engine: Engine,
    db: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    smtp: Inbox,
) -> None:
    studio = make_org("Studio")
    _enterprise(db, studio, filed="2025-10-01")
    staff = make_user(org=studio, locale="en")  # e-mails are written in the recipient's language
    staff.email = "staff@example.cn"
    db.commit()
    before = datetime(2026, 4, 9, 23, 0, tzinfo=UTC)  # 07:00 in Shanghai, before the digest hour
    notifications.scan_and_queue(clean_engine, on=date(2026, 4, 10), now=before)
    Worker(clean_engine).run_until_idle()
    assert smtp.messages == []  # a report due (not overdue) waits for the digest
    after = datetime(2026, 4, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    db.execute(
        Notification.__table__.update().values(created_at=before)  # made before today's digest time
    )
    db.commit()
    notifications.scan_and_queue(clean_engine, on=date(2026, 4, 10), now=after)
    Worker(clean_engine).run_until_idle()
    assert len(smtp.messages) == 1 and "digest" in smtp.messages[0]["Subject"]
    notifications.scan_and_queue(clean_engine, on=date(2026, 4, 10), now=after)
    Worker(clean_engine).run_until_idle()
    assert len(smtp.messages) == 1  # sent once


def test_a_kind_turned_off_is_not_emailed_but_still_rings_the_bell(
    clean_engine: Engine,
    client: TestClient,
    db: Session,
    review_cast: tuple[User, User, User, int],
    smtp: Inbox,
) -> None:
    officer, other, _applicant, _application_id = review_cast
    csrf = login(client, officer.username)
    form = client.get("/notifications/preferences")
    assert form.status_code == 200 and "policy.review_overdue" in form.text
    bad = client.post(
        "/notifications/preferences", data={"csrf_token": csrf, "policy.review_overdue": "hourly"}
    )
    assert bad.status_code == 422 and "digest" in bad.text
    saved = client.post(
        "/notifications/preferences",
        data={"csrf_token": csrf, "policy.review_overdue": "off"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    notifications.scan_and_queue(clean_engine, on=ON)
    Worker(clean_engine).run_until_idle()
    assert smtp.messages == []
    page = client.get("/").text
    assert 'data-testid="unread-count">1<' in page
    listed = client.get("/notifications").text
    assert "8K编码器首款认证" in listed
    mine = db.scalars(select(Notification).where(Notification.user_id == officer.id)).one()
    # Someone else cannot open (and so mark read) the officer's notification.
    client.post("/logout", data={"csrf_token": csrf})
    other_csrf = login(client, other.username)
    refused = client.post(f"/notifications/{mine.id}/open", data={"csrf_token": other_csrf})
    assert refused.status_code == 404
    assert 'data-testid="unread-count"' not in client.get("/").text
    client.post("/logout", data={"csrf_token": other_csrf})
    csrf = login(client, officer.username)
    opened = client.post(f"/notifications/{mine.id}/open", data={"csrf_token": csrf}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == mine.link
    assert 'data-testid="unread-count"' not in client.get("/").text


def test_the_api_lists_the_callers_inbox_and_notifications_only(
    client: TestClient,
    db: Session,
    review_cast: tuple[User, User, User, int],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    officer, other, _applicant, application_id = review_cast
    assert client.get("/api/v1/inbox").status_code == 401
    mine = client.get("/api/v1/inbox", headers=api_token(officer)).json()
    assert any(i["link"] == f"/policy/applications/{application_id}" for i in mine["items"])
    theirs = client.get("/api/v1/inbox", headers=api_token(other)).json()
    assert not any(i["domain"] == "policy" for i in theirs["items"])
    assert client.get("/api/v1/notifications", headers=api_token(other)).json() == {"unread": 0, "items": []}


def test_home_page_of_an_officer_shows_the_overdue_review(
    client: TestClient, review_cast: tuple[User, User, User, int]
) -> None:
    officer, _other, _applicant, _application_id = review_cast
    login(client, officer.username)
    page = client.get("/").text
    assert 'data-kind="policy.review_overdue"' in page and 'data-testid="waiting-reviews"' in page


def test_cli_inbox_as_a_user_prints_the_same_items_as_json(tmp_path: Path) -> None:
    var = tmp_path / "var"
    init_with_studio(var)
    added = run_cli(
        var,
        "user",
        "add",
        "studio.staff",
        "--role",
        "enterprise_staff",
        "--org",
        "Studio",
        env={"AVBASE_NEW_PASSWORD": "correct-horse-42"},
    )
    assert added.returncode == 0, added.stderr
    shown = run_cli(var, "inbox", "--as", "studio.staff", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {"user": "studio.staff", "items": []}
    unknown = run_cli(var, "inbox", "--as", "nobody", "--json")
    assert unknown.returncode != 0 and "as:" in unknown.stderr
