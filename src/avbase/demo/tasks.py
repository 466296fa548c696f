"""Job ``demo.load``: creates the demo organisations and users, step by step, resumable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from avbase.chain import demo as chain_demo
from avbase.chain import production_demo
from avbase.core.accounts import service as accounts
from avbase.core.accounts.models import Organisation, User
from avbase.core.accounts.schemas import UserIn
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.core.jobs.registry import JobContext, job_handler
from avbase.demo import data
from avbase.ecosystem import demo as ecosystem_demo
from avbase.industry import demo as industry_demo
from avbase.media import demo as media_demo
from avbase.policy import demo as policy_demo
from avbase.policy.models import Measure
from avbase.review import demo as review_demo
from avbase.rights import demo as rights_demo


@job_handler("demo.load")
def load_demo(ctx: JobContext) -> dict[str, Any]:
    orgs = data.organisations()
    people = data.users()
    total = len(orgs) + len(people)
    created_orgs = created_users = 0
    # Batches of ten, each its own transaction; progress is reported between them (SQLite has one writer).
    for start in range(0, len(orgs), 10):
        with session_scope(ctx.engine) as session:
            session.info["actor"] = Actor(name="demo")
            by_name = {org.name: org for org in session.scalars(select(Organisation))}
            for demo_org in orgs[start : start + 10]:
                if demo_org.name in by_name:
                    continue
                manager = by_name.get(demo_org.managed_by) if demo_org.managed_by else None
                org = Organisation(
                    name=demo_org.name,
                    kind=demo_org.kind,
                    region_code=demo_org.region_code,
                    managed_by_id=manager.id if manager else None,
                )
                session.add(org)
                session.flush()
                by_name[org.name] = org
                created_orgs += 1
        ctx.progress(min(start + 10, len(orgs)) / total / 2, "organisations")
    # One user per transaction: password hashing is the slow part, and a crash keeps what is done.
    for done, person in enumerate(people, start=len(orgs) + 1):
        with session_scope(ctx.engine) as session:
            session.info["actor"] = Actor(name="demo")
            if session.scalar(select(User.id).where(User.username == person.username)) is None:
                org_id = session.scalar(select(Organisation.id).where(Organisation.name == person.org))
                assert org_id is not None, person.org
                accounts.create_user(
                    session,
                    None,
                    UserIn(
                        username=person.username,
                        display_name=person.display_name,
                        password=data.DEMO_PASSWORD,
                        role=person.role,
                        org_id=org_id,
                        locale=None,
                    ),
                )
                created_users += 1
        ctx.progress(done / total / 2, person.username)
    # The industry demo reports its own steps in the second half of the bar.
    industry = industry_demo.load(ctx.engine, lambda fraction, step: ctx.progress(0.5 + fraction / 2, step))
    with session_scope(ctx.engine) as session:
        session.info["actor"] = Actor(name="demo")
        policy = policy_demo.load(session)
        measures = session.scalar(select(func.count()).select_from(Measure)) or 0
    with session_scope(ctx.engine) as session:
        session.info["actor"] = Actor(name="demo")
        chain = chain_demo.load(session)
    review = review_demo.load(ctx.engine)  # before the clips' analysis: their QC reports use the pack
    media = media_demo.load(ctx.engine)
    review.update(review_demo.load_joint(ctx.engine))  # on the studio's clips: after media
    production = production_demo.load(ctx.engine)
    ecosystem = ecosystem_demo.load(ctx.engine)
    rights = rights_demo.load(ctx.engine)
    return {
        "organisations": created_orgs,
        "users": created_users,
        **industry,
        "measures": measures,
        **policy,
        **chain,
        **media,
        **production,
        **ecosystem,
        **review,
        **rights,
        "media": media_demo.total(ctx.engine),  # after rights' planted copy: the same on a second load
    }
