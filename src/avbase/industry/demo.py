"""A believable province for the demo, drawn with a fixed seed: parks, ~3,000 enterprises, five years of
reports (2021–2025) and this year's that are due, "146" projects, products, index runs and park evaluations.
Each step is idempotent."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.industry import evaluation, index_service, kpi, ranking, registry
from avbase.industry.credit_code import make_credit_code
from avbase.industry.inbox import latest_filings, report_deadline, unfiled_periods
from avbase.industry.models import (
    Category,
    Cluster,
    Enterprise,
    IndexRun,
    Milestone,
    Park,
    ParkLevel,
    ParkStatus,
    PeriodKind,
    Product,
    ProductFigure,
    Project,
    ProjectStatus,
    ProjectTier,
    ProjectYear,
    Report,
    Tier,
)
from avbase.industry.reports import BulkRow, file_reports_bulk
from avbase.kit.dates import today
from avbase.kit.money import FEN

SEED = 2027
YEARS = list(range(2021, 2026))
ZJ_CITIES = {"3301": "杭州", "3302": "宁波", "3303": "温州", "3304": "嘉兴", "3305": "湖州", "3306": "绍兴",
             "3307": "金华", "3308": "衢州", "3309": "舟山", "3310": "台州", "3311": "丽水"}  # fmt: skip
HN_CITIES = {"4301": "长沙", "4302": "株洲", "4303": "湘潭", "4304": "衡阳", "4305": "邵阳", "4306": "岳阳",
             "4307": "常德", "4308": "张家界", "4309": "益阳", "4310": "郴州", "4311": "永州", "4312": "怀化",
             "4313": "娄底", "4331": "湘西"}  # fmt: skip
CITY_WEIGHT = {"3301": 9, "3302": 4, "3307": 4, "3303": 2, "3304": 2, "3306": 2, "4301": 8}
WORDS = "星光影视声云象辰华瀚澜曜迅图景映乐创新维境界像素极视听然合众一"
TRADES = {
    Cluster.content: ["影视传媒", "动画制作", "数字内容", "文化传播", "影业", "后期制作", "网络视听", "游戏"],
    Cluster.electronics: [
        "电子科技",
        "显示技术",
        "声学科技",
        "光电科技",
        "智能终端",
        "芯片技术",
        "超高清技术",
    ],
    Cluster.services: ["文化服务", "直播科技", "版权服务", "文旅科技", "影院管理", "会展服务", "广告传媒"],
}
PARK_NAMES = [
    ("杭州国家动画产业基地", "330108", ParkLevel.national, "杭州国家动画产业基地运营公司"),
    ("之江文化产业带视听园区", "330106", ParkLevel.national, "之江文化产业带视听园区管委会"),
    ("横店影视文化产业集聚区", "330783", ParkLevel.national, "横店影视文化产业集聚区管委会"),
    ("宁波影视文化产业区", "330212", ParkLevel.national, "宁波影视文化产业区运营公司"),
    ("中国(之江)视听产业园", "330106", ParkLevel.national, None),
    ("国家广告产业园区(杭州)", "330105", ParkLevel.national, None),
    ("马栏山视频文创产业园", "430105", ParkLevel.national, "马栏山视频文创产业园管委会"),
    ("湘江数字视听产业园", "430104", ParkLevel.provincial_key, None),
]

Progress = Callable[[float, str], None]


def _name(rng: random.Random, city: str, cluster: Cluster, taken: set[str]) -> str:
    while True:
        name = f"{city}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES[cluster])}有限公司"
        if name not in taken:
            taken.add(name)
            return name


def _county(city: str) -> str:
    return f"{city}00"


def _parks(session: Session, rng: random.Random) -> None:
    if session.scalar(select(func.count()).select_from(Park)):
        return
    operators = {
        o.name: o
        for o in session.scalars(select(Organisation).where(Organisation.kind == OrgKind.park_operator))
    }
    entries = list(PARK_NAMES)
    for index in range(36):
        city = rng.choice([c for c in ZJ_CITIES for _ in range(CITY_WEIGHT.get(c, 1))])
        theme = rng.choice(["数字视听", "影视", "动漫", "超高清视频", "直播电商", "音视频", "数字文化"])
        level = ParkLevel.provincial_key if index < 31 else ParkLevel.municipal
        entries.append((f"{ZJ_CITIES[city]}{theme}产业园({index + 1}号)", _county(city), level, None))
    for index in range(6):
        city = rng.choice(list(HN_CITIES))
        entries.append(
            (f"{HN_CITIES[city]}音视频产业园({index + 1}号)", _county(city), ParkLevel.provincial_key, None)
        )
    for name, region, level, operator_name in entries:
        operator = operators.get(operator_name) if operator_name else None
        if operator is None:
            operator = Organisation(
                name=f"{name}运营管理有限公司", kind=OrgKind.park_operator, region_code=region
            )
            session.add(operator)
            session.flush()
        status = (
            ParkStatus.candidate if level is ParkLevel.municipal and rng.random() < 0.5 else ParkStatus.active
        )
        session.add(
            Park(name=name, level=level, region_code=region, operator_org_id=operator.id, status=status,
                 established_year=rng.randint(2005, 2022))
        )  # fmt: skip
    session.flush()


def _enterprises(session: Session, rng: random.Random, count_zj: int, count_hn: int) -> None:
    if session.scalar(select(func.count()).select_from(Enterprise)):
        return
    categories = {
        cluster: list(session.scalars(select(Category).where(Category.cluster == cluster)))
        for cluster in Cluster
    }
    parks = list(session.scalars(select(Park)))
    taken = set(session.scalars(select(Organisation.name)))
    serial = 1000
    # The demo enterprises created with the accounts get a profile too, so their users see their own figures.
    existing = list(session.scalars(select(Organisation).where(Organisation.kind == OrgKind.enterprise)))
    plan: list[tuple[Organisation | None, str]] = [(org, org.region_code[:4]) for org in existing]
    for cities, count in ((ZJ_CITIES, count_zj), (HN_CITIES, count_hn)):
        weighted = [c for c in cities for _ in range(CITY_WEIGHT.get(c, 1))]
        plan += [(None, rng.choice(weighted)) for _ in range(count)]
    for org, city in plan:
        cluster = rng.choices(list(Cluster), weights=[0.45, 0.25, 0.30])[0]
        city_name = ZJ_CITIES.get(city) or HN_CITIES.get(city, "")
        if org is None:
            org = Organisation(
                name=_name(rng, city_name, cluster, taken), kind=OrgKind.enterprise, region_code=_county(city)
            )
            session.add(org)
            session.flush()
        local_parks = [p for p in parks if p.region_code[:4] == org.region_code[:4]]
        park = None
        if org.managed_by_id:
            park = next((p for p in parks if p.operator_org_id == org.managed_by_id), None)
        elif local_parks and rng.random() < 0.55:
            park = rng.choice(local_parks)
            org.managed_by_id = park.operator_org_id
        serial += 1
        session.add(
            Enterprise(
                org_id=org.id,
                credit_code=make_credit_code(org.region_code, serial),
                park_id=park.id if park else None,
                cluster=cluster,
                category_id=rng.choice(categories[cluster]).id,
                specialised=rng.random() < 0.08,
            )
        )
    session.flush()


def _revenue_plan(rng: random.Random, enterprise: Enterprise) -> dict[int, Decimal]:
    """Yearly revenue in yuan: log-normal size, a persistent growth rate with yearly noise."""
    scale = 2.6 if enterprise.cluster is Cluster.electronics else 1.0
    base = math.exp(rng.gauss(17.9, 1.25)) * scale
    trend = rng.gauss(0.11, 0.07)
    plan = {}
    for year in YEARS:
        plan[year] = Decimal(int(base)).quantize(Decimal(1))
        base *= max(0.5, 1 + trend + rng.gauss(0, 0.06))
    return plan


def _reports(session: Session, rng: random.Random, progress: Progress) -> None:
    if session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.tier != Tier.none)):
        return
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.id)))
    plans = {e.id: _revenue_plan(rng, e) for e in enterprises}
    by_size = sorted(enterprises, key=lambda e: -plans[e.id][2025])
    for position, enterprise in enumerate(by_size):
        share = position / len(by_size)
        enterprise.tier = (
            Tier.chain_leader
            if share < 0.01
            else Tier.little_giant
            if share < 0.06
            else Tier.growth
            if share < 0.25
            else Tier.none
        )
        enterprise.provincial_key = share < 0.16
    session.flush()
    rows: list[BulkRow] = []
    for position, enterprise in enumerate(by_size):
        share = position / len(by_size)
        kind = PeriodKind.month if share < 0.08 else PeriodKind.quarter if share < 0.55 else PeriodKind.year
        mix = {Cluster.content: 0.0, Cluster.electronics: 0.0, Cluster.services: 0.0}
        mix[enterprise.cluster] = 0.82
        for other in mix:
            if other is not enterprise.cluster:
                mix[other] = 0.09
        rnd_share = max(0.004, rng.gauss(0.04, 0.025))
        export_share = max(0.0, rng.gauss(0.06 if enterprise.cluster is Cluster.electronics else 0.02, 0.03))
        employees = max(5, int(float(plans[enterprise.id][2021]) / rng.uniform(4e5, 1.2e6)))
        for year in YEARS:
            annual = plans[enterprise.id][year]
            periods = {
                PeriodKind.year: [1],
                PeriodKind.quarter: [1, 4, 7, 10],
                PeriodKind.month: list(range(1, 13)),
            }[kind]
            weights = [rng.uniform(0.8, 1.2) for _ in periods]
            employees = max(5, int(employees * rng.uniform(0.98, 1.12)))
            for month, weight in zip(periods, weights, strict=True):
                part = annual * Decimal(weight / sum(weights))
                revenue = {
                    f"revenue_{c.value}": (part * Decimal(mix[c])).quantize(Decimal("0.01")) for c in Cluster
                }
                total = sum(revenue.values(), Decimal(0))
                titles = rng.randint(0, 6) if enterprise.cluster is Cluster.content else 0
                rows.append(
                    BulkRow(
                        enterprise.id,
                        enterprise.org_id,
                        kind,
                        date(year, month, 1),
                        {
                            **revenue,
                            "rnd_expense": (total * Decimal(rnd_share)).quantize(Decimal("0.01")),
                            "exports": (total * Decimal(min(export_share, 0.6))).quantize(Decimal("0.01")),
                            "investment": (total * Decimal(rng.uniform(0.02, 0.12))).quantize(
                                Decimal("0.01")
                            ),
                            "employees": employees,
                            "titles": titles,
                            "content_hours": round(titles * rng.uniform(0.5, 30), 1),
                            "note": None,
                        },
                    )
                )
    progress(0.5, f"{len(rows)} reports")
    file_reports_bulk(session, rows, submitted_by_id=None, batch="demo")


FIGURES = (
    "revenue_content",
    "revenue_electronics",
    "revenue_services",
    "rnd_expense",
    "exports",
    "investment",
)


def _reports_this_year(session: Session, rng: random.Random) -> None:
    """This year's periods whose deadline has passed, filed by most enterprises with last year's figures
    grown a little; about one in eight is late with its latest period, and every enterprise with demo staff
    with its latest two (so each of them has reports to file on the tour)."""
    on = today()
    if on.year in YEARS or session.scalar(
        select(func.count()).select_from(Report).where(Report.period_start >= date(on.year, 1, 1))
    ):
        return
    staffed = set(session.scalars(select(User.org_id).where(User.role == Role.enterprise_staff)))
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.id)))
    filings = latest_filings(session, [e.id for e in enterprises])
    rows: list[BulkRow] = []
    for enterprise in enterprises:
        if enterprise.id not in filings:
            continue
        kind, last = filings[enterprise.id]
        model = session.scalar(
            select(Report).where(
                Report.enterprise_id == enterprise.id, Report.period_start == last, Report.is_current
            )
        )
        due = [start for start in unfiled_periods(kind, last, on=on) if report_deadline(kind, start) < on]
        late = 2 if enterprise.org_id in staffed else 1 if rng.random() < 0.12 else 0
        growth = rng.gauss(1.08, 0.06)
        for start in due[: len(due) - late]:
            if model is None:
                break
            factor = Decimal(str(round(growth * rng.uniform(0.85, 1.15), 4)))
            rows.append(
                BulkRow(
                    enterprise.id,
                    enterprise.org_id,
                    kind,
                    start,
                    {
                        **{name: (getattr(model, name) * factor).quantize(FEN) for name in FIGURES},
                        "employees": model.employees,
                        "titles": model.titles,
                        "content_hours": model.content_hours,
                        "note": None,
                    },
                )
            )
    file_reports_bulk(session, rows, submitted_by_id=None, batch="demo")


def _projects(session: Session, rng: random.Random) -> None:
    if session.scalar(select(func.count()).select_from(Project)):
        return
    leaders = list(
        session.scalars(
            select(Enterprise)
            .join(Organisation)
            .where(Enterprise.provincial_key, Organisation.region_code.startswith("33"))
        )
    )
    parks = {p.id: p for p in session.scalars(select(Park).where(Park.region_code.startswith("33")))}
    themes = [
        "超高清制播基地",
        "数字影棚集群",
        "动漫IP产业园",
        "虚拟制作中心",
        "视听科技研发中心",
        "微短剧拍摄基地",
        "沉浸式文旅项目",
        "新型显示产线",
        "音视频芯片项目",
        "算力中心",
    ]
    plan = {2024: (10, 40), 2025: (9, 38), 2026: (6, 27)}
    progress = random.Random(SEED + 146)  # milestones draw apart, so the projects stay as they were
    for year, (heads, waists) in plan.items():
        for tier, count in ((ProjectTier.head, heads), (ProjectTier.waist, waists)):
            for _ in range(count):
                lead = rng.choice(leaders)
                size = (
                    Decimal(rng.randint(15, 60) if tier is ProjectTier.head else rng.randint(2, 8))
                    * 100_000_000
                )
                years = []
                for spend_year in range(year, 2028):
                    planned = (size / (2028 - year)).quantize(Decimal(1))
                    done = Decimal(0)
                    if spend_year <= 2025:
                        done = (planned * Decimal(rng.uniform(0.6, 1.1))).quantize(Decimal(1))
                    elif spend_year == 2026:
                        done = (planned * Decimal(rng.uniform(0.3, 0.8))).quantize(Decimal(1))
                    years.append(ProjectYear(year=spend_year, planned=planned, completed=done))
                name = f"{lead.organisation.name[:4]}{rng.choice(themes)}"
                session.add(
                    Project(
                        name=f"{name}({year}-{len(years)}{rng.randint(10, 99)})",
                        tier=tier,
                        year_selected=year,
                        lead_enterprise_id=lead.id,
                        org_id=lead.org_id,
                        park_id=lead.park_id if lead.park_id in parks else None,
                        region_code=lead.organisation.region_code,
                        status=ProjectStatus.in_progress if year < 2026 else ProjectStatus.planned,
                        planned_total=size,
                        years=years,
                        milestones=_milestones(progress, year),
                    )
                )
    session.flush()


MILESTONES = (  # title, due month and day, years after selection
    ("立项批复", 3, 31, 0),
    ("开工建设", 9, 30, 0),
    ("主体完工", 12, 31, 1),
    ("竣工验收", 12, 31, 3),
)


def _milestones(rng: random.Random, year: int) -> list[Milestone]:
    """Approval, groundbreaking, structure and acceptance; most past ones done, a few late."""
    today = date(2026, 11, 1)
    made = []
    for title, month, day, years_after in MILESTONES:
        due = date(min(year + years_after, 2027), month, day)
        done = None
        if due < today and rng.random() < 0.85:
            done = min(date.fromordinal(due.toordinal() + rng.randint(-20, 40)), today)
        made.append(Milestone(title=title, due_on=due, done_on=done))
    return made


def _products(session: Session, rng: random.Random) -> None:
    if session.scalar(select(func.count()).select_from(Product)):
        return
    makers = list(session.scalars(select(Enterprise).where(Enterprise.tier != Tier.none)))
    kinds = {
        Cluster.content: ["原创动画系列", "网络剧集", "微短剧", "虚拟数字人", "纪录片"],
        Cluster.electronics: ["8K编码器", "激光电视", "Audio Vivid音箱", "HDR Vivid监视器", "VR一体机"],
        Cluster.services: ["超高清直播平台", "版权交易服务", "沉浸式演艺", "云转播系统", "AI字幕服务"],
    }
    for maker in rng.sample(makers, min(300, len(makers))):
        product = Product(
            enterprise_id=maker.id,
            org_id=maker.org_id,
            name=f"{maker.organisation.name[:4]}{rng.choice(kinds[maker.cluster])}",
            kind="technology" if rng.random() < 0.3 else "product",
            cluster=maker.cluster,
            launched_year=rng.randint(2019, 2023),
        )
        revenue = Decimal(rng.randint(2, 300)) * 1_000_000
        for year in YEARS:
            product.figures.append(
                ProductFigure(
                    year=year,
                    revenue=revenue,
                    users=rng.randint(1_000, 2_000_000),
                    patents=rng.randint(0, 12),
                )
            )
            revenue = (revenue * Decimal(rng.uniform(0.85, 1.45))).quantize(Decimal(1))
        session.add(product)
    session.flush()


def load(
    engine: Engine, progress: Progress, *, enterprises_zj: int = 2400, enterprises_hn: int = 600
) -> dict[str, int]:
    """Runs every step in its own transaction; a step that has run already is skipped."""
    rng = random.Random(SEED)
    steps: list[tuple[str, Callable[[Session], object]]] = [
        ("classification", lambda s: registry.load_default_classification(s)),
        ("targets", lambda s: kpi.load_default_targets(s)),
        ("index definitions", lambda s: index_service.load_default_definitions(s)),
        ("ranking schemes", lambda s: ranking.load_default_schemes(s)),
        ("parks", lambda s: _parks(s, rng)),
        ("enterprises", lambda s: _enterprises(s, rng, enterprises_zj, enterprises_hn)),
        ("reports", lambda s: _reports(s, rng, lambda f, m: None)),
        ("this year's reports", lambda s: _reports_this_year(s, random.Random(SEED + 1))),
        ("projects", lambda s: _projects(s, rng)),
        ("products", lambda s: _products(s, rng)),
        ("index runs", _index_runs),
        ("park evaluations", _evaluations),
        # One transaction each: publishing computes and freezes a series, and the job's heartbeat must get in.
        ("Malanshan index bulletin", lambda s: _bulletin(s, "malanshan")),
        ("Zhejiang index bulletin", lambda s: _bulletin(s, "zj-series")),
    ]
    for number, (name, step) in enumerate(steps, start=1):
        with session_scope(engine) as session:
            session.info["actor"] = Actor(name="demo")
            step(session)
        progress(number / len(steps), name)
    with session_scope(engine) as session:
        return registry.summary_counts(session)


def _index_runs(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(IndexRun)):
        return
    for definition in index_service.list_definitions(session):
        for year in YEARS[1:]:
            index_service.compute_run(session, None, definition, year)


def _evaluations(session: Session) -> None:
    from avbase.core.accounts.models import Role
    from avbase.core.accounts.principal import Principal
    from avbase.industry.models import ParkEvaluation

    if session.scalar(select(func.count()).select_from(ParkEvaluation)):
        return
    system = Principal(0, "demo", "demo", Role.admin, 0, "demo", "330000")
    for year in (2024, 2025):
        for prefix in ("33", "43"):
            evaluation.evaluate_parks(session, system, year=year, region_prefix=prefix)


def _bulletin(session: Session, name: str) -> None:
    """The 2025 bulletin of a base-period index (马栏山指数, Zhejiang's), published by its province's demo
    officer: five years of series with city and park sub-indices, frozen."""
    from avbase.core.accounts.models import Role, User
    from avbase.core.accounts.principal import Principal
    from avbase.industry import bulletins, index_series
    from avbase.industry.models import IndexBulletin

    if session.scalar(select(IndexBulletin.id).where(IndexBulletin.series == name)) is not None:
        return
    definition = index_service.latest_definition(session, name)
    if not index_series.has_series(definition) or YEARS[-1] not in index_series.periods(session, definition):
        return
    officers = {"43": "hn.officer", "33": "zj.officer"}
    user = session.scalar(select(User).where(User.username == officers.get(definition.region_prefix, "")))
    publisher = Principal.of(user) if user else Principal(0, "demo", "demo", Role.admin, 0, "demo", "000000")
    bulletin = bulletins.create_draft(session, publisher, series_name=definition.name, period=YEARS[-1])
    bulletins.publish(session, publisher, bulletin)
