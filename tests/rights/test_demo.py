"""The rights demo: works with certificates, a marketplace with listings, offers and a licence, and a pirated
copy in another organisation's library (the watch finds it when the jobs run: test_registry shows that)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role
from avbase.core.accounts.principal import Principal
from avbase.media import service as media
from avbase.media.demo import CREATOR, POST_HOUSE, STUDIO
from avbase.media.models import Asset
from avbase.rights import demo
from avbase.rights.models import DepositCertificate, Licence, Listing, Offer, Work


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_demo_registers_lists_licenses_and_plants_a_copy(
    db: Session, clean_engine: Engine, make_org: Callable[..., Organisation]
) -> None:
    from tests.conftest import find_corpus

    corpus = find_corpus()
    if corpus is None:
        pytest.skip("../shared/corpus is not here")
    studio, post_house, creator = make_org(STUDIO), make_org(POST_HOUSE), make_org(CREATOR)
    for org, name in ((studio, "bbb_0_30.webm"), (creator, "example_16s.mp4")):
        owner = Principal(0, "demo", "demo", Role.admin, org.id, org.name, org.region_code)
        media.ingest(db, owner, corpus / name, file_name=name, move=False)
    db.commit()
    assert demo.load(clean_engine) == {"works": 2}
    assert demo.load(clean_engine) == {"works": 2}  # safe to run twice: the same totals, nothing added
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Work)) == 2
    assert db.scalar(select(func.count()).select_from(DepositCertificate)) == 2
    assert db.scalar(select(func.count()).select_from(Listing)) == 3
    assert db.scalar(select(func.count()).select_from(Offer)) == 2
    licence = db.scalars(select(Licence)).one()
    assert (licence.licensor_org_id, licence.licensee_org_id) == (studio.id, creator.id)
    pirated = db.scalars(select(Asset).where(Asset.org_id == post_house.id)).one()
    assert pirated.title == "热门动画（搬运）" and pirated.size > 0
