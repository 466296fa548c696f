"""The rights module's part of the inbox: suspected copies of one's registered works (for the rights
holder: which organisation, which asset, which segments), and, for the uploader, that an asset of theirs
matched a registered work (nothing about the work or its owner)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.i18n import N_, _
from avbase.core.inbox import InboxItem, Urgency, item_provider
from avbase.kit.timecode import timecode
from avbase.media.models import Asset
from avbase.rights.models import MatchState, SuspectedCopy, Work

SUSPECTED_COPY = "rights.suspected_copy"
ASSET_MATCHED = "rights.asset_matched"


@item_provider(
    "rights",
    kinds={
        SUSPECTED_COPY: N_("Suspected copies of our registered works"),
        ASSET_MATCHED: N_("Our media that matched a registered work"),
    },
)
def rights_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    if principal.role in READ_ONLY_ROLES or principal.is_authority:
        return []
    items: list[InboxItem] = []
    holder_rows = session.execute(
        select(SuspectedCopy, Work.title, Organisation.name, Asset.title.label("asset_title"))
        .join(Work, Work.id == SuspectedCopy.work_id)
        .join(Organisation, Organisation.id == SuspectedCopy.org_id)
        .join(Asset, Asset.id == SuspectedCopy.asset_id)
        .where(SuspectedCopy.work_org_id == principal.org_id, SuspectedCopy.state == MatchState.new)
        .order_by(SuspectedCopy.id.desc())
        .limit(50)
    ).all()
    for copy, work_title, org_name, asset_title in holder_rows:
        items.append(
            InboxItem(
                key=f"rights.copy:{copy.id}",
                kind=SUSPECTED_COPY,
                domain="rights",
                title=_(
                    "Suspected copy of “{work}” in {org}'s “{asset}”",
                    work=work_title,
                    org=org_name,
                    asset=asset_title,
                ),
                detail=_(
                    "{query} of the copy ↔ {reference} of the work",
                    query=_span(copy.query_start, copy.query_end),
                    reference=_span(copy.reference_start, copy.reference_end),
                ),
                link=f"/rights/matches/{copy.id}",
                urgency=Urgency.due,
            )
        )
    own_assets = session.execute(
        select(SuspectedCopy.asset_id, Asset.title)
        .join(Asset, Asset.id == SuspectedCopy.asset_id)
        .where(SuspectedCopy.org_id == principal.org_id, SuspectedCopy.state != MatchState.dismissed)
        .distinct()
        .limit(50)
    ).all()
    for asset_id, asset_title in own_assets:
        items.append(
            InboxItem(
                key=f"rights.matched:{asset_id}",
                kind=ASSET_MATCHED,
                domain="rights",
                title=_("“{asset}” matches a registered work", asset=asset_title),
                detail=_("Check that you hold a licence for it."),
                link=f"/media/{asset_id}",
                urgency=Urgency.upcoming,
            )
        )
    return items


def _span(start: float, end: float) -> str:
    return f"{timecode(start)}–{timecode(end)}"
