"""Demo: a Hengdian and a Malanshan resource directory with bookings, two productions with stripboards and
tasks across companies, and scripts in the exchange with coverage. Loaded once (skipped when present)."""

# ruff: noqa: E501  (demo data rows read best one to a line)
from __future__ import annotations

import random
import tempfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.chain.production import service as production
from avbase.chain.production.models import Production, TaskStatus
from avbase.chain.resources import service as resources
from avbase.chain.resources.models import Booking, BookingStatus, ProductionResource, QuoteRequest
from avbase.chain.resources.schemas import BookingIn, QuoteAnswerIn, QuoteRequestIn, ResourceIn
from avbase.chain.scripts import service as scripts
from avbase.chain.scripts.breakdown import breakdown_lines
from avbase.chain.scripts.models import Recommendation, Script, WorkKind
from avbase.chain.scripts.samples import screenplay
from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.demo import data

START = date(2027, 3, 1)
HENGDIAN = (29.16, 120.31)
MALANSHAN = (28.23, 112.99)

# (owner index among the park's demo companies, kind, trade, name, place, day rate, (dlat, dlon), details)
HENGDIAN_RESOURCES = [
    (0, "studio", None, "横店 1号摄影棚", "横店影视城", "18000", None,
     {"area_m2": 3000, "height_m": 18, "led_volume": False, "power_kw": 1200}),
    (0, "studio", None, "横店 LED 虚拟拍摄棚", "横店影视城", "45000", None,
     {"area_m2": 1800, "height_m": 12, "led_volume": True, "power_kw": 2000}),
    (1, "location", None, "明清宫苑", "横店影视城", "30000", (0.01, 0.02),
     {"permits": "横店影视城景区拍摄许可", "contact": "景区剧组服务中心 0579-8655xxxx"}),
    (1, "location", None, "秦王宫", "横店影视城", "26000", (0.03, -0.01),
     {"permits": "横店影视城景区拍摄许可", "contact": "景区剧组服务中心"}),
    (1, "location", None, "广州街·香港街", "横店影视城", "22000", (-0.02, 0.03),
     {"permits": "横店影视城景区拍摄许可", "contact": "景区剧组服务中心"}),
    (1, "location", None, "清明上河图", "横店影视城", "20000", (0.05, 0.04), {"permits": "景区拍摄许可"}),
    (2, "equipment", None, "ARRI Alexa 35 摄影机套装", "横店", "3500", None, {"items": ["机身", "镜头组", "跟焦"]}),
    (2, "equipment", None, "18K 灯光车", "横店", "6000", None, {"power_kw": 120}),
    (3, "crew", "director", "周导（导演）", "横店", "8000", None, {"credits": ["《江南雨》", "《古镇》"]}),
    (3, "crew", "dop", "陈光（摄影指导）", "横店", "6000", None, {"credits": ["《江南雨》"]}),
    (3, "crew", "gaffer", "吴亮（灯光师）", "横店", "2500", None, {}),
    (3, "crew", "actor", "林小雨（演员）", "横店", "12000", None, {"roles": ["女主角"]}),
    (4, "service", "post_production", "横店星光后期制作中心", "横店", "9000", None, {}),
    (4, "service", "vfx", "横店影像视效工作室", "横店", "15000", None, {"shots_per_month": 300}),
    (5, "service", "colour", "东阳调色间", "东阳", "7000", None, {"standards": ["HDR Vivid", "HDR10"]}),
    (5, "service", "sound", "歌山录音混录棚", "东阳", "8000", None, {"formats": ["Audio Vivid", "5.1"]}),
]  # fmt: skip
MALANSHAN_RESOURCES = [
    (0, "studio", None, "马栏山虚拟制作棚", "马栏山视频文创园", "40000", None,
     {"area_m2": 1500, "height_m": 10, "led_volume": True, "power_kw": 1600}),
    (0, "studio", None, "马栏山演播厅 A", "马栏山视频文创园", "25000", None,
     {"area_m2": 2000, "height_m": 14, "led_volume": False, "power_kw": 1000}),
    (1, "location", None, "橘子洲头", "长沙", "15000", (0.0, -0.04), {"permits": "长沙市景区拍摄审批"}),
    (1, "location", None, "岳麓书院", "长沙", "18000", (-0.05, -0.05), {"permits": "文物单位拍摄审批"}),
    (1, "location", None, "太平老街", "长沙", "9000", (-0.03, -0.02), {"permits": "街道办拍摄备案"}),
    (2, "service", "dubbing", "湘江配音译制中心", "马栏山", "6000", None, {"languages": ["普通话", "英语", "越南语"]}),
    (2, "service", "subtitles", "芙蓉多语字幕工作室", "马栏山", "3000", None, {"languages": ["中文", "英文", "泰文"]}),
    (3, "service", "music", "马栏山原创音乐工坊", "马栏山", "10000", None, {}),
    (3, "service", "animation", "马栏山动画制作中心", "马栏山", "12000", None, {}),
    (4, "service", "vfx", "湘江数字视效", "马栏山", "14000", None, {}),
    (4, "crew", "editor", "黄剪（剪辑师）", "长沙", "3000", None, {"credits": ["《都市夜归人》"]}),
    (5, "equipment", None, "Sony VENICE 2 套装", "马栏山", "4000", None, {}),
]  # fmt: skip


