"""The expert think tank (专家智库): experts with fields, titles and the organisations they must not judge;
policy's selection rounds draw their panels from it (through policy's service)."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, User
from avbase.core.accounts.principal import Principal, require_steward
from avbase.core.errors import AvbaseError, Conflict, NotFound
from avbase.core.i18n import N_
from avbase.ecosystem.models import Expert


def register(
    session: Session,
    principal: Principal,
    *,
    user_id: int,
    title: str,
    affiliation: str = "",
    fields: list[str],
    conflicts: list[int] | None = None,
) -> Expert:
    """Adds a user to the think tank (stewards). Their own organisation is always a conflict."""
    require_steward(principal)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("User not found."), field="user_id")
    if session.scalar(select(Expert.id).where(Expert.user_id == user_id)):
        raise Conflict(N_("This user is in the think tank already."), field="user_id")
    cleaned = sorted({f.strip() for f in fields if f.strip()})
    if not cleaned:
        raise AvbaseError(N_("Name at least one field."), field="fields")
    orgs = sorted({user.org_id, *(conflicts or [])})
    known = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(orgs))))
    if missing := [o for o in orgs if o not in known]:
        raise NotFound(
            N_("No organisation has id {ids}."), field="conflicts", ids=", ".join(map(str, missing))
        )
    expert = Expert(user_id=user_id, title=title.strip()[:100], affiliation=affiliation.strip()[:200],
                    fields=cleaned, conflicts=orgs)  # fmt: skip
    session.add(expert)
    session.flush()
    return expert


def of_user(session: Session, user_id: int) -> Expert | None:
    return session.scalar(select(Expert).where(Expert.user_id == user_id))


def list_experts(session: Session, *, field: str | None = None) -> list[Expert]:
    experts = list(session.scalars(select(Expert).where(Expert.active).order_by(Expert.id)))
    return [e for e in experts if not field or field in e.fields]


def fields(session: Session) -> list[str]:
    return sorted({f for e in list_experts(session) for f in e.fields})


def draw_panel(
    session: Session, principal: Principal, round_id: int, *, field: str, size: int
) -> list[Expert]:
    """Draws ``size`` experts of ``field`` for a selection round: none with a conflict with an organisation
    that has entered it, none already on its panel; the draw is random but repeatable for the round."""
    from avbase.policy import rounds

    require_steward(principal)
    if not 1 <= size <= 50:
        raise AvbaseError(N_("A panel has 1 to 50 experts."), field="size")
    selection = rounds.get_round(session, round_id)
    entrants = {entry.org_id for entry in selection.entries}
    seated = {member.user_id for member in selection.experts}
    eligible = [
        e
        for e in list_experts(session, field=field)
        if e.user_id not in seated and not entrants & set(e.conflicts)
    ]
    if len(eligible) < size:
        raise Conflict(
            N_("Only {count} experts of {field} are free of conflicts with this round's entrants."),
            field="size",
            count=len(eligible),
        )
    chosen = random.Random(f"round-{round_id}-{field}").sample(eligible, size)
    for expert in chosen:
        rounds.add_expert(session, principal, round_id, user_id=expert.user_id)
    return chosen
