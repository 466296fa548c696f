"""The media library: files in, assets with their analysis, for the organisations a user may see."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Forbidden, NotFound
from avbase.core.i18n import N_
from avbase.core.jobs import enqueue
from avbase.kit.pagination import Page, PageRequest, paginate
from avbase.media.models import Asset, AssetState

ANALYSE_JOB = "media.analyse"
SORTS = {"created_at": Asset.created_at, "title": Asset.title, "duration": Asset.duration, "size": Asset.size}


def visible_assets(principal: Principal) -> Select[Asset]:
    return select(Asset).where(Asset.org_id.in_(principal.visible_org_ids()))


def list_assets(
    session: Session,
    principal: Principal,
    request: PageRequest,
    *,
    kind: str | None = None,
    resolution: str | None = None,
    hdr: str | None = None,
    search: str | None = None,
) -> Page[Asset]:
    stmt = visible_assets(principal)
    if kind:
        stmt = stmt.where(Asset.kind == kind)
    if resolution:
        stmt = stmt.where(Asset.resolution_class == resolution)
    if hdr:
        stmt = stmt.where(Asset.hdr == hdr)
    if search:
        stmt = stmt.where(Asset.title.contains(search) | Asset.file_name.contains(search))
    return paginate(session, stmt, request, SORTS, Asset.id)


def get_asset(session: Session, principal: Principal, asset_id: int) -> Asset:
    found = session.scalar(visible_assets(principal).where(Asset.id == asset_id))
    if found is None:
        raise NotFound("Asset not found.")
    return found


def ingest(
    session: Session, principal: Principal, path: Path, *, file_name: str, move: bool
) -> tuple[Asset, bool]:
    """Stores the file (content-addressed: the same bytes are kept once) and queues its analysis.
    Returns the asset and whether this organisation had the same file already (then nothing is queued)."""
    if principal.role in READ_ONLY_ROLES:
        raise Forbidden("You may not add media to the library.")
    size = path.stat().st_size
    sha256, _known = storage.keep(path) if move else storage.keep_copy(path)
    existing = session.scalar(select(Asset).where(Asset.org_id == principal.org_id, Asset.sha256 == sha256))
    if existing is not None:
        return existing, True
    asset = Asset(
        org_id=principal.org_id,
        sha256=sha256,
        file_name=file_name[-300:],
        size=size,
        title=Path(file_name).stem[:300] or file_name[:300],
        tags=[],
        people=[],
        collections=[],
        created_by_id=principal.user_id or None,
    )
    session.add(asset)
    session.flush()
    job = enqueue(
        session,
        kind=ANALYSE_JOB,
        title=N_("Analyse media"),
        payload={"asset_id": asset.id},
        principal=principal if principal.user_id else None,
    )
    asset.job_id = job.id
    session.flush()
    return asset, False


def mark(asset: Asset, state: AssetState, error: str | None = None) -> None:
    asset.state = state
    asset.error = error


LIST_FIELDS = ("tags", "people", "collections")
METADATA_FIELDS = (
    "title",
    "description",
    "tags",
    "people",
    "location",
    "language",
    "rights_holder",
    "collections",
)


def update_metadata(
    session: Session, principal: Principal, asset_id: int, changes: dict[str, object]
) -> Asset:
    """Descriptive metadata (audited like every write); list fields replace the old list."""
    asset = get_asset(session, principal, asset_id)
    org = session.get(Organisation, asset.org_id)
    if org is None or not principal.can_edit(org):
        raise Forbidden("You may not change this asset.")
    for key, value in changes.items():
        if key not in METADATA_FIELDS:
            raise AvbaseError("Unknown field {name}.", field=key, name=key)
        if key in LIST_FIELDS and value is None:
            value = []  # "no tags" is an empty list, never NULL
        if key == "title" and not value:
            raise AvbaseError("This field is required.", field="title")
        setattr(asset, key, value)
    session.flush()
    return asset
