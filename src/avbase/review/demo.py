"""Demo: a sample term pack with its whitelist, loaded before the corpus clips are analysed, so each clip's
QC report (made by the review step of its analysis, against gy-t-282) also carries its term hits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, func, select

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


# ---- joint review ------------------------------------------------------------------------------------

JOINT_ROUTES = {"宣传部门": "浙江省委宣传部", "广电部门": "浙江省广播电视局"}
JOINT_OWNER = "studio.staff"  # 东阳云网络视听有限公司's staff, who owns the Zhejiang clips
WORKS = ("动画短片《大雄兔》", "纪实短片《瓶装生产线》", "技术样片《SMPTE 彩条》")


def load_joint(engine: Engine) -> dict[str, int]:
    """A joint review in several states, on the studio's demo clips (after media's demo has added them):
    one in review with a comment, one passed with changes and resubmitted as v2 (one change accepted as not
    made), one passed."""
    from avbase.core import routing
    from avbase.core.accounts.models import Organisation, User
    from avbase.media.models import Asset
    from avbase.review import joint
    from avbase.review.models import ReviewWork

    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        users = {user.username: user for user in session.scalars(select(User))}
        orgs = {org.name: org.id for org in session.scalars(select(Organisation))}
        missing = any(org not in orgs for org in JOINT_ROUTES.values())
        if missing or JOINT_OWNER not in users or "zj.officer" not in users:
            return {"joint_reviews": 0}
        owner = Principal.of(users[JOINT_OWNER])
        officer = Principal.of(users["zj.officer"])  # 浙江省广播电视局: routes, and decides for 广电部门
        admin = Principal.of(users["admin"]) if "admin" in users else officer
        for unit, org in JOINT_ROUTES.items():
            if routing.routed_org(session, joint.SCOPE, unit) is None:
                routing.set_route(session, admin, scope=joint.SCOPE, unit=unit, org_id=orgs[org])
        own = select(Asset).where(Asset.org_id == owner.org_id)
        clips = {asset.file_name: asset.id for asset in session.scalars(own)}
        needed = ("bbb_0_30.webm", "bottle.mp4", "smpte_1080p.mp4")
        if any(name not in clips for name in needed):
            return {"joint_reviews": 0}
        if session.scalar(select(ReviewWork).where(ReviewWork.title == WORKS[0])) is None:
            today = date.today()
            lead, co = "广电部门", ["宣传部门"]
            # 1. in review: routed, a comment at a timecode, the lead has not decided yet
            first = joint.submit(session, owner, title=WORKS[0], asset_ids=[clips["bbb_0_30.webm"]],
                                 due_on=today + timedelta(days=7), note="动画短片送审，请审查。")  # fmt: skip
            joint.route(session, officer, first.id, lead=lead, co=co)
            joint.add_comment(session, officer, first.id, asset_id=clips["bbb_0_30.webm"], seconds=12.48,
                              text="片头字幕请核对译名。")  # fmt: skip
            # 2. passed with changes by the lead, then resubmitted as v2 (another cut) to be checked
            second = joint.submit(session, owner, title=WORKS[1], asset_ids=[clips["bottle.mp4"]],
                                  due_on=today - timedelta(days=2))  # fmt: skip
            joint.route(session, officer, second.id, lead=lead, co=co)
            fixed = joint.add_comment(session, officer, second.id, asset_id=clips["bottle.mp4"], seconds=3.2,
                                      text="开头黑场过长，请剪短。")  # fmt: skip
            joint.add_comment(session, admin, second.id, asset_id=clips["bottle.mp4"], seconds=2.0,
                              text="画面中品牌标识请打码。", unit="宣传部门")  # fmt: skip
            joint.decide(session, officer, second.id, decision="pass_with_changes", reasons="修改后再审。",
                         changes=["剪短开头黑场。", "片尾补上字幕组署名。"])  # fmt: skip
            joint.decide(session, admin, second.id, decision="pass", unit="宣传部门")
            joint.set_resolved(session, owner, fixed.id, True)
            joint.resubmit(session, owner, second.id, asset_ids=[clips["smpte_1080p.mp4"]],
                           note="已剪短开头黑场；片尾字幕组已在片头署名，未另加。")  # fmt: skip
            # the lead accepts the second change as not made, with the owner's reason
            credits = joint.changes_to_check(session, second)[1]
            joint.set_change_state(
                session, officer, credits.id, "not_made", "送审方说明字幕组已在片头署名，认可不再另加。"
            )
            # 3. passed by both departments
            third = joint.submit(session, owner, title=WORKS[2], asset_ids=[clips["smpte_1080p.mp4"]],
                                 due_on=today + timedelta(days=14))  # fmt: skip
            joint.route(session, officer, third.id, lead=lead, co=co)
            joint.decide(session, officer, third.id, decision="pass")
            joint.decide(session, admin, third.id, decision="pass", unit="宣传部门")
        count = session.scalar(
            select(func.count()).select_from(ReviewWork).where(ReviewWork.title.in_(WORKS))
        )
        return {"joint_reviews": count or 0}
