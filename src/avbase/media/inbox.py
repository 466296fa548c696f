"""The media library's part of the inbox: one's own assets whose analysis failed, and recent work."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role
from avbase.core.accounts.principal import Principal
from avbase.core.i18n import N_, _
from avbase.core.inbox import InboxItem, KeyFigure, Urgency, figure_provider, item_provider
from avbase.media.models import Asset, AssetState

ANALYSIS_FAILED = "media.analysis_failed"
RECENT = 3


# Library work belongs to the organisation that made it: oversight roles (authorities, parks, the
# administrator, reviewers) have no library inbox of their own.
LIBRARY_ROLES = (Role.enterprise_staff, Role.creator)


@item_provider("media", kinds={ANALYSIS_FAILED: N_("Media whose analysis failed")})
def media_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    if principal.role not in LIBRARY_ROLES:
        return []
    return [
        InboxItem(
            key=f"media.failed:{asset.id}",
            kind=ANALYSIS_FAILED,
            domain="media",
            title=_("Analysis failed: {title}", title=asset.title),
            link=f"/media/{asset.id}",
            urgency=Urgency.due,
        )
        for asset in session.scalars(
            select(Asset)
            .where(Asset.org_id == principal.org_id, Asset.state == AssetState.failed)
            .order_by(Asset.id.desc())
            .limit(20)
        )
    ]


@figure_provider("media")
def media_figures(session: Session, principal: Principal, on: date) -> list[KeyFigure]:
    if principal.role not in LIBRARY_ROLES:
        return []
    count = session.scalar(select(func.count()).select_from(Asset).where(Asset.org_id == principal.org_id))
    recent = list(
        session.scalars(
            select(Asset.title)
            .where(Asset.org_id == principal.org_id)
            .order_by(Asset.id.desc())
            .limit(RECENT)
        )
    )
    return [
        KeyFigure(
            _("Media library"),
            str(count or 0),
            "/media",
            hint="、".join(recent) if recent else _("Nothing uploaded yet."),
            testid="media-count",
        )
    ]
