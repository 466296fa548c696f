"""The demo term pack loads once and matches as a reviewer expects."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from avbase.review import demo, service


def test_demo_pack_loads_once_with_its_whitelist(clean_engine: Engine, db: Session) -> None:
    assert demo.load(clean_engine) == {"term_packs": 1}
    assert demo.load(clean_engine) == {"term_packs": 1}
    ((pack, version),) = service.packs(db)
    assert pack.name == demo.PACK and version.version == 1
    matcher = service.matcher_for(version)
    assert [hit.term for hit in matcher.find("本片荣获最佳男主角，是国家级顶级制作")] == ["国家级", "顶级"]