def _principal(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None, username
    return Principal.of(user)


def _acting_for(session: Session, org: Organisation) -> Principal:
    """Staff of a demo company that has no demo login: the operator acting for it."""
    return Principal(0, "demo", "demo", Role.enterprise_staff, org.id, org.name, org.region_code)


def _directory(
    session: Session, park: data.DemoOrg, rows: list[tuple[Any, ...]], centre: tuple[float, float]
) -> list[ProductionResource]:
    companies = [c for c in data.enterprises() if c.managed_by == park.name]
    by_name = {
        o.name: o
        for o in session.scalars(
            select(Organisation).where(Organisation.name.in_([c.name for c in companies]))
        )
    }
    rng = random.Random(18)
    made = []
    for index, kind, trade, name, place, rate, offset, details in rows:
        owner = _acting_for(session, by_name[companies[index].name])
        lat, lon = (centre[0] + offset[0], centre[1] + offset[1]) if offset else (None, None)
        resource = resources.create_resource(
            session, owner,
            ResourceIn.model_validate({
                "kind": kind, "trade": trade, "name": name, "place": place, "day_rate": rate,
                "region_code": park.region_code, "lat": lat, "lon": lon, "details": details,
                "description": f"{place}的{name}，由{owner.org_name}维护。",
            }),
        )  # fmt: skip
        resource.rating = round(rng.uniform(3.6, 5.0), 1)
        resource.rating_count = rng.randrange(5, 120)
        made.append(resource)
    session.flush()
    return made


def _bookings(session: Session, made: list[ProductionResource], bookers: list[Principal]) -> int:
    rng = random.Random(146)
    count = 0
    for resource in made:
        day = START + timedelta(days=rng.randrange(0, 10))
        for _ in range(rng.randrange(2, 6)):
            length = rng.randrange(1, 8)
            booker = rng.choice(bookers)
            owner_blocks = rng.random() < 0.15
            data_in = BookingIn(
                starts_on=day, ends_on=day + timedelta(days=length - 1),
                status=BookingStatus.blocked if owner_blocks else rng.choice([BookingStatus.confirmed, BookingStatus.held]),
                note="设备检修" if owner_blocks else "剧组预订",
            )  # fmt: skip
            who = replace(bookers[0], org_id=resource.org_id) if owner_blocks else booker
            if who.org_id != resource.org_id or owner_blocks:
                resources.book(session, who, resource.id, data_in)
                count += 1
            day += timedelta(days=length + rng.randrange(2, 20))
    return count


def _production(
    session: Session, lead: Principal, title: str, partners: list[tuple[Principal, str]], style: str, seed: int,
    project_id: int | None,
) -> Production:  # fmt: skip
    item = production.create_production(
        session, lead, title=title, industry_project_id=project_id, starts_on=START
    )
    for partner, role in partners:
        production.add_company(session, lead, item.id, partner.org_id, role)
    text = screenplay(pages=8, seed=seed, style=style, title=title)
    result = breakdown_lines(text.splitlines())
    production.load_breakdown(session, lead, item.id, result)
    days = [production.add_day(session, lead, item.id, START + timedelta(days=i)) for i in range(4)]
    _board, pool = production.stripboard(session, lead, item.id)
    for index, scene in enumerate(pool.scenes[: len(pool.scenes) * 2 // 3]):
        production.move_scene(session, lead, item.id, scene.id, days[index % len(days)].id, 99)
    for name, role, character in (("周导", "导演", None), ("陈光", "摄影指导", None), ("林小雨", "演员", "林秋"),
                                  ("赵一", "演员", "陈默"), ("王副导", "副导演", None)):  # fmt: skip
        production.add_crew(
            session, lead, item.id, name=name, role=role, character=character, call_time="06:30"
        )
    shoot = production.create_task(session, lead, item.id, title="主体拍摄与素材交付", org_id=lead.org_id,
                                   due_on=START + timedelta(days=20))  # fmt: skip
    previous = shoot.id
    for partner, role in partners:
        task = production.create_task(
            session, lead, item.id, title=f"{role}：第一批交付", org_id=partner.org_id,
            due_on=START + timedelta(days=45), depends_on=[previous],
        )  # fmt: skip
        previous = task.id
    production.set_task_status(session, lead, shoot.id, TaskStatus.done)
    return item


def _exchange(
    session: Session, creator: Principal, producer: Principal, hunan: Principal, expert: Principal
) -> int:
    folder = Path(tempfile.mkdtemp(prefix="avbase-demo-scripts-"))
    works = [
        ("江边", "家庭", "返乡的建筑师与渔家女，在一条将被填平的江湾重逢。", "dash", WorkKind.script),
        ("都市夜归人", "都市", "一个出租车司机一夜之间救下三个陌生人。", "dichang", WorkKind.script),
        (
            "实验室的灯",
            "悬疑",
            "一夜未眠的实验室，一份必须在日出前销毁的样本。",
            "changjing",
            WorkKind.script,
        ),
        ("榕树下", "乡村", "一部写村口大榕树百年的长篇小说，征集影视改编。", "changjing", WorkKind.literary),
    ]
    made = []
    for index, (title, genre, logline, style, kind) in enumerate(works):
        path = folder / f"{title}.txt"
        path.write_text(screenplay(pages=4 + index * 2, seed=200 + index, style=style, title=title), "utf-8")
        script, _certificate = scripts.deposit(
            session, creator, path, title=title, genre=genre, logline=logline, kind=kind,
            synopsis=f"《{title}》：{logline}故事在横店与长沙两地展开。",
        )  # fmt: skip
        made.append(script)
    scores = [
        {"premise": 8, "structure": 7, "characters": 9, "dialogue": 7, "market": 8},
        {"premise": 7, "structure": 8, "characters": 7, "dialogue": 8, "market": 9},
        {"premise": 9, "structure": 6, "characters": 7, "dialogue": 6, "market": 7},
    ]
    for script, score, rec in zip(
        made,
        scores,
        (Recommendation.recommend, Recommendation.recommend, Recommendation.consider),
        strict=False,
    ):
        scripts.write_coverage(
            session,
            expert,
            script.id,
            scores=score,
            recommendation=rec,
            comments="人物立得住，第二幕节奏可再紧。",
        )
    request = scripts.request_read(session, producer, made[0].id, "春季项目在找家庭题材。")
    scripts.decide_read(session, creator, request.id, admit=True)
    scripts.mark_interest(session, producer, made[0].id)
    scripts.mark_interest(session, hunan, made[1].id)
    scripts.set_brief(session, hunan, ["乡村", "家庭"], "找可改编的乡村题材文学作品。")
    return len(made)


def load(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        present = bool(session.scalar(select(func.count()).select_from(Production)))
    if not present:
        # Steps in transactions of their own: SQLite has one writer, and the job's heartbeat must get through.
        for step in (_load_directories, _load_productions, _load_exchange):
            with session_scope(engine) as session:
                session.info["actor"] = Actor(name="demo")
                step(session)
    with session_scope(engine) as session:
        tables = {"chain_resources": ProductionResource, "chain_bookings": Booking, "productions": Production,
                  "scripts": Script, "quote_requests": QuoteRequest}  # fmt: skip
        return {
            key: session.scalar(select(func.count()).select_from(model)) or 0 for key, model in tables.items()
        }


def _load_directories(session: Session) -> None:
    studio, hunan = _principal(session, "studio.staff"), _principal(session, "hunan.staff")
    hengdian = _directory(session, data.PARKS[2], HENGDIAN_RESOURCES, HENGDIAN)
    malanshan = _directory(session, data.PARKS[4], MALANSHAN_RESOURCES, MALANSHAN)
    _bookings(session, hengdian + malanshan, [studio, hunan])


def _load_exchange(session: Session) -> None:
    studio, hunan = _principal(session, "studio.staff"), _principal(session, "hunan.staff")
    creator, expert = _principal(session, "creator"), _principal(session, "reviewer")
    _exchange(session, creator, studio, hunan, expert)


def _load_productions(session: Session) -> None:
    studio, hunan = _principal(session, "studio.staff"), _principal(session, "hunan.staff")

    def named(name: str) -> ProductionResource:
        return session.scalars(select(ProductionResource).where(ProductionResource.name == name)).one()

    vfx, colour, dubbing = named("横店影像视效工作室"), named("东阳调色间"), named("湘江配音译制中心")

    def partner(resource: ProductionResource) -> Principal:
        return Principal(0, "demo", "demo", Role.enterprise_staff, resource.org_id, "", "")

    first = _production(
        session,
        studio,
        "江边",
        [(partner(vfx), "视效"), (partner(colour), "调色"), (hunan, "配音与字幕")],
        "dash",
        11,
        None,
    )
    _production(
        session,
        hunan,
        "都市夜归人",
        [(partner(dubbing), "配音"), (studio, "横店外景协拍")],
        "dichang",
        12,
        None,
    )
    _request, quotes = resources.request_quotes(
        session, studio,
        QuoteRequestIn(title="《江边》LED 虚拟拍摄 3 天", kind="studio", starts_on=START + timedelta(days=60),
                       ends_on=START + timedelta(days=62), production_id=first.id),
    )  # fmt: skip
    for quote in quotes[:2]:
        resources.answer_quote(session, partner(session.get_one(ProductionResource, quote.resource_id)), quote.id,
                               QuoteAnswerIn(day_rate=session.get_one(ProductionResource, quote.resource_id).day_rate, message="含灯光与技术人员"))  # fmt: skip
