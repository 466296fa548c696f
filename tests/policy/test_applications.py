"""From application to money paid: lead review, joint review, returns, budget, ledger, non-cumulation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from avbase.core import ledger
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.db import session_factory
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.policy import applications as apps
from avbase.policy import books
from avbase.policy.demo import attach_evidence, minimal_pdf
from avbase.policy.models import ApplicationState, Decision, LedgerEntry, LedgerKind
from tests.conftest import login

ON = date(2025, 6, 1)
MEASURE = "hn2023.5.certification"  # units: 省工业和信息化厅 (lead), 省财政厅, 各市州人民政府


@dataclass
class Cast:
    lead: Principal
    finance: Principal
    city: Principal
    applicant: Principal
    other_applicant: Principal


@pytest.fixture
def cast(catalogue: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]) -> Cast:
    admin = Principal(0, "admin", "Admin", Role.admin, 0, "avbase", "000000")
    officers = []
    for unit, name, region in (
        ("省工业和信息化厅", "湖南省工业和信息化厅", "430000"),
        ("省财政厅", "湖南省财政厅", "430000"),
        ("各市州人民政府", "长沙市人民政府", "430100"),
    ):
        org = make_org(name, kind=OrgKind.authority, region_code=region)
        apps.route_unit(catalogue, admin, document="hn2023", unit=unit, org_id=org.id)
        officers.append(Principal.of(make_user(role=Role.authority_officer, org=org)))
    catalogue.commit()
    studio = Principal.of(
        make_user(role=Role.enterprise_staff, org=make_org("芒果声像", region_code="430105"))
    )
    other = Principal.of(
        make_user(role=Role.enterprise_staff, org=make_org("湘江动漫", region_code="430105"))
    )
    return Cast(*officers, studio, other)


def new_application(
    db: Session, who: Principal, amount: str = "50000", item: str = "8K编码器首款认证"
) -> int:
    facts = {"first_product": "true", "certification_cost": "80000", "granted_amount": amount}
    application = apps.create_application(db, who, measure_id=MEASURE, item=item, facts=facts)
    attach_evidence(db, who, application.id)
    apps.submit(db, who, application.id, on=ON)
    db.commit()
    return application.id


def approve_all(db: Session, cast: Cast, application_id: int) -> None:
    for officer in (cast.lead, cast.finance, cast.city):
        apps.decide(db, officer, application_id, decision=Decision.approve)
    db.commit()


def test_lead_review_then_parallel_joint_review_then_money(catalogue: Session, cast: Cast) -> None:
    db = catalogue
    application_id = new_application(db, cast.applicant)
    application = apps.get_application(db, cast.applicant, application_id)
    assert application.state is ApplicationState.lead_review and application.quoted_amount == Decimal(50000)
    # Co-units cannot act before the lead unit: nothing is routed to them yet.
    with pytest.raises(NotFound):
        apps.decide(db, cast.finance, application_id, decision=Decision.approve)
    apps.decide(db, cast.lead, application_id, decision=Decision.approve)
    assert application.state is ApplicationState.joint_review
    assert sorted(r.unit for r in application.reviews if r.stage.value == "joint") == [
        "各市州人民政府",
        "省财政厅",
    ]
    apps.decide(db, cast.city, application_id, decision=Decision.approve, comment="同意")
    assert application.state is ApplicationState.joint_review  # the finance department has not decided
    apps.decide(db, cast.finance, application_id, decision=Decision.approve)
    assert application.state is ApplicationState.approved and application.approved_amount == Decimal(50000)

    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(120000))
    with pytest.raises(Forbidden):
        apps.commit_award(db, cast.finance, application_id, year=2025)  # the lead unit books money
    apps.commit_award(db, cast.lead, application_id, year=2025)
    apps.disburse(db, cast.lead, application_id, note="国库集中支付")
    db.commit()
    assert application.state is ApplicationState.disbursed
    # The register posts to the platform's double-entry ledger: paid out of the measure's account.
    paid = {(b.party, b.code): b.amount for b in ledger.balances(db, book="policy")}
    assert paid[(f"measure:{MEASURE}", "committed:2025")] == Decimal(50000)
    assert paid[(f"measure:{MEASURE}", "paid:2025")] == Decimal(-50000)
    assert paid[(ledger.org_party(application.org_id), f"award:{MEASURE}")] == 0
    apps.reverse(db, cast.lead, application_id, note="认证报告作废")
    db.commit()
    kinds = db.execute(
        select(LedgerEntry.kind, LedgerEntry.amount).where(LedgerEntry.application_id == application_id)
        .order_by(LedgerEntry.id)
    ).all()  # fmt: skip
    assert [(k, a) for k, a in kinds] == [
        (LedgerKind.commit, Decimal(50000)),
        (LedgerKind.disburse, Decimal(50000)),
        (LedgerKind.reverse_disburse, Decimal(-50000)),
        (LedgerKind.reverse_commit, Decimal(-50000)),
    ]
    assert books.committed_total(db, MEASURE, 2025) == 0 and application.state is ApplicationState.approved
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.application_id == application_id)).all()
    assert all(entry.transaction_id is not None for entry in entries)
    assert {b.code: b.amount for b in ledger.balances(db, book="policy")} == {
        "committed:2025": 0,
        "paid:2025": 0,
        f"award:{MEASURE}": 0,
    }


def test_a_return_needs_a_comment_and_a_resubmission_starts_a_new_round(
    catalogue: Session, cast: Cast
) -> None:
    db = catalogue
    application_id = new_application(db, cast.applicant)
    with pytest.raises(AvbaseError) as missing:
        apps.decide(db, cast.lead, application_id, decision=Decision.return_)
    assert missing.value.field == "comment"
    apps.decide(db, cast.lead, application_id, decision=Decision.return_, comment="补充检测报告")
    application = apps.update_draft(
        db, cast.applicant, application_id, item=None, facts={"granted_amount": "40000"}
    )
    apps.submit(db, cast.applicant, application_id, on=ON)
    assert application.state is ApplicationState.lead_review and application.quoted_amount == Decimal(40000)
    assert [(r.round, r.decision.value) for r in application.reviews] == [(1, "return"), (2, "pending")]
    apps.decide(db, cast.lead, application_id, decision=Decision.approve)
    apps.decide(db, cast.finance, application_id, decision=Decision.reject, comment="超出年度计划")
    assert application.state is ApplicationState.rejected


def test_each_side_sees_only_what_it_may(catalogue: Session, cast: Cast) -> None:
    db = catalogue
    mine = new_application(db, cast.applicant)
    with pytest.raises(NotFound):
        apps.get_application(db, cast.other_applicant, mine)
    with pytest.raises(NotFound):  # not routed to the finance department until the lead approves
        apps.get_application(db, cast.finance, mine)
    assert apps.get_application(db, cast.lead, mine).id == mine
    listed = db.scalars(apps.visible_applications(cast.other_applicant)).all()
    assert listed == []
    with pytest.raises(Forbidden):
        apps.decide(db, cast.applicant, mine, decision=Decision.approve)


def test_an_ineligible_application_is_not_submitted_and_says_why(catalogue: Session, cast: Cast) -> None:
    db = catalogue
    draft = apps.create_application(
        db,
        cast.applicant,
        measure_id=MEASURE,
        item="旧产品",
        facts={"first_product": "false", "certification_cost": "1"},
    )
    with pytest.raises(AvbaseError) as refused:
        apps.submit(db, cast.applicant, draft.id, on=ON)
    assert "为首款测试认证产品" in str(refused.value.params["reason"])  # the fact by its label, not its name
    with pytest.raises(AvbaseError):
        apps.submit(db, cast.applicant, draft.id, on=date(2029, 1, 1))  # after the five years


def test_the_budget_is_never_overspent_and_an_item_is_supported_once(catalogue: Session, cast: Cast) -> None:
    db = catalogue
    first, second = (
        new_application(db, cast.applicant, item="A"),
        new_application(db, cast.other_applicant, item="B"),
    )
    for application_id in (first, second):
        approve_all(db, cast, application_id)
    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(80000))
    apps.commit_award(db, cast.lead, first, year=2025)
    with pytest.raises(Conflict) as exhausted:
        apps.commit_award(db, cast.lead, second, year=2025)
    assert exhausted.value.params["left"] == "30,000.00"
    with pytest.raises(Conflict):
        apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(10000))
    again = new_application(db, cast.applicant, item="A")
    approve_all(db, cast, again)
    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(500000))
    with pytest.raises(Conflict) as stacked:
        apps.commit_award(db, cast.lead, again, year=2025)
    assert "不重复享受" in stacked.value.message


def test_two_approvals_at_the_same_moment_never_overspend(
    clean_engine: Engine, catalogue: Session, cast: Cast
) -> None:
    if clean_engine.dialect.name != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    db = catalogue
    ids = [new_application(db, cast.applicant, item=f"item {n}") for n in range(6)]
    for application_id in ids:
        approve_all(db, cast, application_id)
    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(100000))  # room for two
    db.commit()
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []

    def book(application_id: int) -> None:
        with session_factory(clean_engine)() as session:
            barrier.wait()
            try:
                apps.commit_award(session, cast.lead, application_id, year=2025)
                session.commit()
                outcomes.append("committed")
            except Conflict:
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=book, args=(application_id,)) for application_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["committed", "committed", "refused", "refused", "refused", "refused"]
    db.expire_all()
    assert books.committed_total(db, MEASURE, 2025) == Decimal(100000)


def test_the_web_flow_from_the_measure_page_to_the_lead_units_decision(
    client: TestClient, catalogue: Session, cast: Cast
) -> None:
    csrf = login(client, cast.applicant.username)
    form = {
        "csrf_token": csrf, "fact_first_product": "true", "fact_certification_cost": "70000",
        "fact_granted_amount": "35000", "on": "2025-06-01", "item": "超高清编码器首款认证",
    }  # fmt: skip
    applied = client.post(f"/policy/measures/{MEASURE}/apply", data=form, follow_redirects=False)
    assert applied.status_code == 303
    page_url = applied.headers["location"]
    draft = client.get(page_url).text
    assert "草稿" in draft and draft.count('class="missing"') == 4
    blocked = client.post(page_url + "/submit", data={"csrf_token": csrf})
    assert blocked.status_code == 400 and "请先上传材料" in blocked.text
    for item in ("申请书", "营业执照或法人登记证书", "有关费用或投入凭证", "测试认证报告"):
        upload = {"file": (f"{item}.pdf", minimal_pdf(item), "application/pdf")}
        sent = client.post(
            page_url + "/attach",
            data={"csrf_token": csrf, "evidence": item},
            files=upload,
            follow_redirects=False,
        )
        assert sent.status_code == 303
    assert 'class="missing"' not in client.get(page_url).text
    assert (
        client.post(page_url + "/submit", data={"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    csrf = login(client, cast.lead.username)
    inbox = client.get("/policy/applications").text
    assert "待本单位审核" in inbox and "超高清编码器首款认证" in inbox
    refused = client.post(page_url + "/decide", data={"csrf_token": csrf, "decision": "reject"})
    assert refused.status_code == 400 and "须填写意见" in refused.text
    approved = client.post(
        page_url + "/decide", data={"csrf_token": csrf, "decision": "approve"}, follow_redirects=False
    )
    assert approved.status_code == 303
    assert "联审" in client.get(page_url).text


def test_award_reports_add_up_by_measure_unit_and_region_and_export(
    client: TestClient, catalogue: Session, cast: Cast
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from avbase.policy.reports import award_report

    db = catalogue
    paid, booked, _waiting = (new_application(db, cast.applicant, amount, item) for amount, item in
                             (("50000", "A"), ("30000", "B"), ("20000", "C")))  # fmt: skip
    for application_id in (paid, booked):
        approve_all(db, cast, application_id)
    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(200000))
    apps.commit_award(db, cast.lead, paid, year=2025)
    apps.commit_award(db, cast.lead, booked, year=2025)
    apps.disburse(db, cast.lead, paid)
    db.commit()
    (by_measure,) = award_report(db, cast.lead, year=2025, by="measure", locale="zh_Hans")
    assert (by_measure.key, by_measure.applications) == (MEASURE, 3)
    assert (by_measure.approved, by_measure.committed, by_measure.disbursed, by_measure.budget) == (
        Decimal(80000),
        Decimal(80000),
        Decimal(50000),
        Decimal(200000),
    )
    assert by_measure.states == {"disbursed": 1, "committed": 1, "lead_review": 1}
    (by_unit,) = award_report(db, cast.lead, year=2025, by="unit", locale="zh_Hans")
    assert by_unit.key == "省工业和信息化厅"
    (by_region,) = award_report(db, cast.lead, year=2025, by="region", locale="zh_Hans")
    assert (by_region.key, by_region.name) == ("430100", "长沙市")
    assert award_report(db, cast.lead, year=2024, by="measure", locale="zh_Hans") == []
    with pytest.raises(Forbidden):
        award_report(db, cast.applicant, year=2025, by="measure", locale="zh_Hans")

    login(client, cast.lead.username)
    page = client.get("/policy/reports?year=2025").text
    assert "首款产品测试认证费用补助" in page and "80,000.00" in page
    workbook = client.get("/policy/reports.xlsx?year=2025&by=measure")
    assert workbook.status_code == 200
    sheet = load_workbook(BytesIO(workbook.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2025年惠企奖补统计（按措施）" and rows[1][:2] == ("措施", "申请数")
    assert rows[2][:2] == ("首款产品测试认证费用补助", 3) and rows[2][-1] == 0.4  # 80,000 of 200,000
    assert sheet.cell(row=3, column=7).number_format == "0.0%"
    by_region = client.get("/policy/reports.xlsx?year=2025&by=region").content
    rows = list(load_workbook(BytesIO(by_region)).active.iter_rows(values_only=True))
    assert rows[0][0].endswith("（按地区）") and rows[2][:2] == ("长沙市", "430100")


def test_a_review_past_its_due_date_is_a_reminder_for_that_unit_only(catalogue: Session, cast: Cast) -> None:
    from datetime import timedelta

    from avbase.industry.reports import today

    db = catalogue
    application_id = new_application(db, cast.applicant)
    (review,) = apps.get_application(db, cast.lead, application_id).reviews
    assert review.due_on == today() + timedelta(days=15)
    assert apps.overdue_reviews(db, cast.lead, on=today()) == []
    late = apps.overdue_reviews(db, cast.lead, on=today() + timedelta(days=16))
    assert [r.application_id for r in late] == [application_id]
    assert apps.overdue_reviews(db, cast.finance, on=today() + timedelta(days=16)) == []
    apps.decide(db, cast.lead, application_id, decision=Decision.approve)
    assert apps.overdue_reviews(db, cast.lead, on=today() + timedelta(days=16)) == []


def test_the_lead_commits_on_the_web_seeing_the_budget_and_defaults_to_the_year_that_has_one(
    client: TestClient, catalogue: Session, cast: Cast
) -> None:
    db = catalogue
    booked, approved = new_application(db, cast.applicant, "30000", "A"), new_application(db, cast.applicant)
    for application_id in (booked, approved):
        approve_all(db, cast, application_id)
    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2024, amount=Decimal(40000))
    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(100000))
    apps.commit_award(db, cast.lead, booked, year=2025)
    db.commit()
    csrf = login(client, cast.lead.username)
    page = client.get(f"/policy/applications/{approved}").text
    assert "100,000.00" in page and "30,000.00" in page and "70,000.00" in page  # budget, committed, left
    assert '<option value="2025" selected>' in page  # 2024 has 40,000 left: too little for 50,000
    done = client.post(
        f"/policy/applications/{approved}/commit",
        data={"csrf_token": csrf, "year": "2025"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert "50,000.00 元已计入 2025 年预算；尚余 20,000.00 元。" in shown
    # the applicant sees neither the budget nor the forms that book money
    login(client, cast.applicant.username)
    assert 'id="budget-table"' not in client.get(f"/policy/applications/{approved}").text


def test_deciding_says_what_happened_and_a_rejection_asks_first(
    client: TestClient, catalogue: Session, cast: Cast
) -> None:
    application_id = new_application(catalogue, cast.applicant)
    csrf = login(client, cast.lead.username)
    page = client.get(f"/policy/applications/{application_id}").text
    assert 'value="reject" data-testid="reject" data-confirm="' in page
    returned = client.post(
        f"/policy/applications/{application_id}/decide",
        data={"csrf_token": csrf, "decision": "return", "comment": "补充材料"},
        follow_redirects=False,
    )
    assert "已退回申请单位修改" in client.get(returned.headers["location"]).text


def test_a_zhejiang_officer_sets_no_hunan_budget(
    catalogue: Session, cast: Cast, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    zj = Principal.of(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000"))
    )
    with pytest.raises(Forbidden):
        apps.set_budget(catalogue, zj, measure_id=MEASURE, year=2025, amount=Decimal(1))
    apps.set_budget(catalogue, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(1))


def test_entries_booked_before_the_core_ledger_are_posted_to_it_by_the_migration(
    catalogue: Session, cast: Cast
) -> None:
    """Budgets and reports read the core ledger; migration 0029 posts the register entries that predate it."""
    import importlib.util
    from pathlib import Path

    from sqlalchemy import text

    from avbase.core.migrate import MIGRATIONS_DIR

    db = catalogue
    paid, booked = (
        new_application(db, cast.applicant, "50000", "A"),
        new_application(db, cast.applicant, "30000", "B"),
    )
    for application_id in (paid, booked):
        approve_all(db, cast, application_id)
    apps.set_budget(db, cast.lead, measure_id=MEASURE, year=2025, amount=Decimal(200000))
    apps.commit_award(db, cast.lead, paid, year=2025)
    apps.commit_award(db, cast.lead, booked, year=2025)
    apps.disburse(db, cast.lead, paid)
    db.commit()
    before = {(b.party, b.code): b.amount for b in ledger.balances(db, book="policy")}
    # As a database from before 0021 had it: register entries and no ledger transactions.
    db.execute(text("UPDATE policy_ledger SET transaction_id = NULL"))
    db.execute(text("DELETE FROM ledger_postings"))
    db.execute(text("DELETE FROM ledger_transactions"))
    db.commit()
    assert books.committed_total(db, MEASURE, 2025) == 0

    path = Path(MIGRATIONS_DIR) / "versions" / "0029_policy_awards_on_core_ledger.py"
    spec = importlib.util.spec_from_file_location("migration_0029", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    connection = db.connection()
    assert migration.post_unposted(connection) == 3
    assert migration.post_unposted(connection) == 0  # once only
    db.commit()

    assert {(b.party, b.code): b.amount for b in ledger.balances(db, book="policy")} == before
    assert books.committed_total(db, MEASURE, 2025) == Decimal(80000)
    assert all(e.transaction_id is not None for e in db.scalars(select(LedgerEntry)))
    apps.reverse(db, cast.lead, paid, note="补录后冲销")  # reversals still balance against the posted entries
    db.commit()
    assert books.committed_total(db, MEASURE, 2025) == Decimal(30000)


def test_the_trace_kept_with_an_application_reads_in_each_readers_language(
    client: TestClient, catalogue: Session, cast: Cast
) -> None:
    from avbase.core.i18n import reset_locale, set_locale

    token = set_locale("zh_Hans")  # the applicant submits in Chinese
    try:
        application_id = new_application(catalogue, cast.applicant)
    finally:
        reset_locale(token)
    login(client, cast.lead.username)
    english = client.get(f"/policy/applications/{application_id}?lang=en").text
    chinese = client.get(f"/policy/applications/{application_id}?lang=zh_Hans").text
    assert "Amount set by the authority: 50,000.00 yuan." in english
    assert "主管部门核定金额：50,000.00 元。" in chinese
    shown = client.get(f"/api/v1/policy/applications/{application_id}", headers={"Accept-Language": "en"})
    assert "Amount set by the authority: 50,000.00 yuan." in shown.json()["trace"]
