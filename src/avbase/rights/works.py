"""The works registry: register a work with its files (ingested into the media library, deposited with a
certificate), its creators and rights holders, and keep its chain of title."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Forbidden, NotFound
from avbase.rights import certificates
from avbase.rights.models import (
    DepositCertificate,
    RightsHolder,
    TitleEvent,
    TitleEventKind,
    Work,
    WorkAsset,
    WorkType,
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class HolderShare:
    name: str
    share: Decimal
    org_id: int | None = None

    @classmethod
    def parse(cls, text: str) -> HolderShare:
        """``NAME=SHARE`` as the CLI takes it (share in percent)."""
        name, equals, share = text.rpartition("=")
        if not equals or not name.strip():
            raise AvbaseError("Write a holder as NAME=SHARE, e.g. 星河影业=60.", field="holder")
        try:
            value = Decimal(share.strip().rstrip("%"))
        except InvalidOperation as exc:
            raise AvbaseError("The share of {name} is not a number.", field="holder", name=name) from exc
        return cls(name=name.strip(), share=value)


@dataclass(frozen=True)
class WorkIn:
    title: str
    work_type: WorkType = WorkType.film
    creators: list[dict[str, str]] = field(default_factory=list)
    holders: list[HolderShare] = field(default_factory=list)  # empty: the registrant's organisation, 100 %
    registration_number: str | None = None
    registered_on: date | None = None
    description: str | None = None
    parent_id: int | None = None
    episode_number: int | None = None


def check_shares(holders: list[HolderShare]) -> None:
    names = [h.name for h in holders]
    if len(set(names)) != len(names):
        raise AvbaseError("A rights holder is named twice.", field="holders")
    for holder in holders:
        if not Decimal(0) < holder.share <= HUNDRED:
            raise AvbaseError(
                "The share of {name} must be above 0 and at most 100.", field="holders", name=holder.name
            )
    total = sum((h.share for h in holders), Decimal(0))
    if total != HUNDRED:
        raise AvbaseError("The shares add up to {total} %, not 100 %.", field="holders", total=str(total))


def visible_works(principal: Principal) -> Select[Work]:
    return select(Work).where(Work.org_id.in_(principal.visible_org_ids()))


def get_work(session: Session, principal: Principal, work_id: int) -> Work:
    found = session.scalar(visible_works(principal).where(Work.id == work_id))
    if found is None:
        raise NotFound("Work not found.", field="work")
    return found


def list_works(session: Session, principal: Principal, *, limit: int = 500) -> list[Work]:
    return list(session.scalars(visible_works(principal).order_by(Work.id.desc()).limit(limit)))


def _require_owner(principal: Principal) -> None:
    if principal.role in READ_ONLY_ROLES:
        raise Forbidden("You may not register works.")


def create_work(session: Session, principal: Principal, data: WorkIn) -> Work:
    """The work row, its holders and the registration link of its chain of title (no files yet)."""
    _require_owner(principal)
    if not data.title.strip():
        raise AvbaseError("A work needs a title.", field="title")
    holders = data.holders or [HolderShare(name=principal.org_name, share=HUNDRED, org_id=principal.org_id)]
    check_shares(holders)
    if data.parent_id is not None:
        parent = get_work(session, principal, data.parent_id)
        if parent.work_type is not WorkType.series:
            raise AvbaseError(
                "Episodes belong to a series; work {id} is not one.", field="parent", id=parent.id
            )
    work = Work(
        org_id=principal.org_id,
        title=data.title.strip()[:300],
        work_type=data.work_type,
        parent_id=data.parent_id,
        episode_number=data.episode_number,
        description=data.description,
        creators=list(data.creators),
        registration_number=data.registration_number,
        registered_on=data.registered_on,
        created_by_id=principal.user_id or None,
    )
    session.add(work)
    session.flush()
    session.add_all(
        RightsHolder(work_id=work.id, name=h.name, share=h.share, org_id=h.org_id) for h in holders
    )
    session.add(
        TitleEvent(
            work_id=work.id,
            kind=TitleEventKind.registration,
            to_party=", ".join(f"{h.name} {h.share.normalize():f}%" for h in holders)[:200],
            starts_on=data.registered_on,
        )
    )
    session.flush()
    return work


def attach_assets(session: Session, principal: Principal, work: Work, asset_ids: list[int]) -> None:
    """The assets carry the work; each is fingerprinted (now when its analysis is done, else when it is)."""
    from avbase.media.service import get_asset
    from avbase.rights import tracing

    for asset_id in asset_ids:
        asset = get_asset(session, principal, asset_id)
        if not principal.owns(asset.org_id):
            raise Forbidden("Only the asset's organisation may register it.", field="asset")
        existing = session.scalar(select(WorkAsset).where(WorkAsset.asset_id == asset.id))
        if existing is not None:
            if existing.work_id != work.id:
                raise AvbaseError(
                    "Asset {asset} already carries work {work}.",
                    field="asset",
                    asset=asset.id,
                    work=existing.work_id,
                )
            continue
        link = WorkAsset(work_id=work.id, asset_id=asset.id)
        session.add(link)
        session.flush()
        tracing.index_if_ready(session, link, asset)


def deposit(session: Session, principal: Principal, work: Work) -> DepositCertificate:
    """Issues the work's deposit certificate over the files it carries now."""
    from avbase.media.models import Asset

    rows = session.execute(
        select(Asset.file_name, Asset.sha256, Asset.size)
        .join(WorkAsset, WorkAsset.asset_id == Asset.id)
        .where(WorkAsset.work_id == work.id)
        .order_by(WorkAsset.id)
    ).all()
    if not rows:
        raise AvbaseError("A work needs at least one file to be deposited.", field="files")
    certificate = certificates.issue(
        session,
        org_id=work.org_id,
        files=[certificates.FileDigest(name=r.file_name, sha256=r.sha256, size=r.size) for r in rows],
        registrant=certificates.Registrant(name=principal.display_name, organisation=principal.org_name),
        subject=certificates.Subject(kind="work", id=str(work.id), title=work.title),
        created_by_id=principal.user_id or None,
    )
    work.certificate_id = certificate.id
    session.flush()
    return certificate  # type: ignore[no-any-return]


