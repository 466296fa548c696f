"""Demo: the Hunan departments the measures name and Zhejiang's competent department, routed; budgets;
applications in every state."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.passwords import hash_password
from avbase.core.accounts.principal import Principal
from avbase.demo.data import DEMO_PASSWORD
from avbase.policy import applications as apps
from avbase.policy import rounds
from avbase.policy.catalogue import load_catalogue
from avbase.policy.models import Application, ApplicationState, Decision, Measure, SelectionRound
from avbase.settings import get_settings

# The organisation that acts for each unit the Hunan text names (the demo's stand-ins for the real ones).
HN_DEPARTMENTS = {
    "省工业和信息化厅": "湖南省工业和信息化厅",
    "省广电局": "湖南省广播电视局",
    "长沙市人民政府": "长沙市人民政府",
    "各市州人民政府": "长沙市人民政府",
    "省财政厅": "湖南省财政厅",
    "省科技厅": "湖南省科学技术厅",
    "省发展改革委": "湖南省发展和改革委员会",
    "省委宣传部": "中共湖南省委宣传部",
    "省委宣传部(省文资委)": "中共湖南省委宣传部",
    "省商务厅": "湖南省商务厅",
    "省国资委": "湖南省人民政府国有资产监督管理委员会",
    "省委人才办": "中共湖南省委人才工作领导小组办公室",
    "省教育厅": "湖南省教育厅",
    "省人力资源社会保障厅": "湖南省人力资源和社会保障厅",
    "省文化和旅游厅": "湖南省文化和旅游厅",
}
ZJ_BUREAU = "浙江省广播电视局"
BUDGETS = {
    "hn2023.4.rnd-center": 20_000_000,
    "hn2023.5.certification": 2_000_000,
    "hn2023.6.demonstration": 8_000_000,
    "hn2023.8.course": 3_000_000,
    "hn2023.8.training-base": 6_000_000,
}
ON = date(2025, 9, 1)
# (measure, facts, how far it gets)
PLAN: list[tuple[str, dict[str, str], ApplicationState]] = [
    ("hn2023.4.rnd-center", {"recognition_level": "provincial", "assessed_amount": "3200000"},
     ApplicationState.disbursed),
    ("hn2023.4.rnd-center", {"recognition_level": "national", "assessed_amount": "6500000"},
     ApplicationState.committed),
    ("hn2023.5.certification", {"first_product": "true", "certification_cost": "180000",
                                "granted_amount": "90000"}, ApplicationState.approved),
    ("hn2023.6.demonstration", {"assessed_amount": "1200000"}, ApplicationState.joint_review),
    ("hn2023.8.training-base", {"eligible_cost": "4200000"}, ApplicationState.lead_review),
    ("hn2023.8.course", {"in_training_plan": "true", "assessed_amount": "450000"}, ApplicationState.returned),
    ("hn2023.5.certification", {"first_product": "true", "certification_cost": "60000",
                                "granted_amount": "30000"}, ApplicationState.rejected),
    ("hn2023.6.demonstration", {"assessed_amount": "800000"}, ApplicationState.draft),
]  # fmt: skip
ITEMS = [
    "8K超高清制播实验室",
    "Audio Vivid编码器",
    "视频云转码平台",
    "虚拟制片示范项目",
    "产教融合实训基地",
    "音视频编解码课程",
]


def load(session: Session) -> dict[str, int]:
    load_catalogue(session)
    admin = Principal(0, "demo", "demo", Role.admin, 0, "avbase", "000000")
    orgs = {
        o.name: o for o in session.scalars(select(Organisation).where(Organisation.kind == OrgKind.authority))
    }
    for unit, name in HN_DEPARTMENTS.items():
        org = orgs.get(name)
        if org is None:
            org = Organisation(
                name=name, kind=OrgKind.authority, region_code="430100" if "长沙" in name else "430000"
            )
            session.add(org)
            session.flush()
            orgs[name] = org
        apps.route_unit(session, admin, document="hn2023", unit=unit, org_id=org.id)
    # Zhejiang's text names no units: its measures go to the competent department, the provincial bureau.
    if (bureau := orgs.get(ZJ_BUREAU)) is not None:
        for unit in apps.document_units(session, "zj2024"):
            apps.route_unit(session, admin, document="zj2024", unit=unit, org_id=bureau.id)
    for measure_id, amount in BUDGETS.items():
        apps.set_budget(session, admin, measure_id=measure_id, year=2025, amount=Decimal(amount))
    if not session.scalar(select(func.count()).select_from(Application)):
        _applications(session, {name: org.id for name, org in orgs.items()})
    if not session.scalar(select(func.count()).select_from(SelectionRound)):
        _rounds(session, orgs["湖南省工业和信息化厅"].id)
        if (bureau := orgs.get(ZJ_BUREAU)) is not None:
            _zhejiang_round(session, bureau.id)
    return {
        "applications": session.scalar(select(func.count()).select_from(Application)) or 0,
        "rounds": session.scalar(select(func.count()).select_from(SelectionRound)) or 0,
    }


CHALLENGES = [
    "8K超高清编码芯片",
    "HDR Vivid实时转换引擎",
    "Audio Vivid沉浸式音频渲染",
    "国产化视频云转码系统",
    "AIGC视频生成大模型",
    "全景声智能混音工具",
]
EXPERTS = [
    ("expert.zhang", "张教授（湖南大学）", "湖南大学"),
    ("expert.li", "李研究员（国防科大）", "国防科技大学"),
    ("expert.wang", "王总工（湖南广电）", "湖南广播影视集团"),
]


def _rounds(session: Session, organiser_org_id: int) -> None:
    """A published 2025 揭榜挂帅 list scored by three experts; an open 2026 call for demonstrations."""
    rng = random.Random(146)
    organiser = Principal(0, "demo", "demo", Role.authority_officer, organiser_org_id, "", "430000")
    criteria: list[dict[str, Any]] = [
        {"key": "innovation", "name": "技术先进性", "max": 40},
        {"key": "feasibility", "name": "实施可行性", "max": 30},
        {"key": "impact", "name": "产业带动性", "max": 30},
    ]
    published = rounds.create_round(
        session,
        organiser,
        measure_id="hn2023.2.challenge-list",
        year=2025,
        title="2025年音视频关键技术产品攻关揭榜挂帅",
        criteria=criteria,
        deadline=date(2025, 6, 30),
        quota=3,
    )
    entrants = list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrgKind.enterprise, Organisation.region_code.startswith("43"))
            .order_by(Organisation.id)
            .offset(40)
            .limit(len(CHALLENGES))
        )
    )
    entries = [
        rounds.submit_entry(
            session,
            Principal(0, "demo", "demo", Role.enterprise_staff, org.id, org.name, org.region_code),
            published.id,
            title=title,
            summary=None,
            on=date(2025, 6, 1),
        )
        for org, title in zip(entrants, CHALLENGES, strict=False)
    ]
    password = hash_password(DEMO_PASSWORD)
    experts = []
    for username, display, org_name in EXPERTS:
        org = session.scalar(select(Organisation).where(Organisation.name == org_name))
        if org is None:
            org = Organisation(name=org_name, kind=OrgKind.other, region_code="430100")
            session.add(org)
            session.flush()
        user = User(
            username=username, display_name=display, password_hash=password, role=Role.reviewer, org_id=org.id
        )
        session.add(user)
        session.flush()
        rounds.add_expert(session, organiser, published.id, user_id=user.id)
        experts.append(Principal.of(user))
    rounds.close_entries(session, organiser, published.id)
    harshness = [0.75, 0.9, 1.0]
    for expert, harsh in zip(experts, harshness, strict=True):
        for entry in entries:
            marks = {
                c["key"]: round(min(c["max"], c["max"] * harsh * rng.uniform(0.55, 1.0)), 1) for c in criteria
            }
            rounds.score_entry(session, expert, entry.id, marks=marks)
    rounds.publish(session, organiser, published.id)
    rounds.create_round(
        session,
        organiser,
        measure_id="hn2023.6.demonstration",
        year=2026,
        title="2026年音视频融合应用示范标杆项目遴选",
        criteria=criteria,
        deadline=date(2026, 12, 31),
        quota=10,
    )


def _zhejiang_round(session: Session, bureau_id: int) -> None:
    """Zhejiang's open call for 视听+文旅 cases (ZJ 15), for Zhejiang's enterprises and creators."""
    organiser = Principal(0, "demo", "demo", Role.authority_officer, bureau_id, ZJ_BUREAU, "330000")
    rounds.create_round(
        session,
        organiser,
        measure_id="zj2024.15.fusion-cases",
        year=2026,
        title="2026年“视听+文旅”融合案例推选",
        criteria=[
            {"key": "creativity", "name": "创意与内容品质", "max": 40},
            {"key": "fusion", "name": "文旅融合程度", "max": 35},
            {"key": "effect", "name": "社会与经济效益", "max": 25},
        ],
        deadline=date(2026, 12, 20),
        quota=20,
    )


def _applications(session: Session, org_ids: dict[str, int]) -> None:
    rng = random.Random(2023)
    applicants = list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrgKind.enterprise, Organisation.region_code.startswith("43"))
            .order_by(Organisation.id)
            .limit(40)
        )
    )
    if not applicants:
        return
    for number, (measure_id, facts, goal) in enumerate(PLAN):
        org = rng.choice(applicants)
        staff = Principal(0, "demo", "demo", Role.enterprise_staff, org.id, org.name, org.region_code)
        item = f"{ITEMS[number % len(ITEMS)]}（{number + 1}号）"
        application = apps.create_application(session, staff, measure_id=measure_id, item=item, facts=facts)
        if goal is ApplicationState.draft:
            continue
        attach_evidence(session, staff, application.id)
        apps.submit(session, staff, application.id, on=ON)
        measure = session.get(Measure, measure_id)
        assert measure is not None
        officers = [_officer(org_ids[HN_DEPARTMENTS[unit]]) for unit in measure.units]
        if goal is ApplicationState.lead_review:
            continue
        if goal in (ApplicationState.returned, ApplicationState.rejected):
            decision = Decision.return_ if goal is ApplicationState.returned else Decision.reject
            apps.decide(
                session,
                officers[0],
                application.id,
                decision=decision,
                comment="请补充资金使用计划和佐证材料",
            )
            continue
        apps.decide(session, officers[0], application.id, decision=Decision.approve, comment="符合条件")
        if goal is ApplicationState.joint_review:
            apps.decide(session, officers[1], application.id, decision=Decision.approve)
            continue
        for officer in officers[1:]:
            if application.state is ApplicationState.joint_review:
                pending = {r.org_id for r in application.reviews if r.decision is Decision.pending}
                if officer.org_id in pending:
                    apps.decide(session, officer, application.id, decision=Decision.approve)
        if goal is ApplicationState.approved:
            continue
        apps.commit_award(session, officers[0], application.id, year=2025)
        if goal is ApplicationState.disbursed:
            apps.disburse(session, officers[0], application.id, note="国库集中支付")
    _waiting_work(session, org_ids)


# Work on the demo Hunan users' desks, so their workbench shows it: two applications with the 工信厅 (one
# submitted on ON, so its review is long overdue) and one returned to 黄浩's company for changes.
WAITING: list[tuple[str, dict[str, str], str, Decision | None]] = [
    ("hn2023.4.rnd-center", {"recognition_level": "provincial", "assessed_amount": "2800000"},
     "超高清视频联合实验室", None),
    ("hn2023.5.certification", {"first_product": "true", "certification_cost": "120000",
                                "granted_amount": "60000"}, "HDR Vivid监视器首款认证", None),
    ("hn2023.5.certification", {"first_product": "true", "certification_cost": "90000",
                                "granted_amount": "45000"}, "Audio Vivid解码芯片首款认证", Decision.return_),
]  # fmt: skip


def _waiting_work(session: Session, org_ids: dict[str, int]) -> None:
    user = session.scalar(select(User).where(User.username == "hunan.staff"))
    if user is None:
        return
    org = user.organisation
    staff = Principal(0, "demo", "demo", Role.enterprise_staff, org.id, org.name, org.region_code)
    lead = _officer(org_ids[HN_DEPARTMENTS["省工业和信息化厅"]])
    for number, (measure_id, facts, item, decision) in enumerate(WAITING):
        application = apps.create_application(session, staff, measure_id=measure_id, item=item, facts=facts)
        attach_evidence(session, staff, application.id)
        apps.submit(session, staff, application.id, on=ON)
        if number == 0:
            application.reviews[-1].due_on = ON + timedelta(days=get_settings().review_days)
        if decision is not None:
            apps.decide(session, lead, application.id, decision=decision, comment="请补充检测报告原件扫描件")


def attach_evidence(session: Session, applicant: Principal, application_id: int) -> None:
    """Attaches a one-page PDF for every evidence item the measure asks for (demo and tests)."""
    application = session.get(Application, application_id)
    assert application is not None
    folder = get_settings().var_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    for number, item in enumerate(application.measure.evidence):
        path = folder / f"evidence-{application_id}-{number}.pdf"
        path.write_bytes(minimal_pdf(f"{application.item} / {number + 1}"))
        apps.attach(session, applicant, application_id, evidence=item, path=path, file_name=f"{item}.pdf")


def minimal_pdf(text: str) -> bytes:
    """A small, valid one-page PDF (for demo evidence)."""
    body = text.encode("ascii", "replace").decode()
    stream = f"BT /F1 12 Tf 72 720 Td ({body}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _officer(org_id: int) -> Principal:
    return Principal(0, "demo", "demo", Role.authority_officer, org_id, "", "430000")
