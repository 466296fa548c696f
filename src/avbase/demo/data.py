"""The demo organisations and users. Authorities and parks are real names from the two seed texts;
enterprises are synthetic, drawn with a fixed seed."""

from __future__ import annotations

import random
from dataclasses import dataclass

from avbase.core.accounts.models import OrgKind, Role

DEMO_PASSWORD = "avbase-demo"  # noqa: S105 (printed for demo logins)
SEED = 2027


@dataclass(frozen=True)
class DemoOrg:
    name: str
    kind: OrgKind
    region_code: str
    managed_by: str | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    org: str


AUTHORITIES = [
    DemoOrg("avbase 平台运营中心", OrgKind.other, "330000"),
    DemoOrg("浙江省委宣传部", OrgKind.authority, "330000"),
    DemoOrg("浙江省广播电视局", OrgKind.authority, "330000"),
    DemoOrg("浙江省经济和信息化厅", OrgKind.authority, "330000"),
    DemoOrg("杭州市文化广电旅游局", OrgKind.authority, "330100"),
    DemoOrg("金华市文化广电旅游局", OrgKind.authority, "330700"),
    DemoOrg("湖南省工业和信息化厅", OrgKind.authority, "430000"),
    DemoOrg("湖南省广播电视局", OrgKind.authority, "430000"),
    DemoOrg("长沙市人民政府", OrgKind.authority, "430100"),
]

PARKS = [
    DemoOrg("杭州国家动画产业基地运营公司", OrgKind.park_operator, "330108"),
    DemoOrg("之江文化产业带视听园区管委会", OrgKind.park_operator, "330106"),
    DemoOrg("横店影视文化产业集聚区管委会", OrgKind.park_operator, "330783"),
    DemoOrg("宁波影视文化产业区运营公司", OrgKind.park_operator, "330212"),
    DemoOrg("马栏山视频文创产业园管委会", OrgKind.park_operator, "430105"),
]

_PREFIXES = {
    "330108": ["滨江", "白马湖", "星光"],
    "330106": ["之江", "西溪", "钱塘"],
    "330783": ["横店", "东阳", "歌山"],
    "330212": ["甬江", "鄞州", "四明"],
    "430105": ["马栏山", "湘江", "芙蓉"],
}
_TRADES = [
    "影视文化传媒有限公司",
    "数字科技有限公司",
    "动漫游戏有限公司",
    "超高清视频技术有限公司",
    "声学科技有限公司",
    "直播电商有限公司",
    "视听科技股份有限公司",
    "后期制作有限公司",
    "虚拟现实技术有限公司",
    "网络视听有限公司",
]


def enterprises() -> list[DemoOrg]:
    rng = random.Random(SEED)
    made: list[DemoOrg] = []
    names: set[str] = set()
    for park in PARKS:
        prefixes = _PREFIXES[park.region_code]
        for _ in range(6):
            while True:
                name = (
                    rng.choice(prefixes)
                    + rng.choice(["星", "光", "影", "视", "声", "云", "象", "辰"])
                    + rng.choice(_TRADES)
                )
                if name not in names:
                    break
            names.add(name)
            made.append(DemoOrg(name, OrgKind.enterprise, park.region_code, managed_by=park.name))
    return made


def organisations() -> list[DemoOrg]:
    return AUTHORITIES + PARKS + enterprises()


def users() -> list[DemoUser]:
    companies = enterprises()
    return [
        DemoUser("admin", "平台管理员", Role.admin, AUTHORITIES[0].name),
        DemoUser("zj.officer", "王敏（浙江省广电局）", Role.authority_officer, "浙江省广播电视局"),
        DemoUser("hz.officer", "陈杰（杭州市文广旅局）", Role.authority_officer, "杭州市文化广电旅游局"),
        DemoUser("hn.officer", "刘洋（湖南省工信厅）", Role.authority_officer, "湖南省工业和信息化厅"),
        DemoUser("hengdian.park", "赵磊（横店集聚区）", Role.park_operator, PARKS[2].name),
        DemoUser("malanshan.park", "周婷（马栏山园区）", Role.park_operator, PARKS[4].name),
        DemoUser("studio.staff", "李娜", Role.enterprise_staff, companies[12].name),
        DemoUser("hunan.staff", "黄浩", Role.enterprise_staff, companies[24].name),
        DemoUser("reviewer", "孙悦（审核员）", Role.reviewer, "浙江省广播电视局"),
        DemoUser("creator", "吴昊（创作者）", Role.creator, companies[3].name),
    ]
