"""Demo: a sample term pack with its whitelist, loaded before the corpus clips are analysed, so each clip's
QC report (made by the review step of its analysis, against gy-t-282) also carries its term hits."""

from __future__ import annotations

from sqlalchemy import Engine, select

from avbase.core.accounts.models import Role
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.review import service
from avbase.review.models import TermPack

PACK = "示例敏感词库"
TERMS = """# 示例：涉赌、涉诈、涉毒、低俗、广告法禁用语
赌博,涉赌,高
博彩,涉赌,高
网赌,涉赌,高
刷单,涉诈,高
套现,涉诈,高
冰毒,涉毒,高
大麻,涉毒,高
口交,低俗,高
国家级,广告法禁用语,低
最佳,广告法禁用语,低
第一品牌,广告法禁用语,低
顶级,广告法禁用语,低
"""
WHITELIST = "路口交通\n最佳男主角\n最佳女主角\n"


def load(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        if session.scalar(select(TermPack).where(TermPack.name == PACK)) is None:
            operator = Principal(0, "demo", "demo", Role.admin, 0, "avbase", "000000")
            service.load_pack(session, operator, name=PACK, data=TERMS.encode(), file_name="demo-terms.txt",
                              whitelist=WHITELIST.encode())  # fmt: skip
        return {"term_packs": len(service.packs(session))}
