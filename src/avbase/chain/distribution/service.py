"""Titles, release windows (exclusive ones never overlap), contracts with parties and dated terms.

Each party sees its own: a title or contract is visible to the organisation that owns it, to the
organisations named as parties of its contracts, and to administrators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from avbase.chain.distribution.models import (
    Channel,
    Contract,
    ContractParty,
    ContractTerm,
    Title,
    TitleKind,
    Window,
)
from avbase.chain.settlement.params import ParameterError, parse_value
from avbase.chain.settlement.platform import RULE_SETS, require_left_to_contract
from avbase.chain.settlement.revenue_models import specs_of
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound

FAR_FUTURE = date(9999, 12, 31)


def _party_contracts(principal: Principal) -> ColumnElement[bool]:
    return Contract.id.in_(select(ContractParty.contract_id).where(ContractParty.org_id == principal.org_id))


def visible_contracts(principal: Principal) -> ColumnElement[bool]:
    if principal.is_admin:
        return Contract.id.is_not(None)
    return or_(Contract.org_id == principal.org_id, _party_contracts(principal))


def visible_titles(principal: Principal) -> ColumnElement[bool]:
    if principal.is_admin:
        return Title.id.is_not(None)
    party_titles = select(Contract.title_id).where(_party_contracts(principal))
    return or_(Title.org_id == principal.org_id, Title.id.in_(party_titles))


def _require_writer(principal: Principal, org_id: int) -> None:
    if principal.role in READ_ONLY_ROLES or not principal.owns(org_id):
        raise Forbidden("Only the owning organisation changes its titles and contracts.")


# --- titles and windows --------------------------------------------------------------------------------


def list_titles(session: Session, principal: Principal) -> list[Title]:
    return list(session.scalars(select(Title).where(visible_titles(principal)).order_by(Title.name)))


def get_title(session: Session, principal: Principal, title_id: int) -> Title:
    found = session.scalar(select(Title).where(Title.id == title_id, visible_titles(principal)))
    if found is None:
        raise NotFound("Title not found.", field="title")
    return found


def create_title(
    session: Session,
    principal: Principal,
    *,
    name: str,
    kind: str,
    org_id: int | None = None,
    work_id: int | None = None,
    note: str | None = None,
) -> Title:
    owner = org_id or principal.org_id
    _require_writer(principal, owner)
    if session.get(Organisation, owner) is None:
        raise NotFound("Organisation not found.", field="org")
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise AvbaseError("A title's name has 1 to 200 characters.", field="name")
    if kind not in TitleKind.__members__:
        raise AvbaseError(
            "Unknown kind {kind}: use {kinds}.", field="kind", kind=kind, kinds=", ".join(TitleKind)
        )
    if session.scalar(select(Title.id).where(Title.org_id == owner, Title.name == name)):
        raise Conflict("There is already a title called {name}.", field="name", name=name)
    title = Title(org_id=owner, name=name, kind=TitleKind(kind), work_id=work_id, note=note)
    session.add(title)
    session.flush()
    return title


def _same_place(a: str, b: str) -> bool:
    return a == b or "WORLD" in (a, b)


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return a_start <= (b_end or FAR_FUTURE) and b_start <= (a_end or FAR_FUTURE)


def add_window(
    session: Session,
    principal: Principal,
    title_id: int,
    *,
    channel: str,
    territory: str,
    starts_on: date,
    ends_on: date | None = None,
    exclusive: bool = False,
    licensee_org_id: int | None = None,
    note: str | None = None,
) -> Window:
    """A release window; refused when it is exclusive and meets another window of the same channel and
    territory, or meets an exclusive one."""
    title = get_title(session, principal, title_id)
    _require_writer(principal, title.org_id)
    if channel not in Channel.__members__:
        raise AvbaseError(
            "Unknown channel {channel}: use {channels}.",
            field="channel",
            channel=channel,
            channels=", ".join(Channel),
        )
    territory = territory.strip().upper()
    if not 1 <= len(territory) <= 20:
        raise AvbaseError("Name the territory (CN, HK, WORLD …).", field="territory")
    if ends_on is not None and ends_on < starts_on:
        raise AvbaseError("A window ends on or after the day it starts.", field="ends_on")
    for other in title.windows:
        if other.channel != channel or not _same_place(other.territory, territory):
            continue
        if (exclusive or other.exclusive) and _overlaps(starts_on, ends_on, other.starts_on, other.ends_on):
            raise Conflict(
                "The window overlaps the exclusive {channel} window in {territory} from {start} to {end}.",
                field="starts_on",
                channel=channel,
                territory=other.territory,
                start=other.starts_on.isoformat(),
                end=other.ends_on.isoformat() if other.ends_on else "…",
            )
    window = Window(
        title_id=title.id,
        channel=Channel(channel),
        territory=territory,
        starts_on=starts_on,
        ends_on=ends_on,
        exclusive=exclusive,
        licensee_org_id=licensee_org_id,
        note=note,
    )
    session.add(window)
    session.flush()
    session.refresh(title, ["windows"])
    return window


@dataclass(frozen=True)
class CalendarRow:
    title: Title
    window: Window


def window_calendar(
    session: Session, principal: Principal, *, channel: str | None = None
) -> list[CalendarRow]:
    stmt = (
        select(Window, Title)
        .join(Title, Title.id == Window.title_id)
        .where(visible_titles(principal))
        .order_by(Window.starts_on, Title.name)
    )
    if channel:
        stmt = stmt.where(Window.channel == channel)
    return [CalendarRow(title, window) for window, title in session.execute(stmt)]


# --- contracts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyIn:
    role: str
    name: str
    org_id: int | None = None


@dataclass(frozen=True)
class TermIn:
    name: str
    value: str
    effective_from: date
    source: str | None = None


def list_contracts(session: Session, principal: Principal) -> list[Contract]:
    return list(session.scalars(select(Contract).where(visible_contracts(principal)).order_by(Contract.code)))


def get_contract(session: Session, principal: Principal, ref: int | str) -> Contract:
    key = Contract.id == ref if isinstance(ref, int) else Contract.code == ref
    found = session.scalar(select(Contract).where(key, visible_contracts(principal)))
    if found is None:
        raise NotFound("Contract not found.", field="contract")
    return found


def create_contract(
    session: Session,
    principal: Principal,
    *,
    code: str,
    name: str,
    title_id: int,
    model: str,
    starts_on: date,
    ends_on: date | None = None,
    parties: Sequence[PartyIn],
    terms: Sequence[TermIn] = (),
) -> Contract:
    """A contract of the title's owner: its parties by role and its model's terms, each checked."""
    title = get_title(session, principal, title_id)
    _require_writer(principal, title.org_id)
    specs = {spec.name: spec for spec in specs_of(model)}
    code = code.strip()
    if not 1 <= len(code) <= 40:
        raise AvbaseError("A contract's code has 1 to 40 characters.", field="code")
    if session.scalar(select(Contract.id).where(Contract.code == code)):
        raise Conflict("There is already a contract {code}.", field="code", code=code)
    roles = [party.role for party in parties]
    if len(set(roles)) != len(roles):
        raise AvbaseError("Each role is named once.", field="parties")
    for party in parties:
        if party.org_id is not None and session.get(Organisation, party.org_id) is None:
            raise NotFound("Organisation not found.", field="parties")
    contract = Contract(
        code=code,
        org_id=title.org_id,
        title_id=title.id,
        name=name.strip() or code,
        model=model,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    contract.parties = [ContractParty(role=p.role, name=p.name, org_id=p.org_id) for p in parties]
    for term in terms:
        if term.name not in specs:
            raise ParameterError(
                "Unknown parameter {name}; this model takes: {known}.",
                field=term.name,
                name=term.name,
                known=", ".join(specs),
            )
        parse_value(specs[term.name], term.value)
    _rule_set_needs(terms)
    contract.terms = [
        ContractTerm(name=t.name, value=t.value, effective_from=t.effective_from, source=t.source)
        for t in terms
    ]
    session.add(contract)
    session.flush()
    return contract


def _rule_set_needs(terms: Sequence[TermIn]) -> None:
    """A platform's rule set names what the contract must add: say so when the contract is made, not at its
    first settlement."""
    given = {term.name: term.value for term in terms}
    for term in terms:
        if term.name == "rules" and term.value in RULE_SETS:
            require_left_to_contract(RULE_SETS[term.value], given)


def terms_in_force(contract: Contract, on: date) -> dict[str, ContractTerm]:
    """Each term in force on ``on``: the latest that took effect by then."""
    found: dict[str, ContractTerm] = {}
    for term in contract.terms:
        if term.effective_from > on:
            continue
        if term.name not in found or term.effective_from > found[term.name].effective_from:
            found[term.name] = term
    return found