def register(
    session: Session, principal: Principal, data: WorkIn, paths: list[Path]
) -> tuple[Work, DepositCertificate]:
    """Registers a work from files: each is ingested into the organisation's library (once by content),
    attached to the work and deposited under one certificate."""
    from avbase.media import service as media

    _require_owner(principal)
    if not paths:
        raise AvbaseError("Give at least one file of the work.", field="PATH")
    work = create_work(session, principal, data)
    asset_ids = []
    for path in paths:
        asset, _duplicate = media.ingest(session, principal, path, file_name=path.name, move=False)
        asset_ids.append(asset.id)
    attach_assets(session, principal, work, asset_ids)
    return work, deposit(session, principal, work)


def holders_of(session: Session, work: Work) -> list[RightsHolder]:
    return list(
        session.scalars(select(RightsHolder).where(RightsHolder.work_id == work.id).order_by(RightsHolder.id))
    )


def chain_of_title(session: Session, work: Work) -> list[TitleEvent]:
    return list(
        session.scalars(
            select(TitleEvent).where(TitleEvent.work_id == work.id).order_by(TitleEvent.at, TitleEvent.id)
        )
    )


def asset_ids_of(session: Session, work: Work) -> list[int]:
    return list(
        session.scalars(select(WorkAsset.asset_id).where(WorkAsset.work_id == work.id).order_by(WorkAsset.id))
    )


def work_json(session: Session, work: Work) -> dict[str, Any]:
    certificate = session.get(DepositCertificate, work.certificate_id) if work.certificate_id else None
    return {
        "id": work.id,
        "title": work.title,
        "type": work.work_type.value,
        "org_id": work.org_id,
        "parent_id": work.parent_id,
        "episode_number": work.episode_number,
        "creators": work.creators,
        "holders": [{"name": h.name, "share": f"{h.share.normalize():f}"} for h in holders_of(session, work)],
        "registration_number": work.registration_number,
        "registered_on": work.registered_on.isoformat() if work.registered_on else None,
        "certificate": certificate.number if certificate else None,
        "assets": asset_ids_of(session, work),
        "chain_of_title": [
            {
                "kind": e.kind.value,
                "from": e.from_party,
                "to": e.to_party,
                "media_right": e.media_right,
                "territory": e.territory,
                "starts_on": e.starts_on.isoformat() if e.starts_on else None,
                "ends_on": e.ends_on.isoformat() if e.ends_on else None,
                "exclusive": e.exclusive,
                "at": e.at.isoformat(),
            }
            for e in chain_of_title(session, work)
        ],
    }
