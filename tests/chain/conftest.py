from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from avbase.chain.distribution import service as distribution
from avbase.chain.distribution.models import Contract, Title
from avbase.chain.distribution.service import PartyIn, TermIn
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal


@dataclass
class World:
    studio: Principal
    platform: Principal
    cinema: Principal
    outsider: Principal
    title: Title
    contract: Contract


@pytest.fixture
def world(db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]) -> World:
    """A studio with a film, a theatrical contract with a 院线 and a distributor, and an outsider."""
    studio_org, platform_org = make_org("湘江影业"), make_org("芒果平台")
    cinema_org, outsider_org = make_org("潇湘院线", kind=OrgKind.enterprise), make_org("别家影业")
    studio = Principal.of(make_user("studio", org=studio_org))
    platform = Principal.of(make_user("platform", org=platform_org))
    cinema = Principal.of(make_user("cinema", org=cinema_org))
    outsider = Principal.of(make_user("outsider", org=outsider_org, role=Role.enterprise_staff))
    title = distribution.create_title(db, studio, name="山河之间", kind="film")
    contract = distribution.create_contract(
        db,
        studio,
        code="HX-2024-01",
        name="《山河之间》院线发行",
        title_id=title.id,
        model="cn-theatrical",
        starts_on=date(2024, 1, 1),
        parties=[
            PartyIn("exhibitor", "潇湘院线", cinema_org.id),
            PartyIn("distributor", "芒果平台", platform_org.id),
            PartyIn("producer", "湘江影业", studio_org.id),
            PartyIn("fund", "国家电影事业发展专项资金"),
            PartyIn("tax", "税务"),
            PartyIn("agency", "中影数字"),
        ],
        terms=[
            TermIn("producer_share", "43%", date(2024, 1, 1), "合同第5.1条"),
            TermIn("distribution_fee_rate", "10%", date(2024, 1, 1), "合同第6.2条"),
            TermIn("distribution_fee_rate", "8%", date(2024, 12, 1), "补充协议第1条"),
        ],
    )
    db.commit()
    return World(studio, platform, cinema, outsider, title, contract)
