"""The media library: files in, assets with their analysis, for the organisations a user may see."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import Select, String, cast, event, select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.audit import record
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.core.i18n import N_
from avbase.core.jobs import enqueue
from avbase.core.jobs.models import BULK, Job
from avbase.kit.pagination import Page, PageRequest, paginate
from avbase.media.models import Asset, AssetState, TextSegment, TextSource

ANALYSE_JOB = "media.analyse"
SORTS = {"created_at": Asset.created_at, "title": Asset.title, "duration": Asset.duration, "size": Asset.size}


def visible_assets(principal: Principal) -> Select[Asset]:
    return select(Asset).where(Asset.org_id.in_(principal.visible_org_ids()))


DURATIONS = {"short": (None, 60.0), "medium": (60.0, 600.0), "long": (600.0, None)}  # seconds


@dataclass(frozen=True)
class AssetFilters:
    kind: str | None = None
    resolution: str | None = None
    hdr: str | None = None
    search: str | None = None
    duration: str | None = None  # a key of DURATIONS
    added_from: date | None = None
    org_id: int | None = None
    collection: str | None = None


def list_assets(
    session: Session, principal: Principal, request: PageRequest, filters: AssetFilters = AssetFilters()
) -> Page[Asset]:
    stmt = visible_assets(principal)
    if filters.kind:
        stmt = stmt.where(Asset.kind == filters.kind)
    if filters.resolution:
        stmt = stmt.where(Asset.resolution_class == filters.resolution)
    if filters.hdr:
        stmt = stmt.where(Asset.hdr == filters.hdr)
    if filters.search:
        stmt = stmt.where(Asset.title.contains(filters.search) | Asset.file_name.contains(filters.search))
    if filters.duration in DURATIONS:
        shortest, longest = DURATIONS[filters.duration]
        if shortest is not None:
            stmt = stmt.where(Asset.duration >= shortest)
        if longest is not None:
            stmt = stmt.where(Asset.duration < longest)
    if filters.added_from:
        stmt = stmt.where(Asset.created_at >= datetime.combine(filters.added_from, time.min, UTC))
    if filters.org_id:
        stmt = stmt.where(Asset.org_id == filters.org_id)
    if filters.collection:
        # The JSON list as text holds the name as JSON writes it, on SQLite and PostgreSQL alike.
        stmt = stmt.where(
            cast(Asset.collections, String).contains(json.dumps(filters.collection), autoescape=True)
        )
    return paginate(session, stmt, request, SORTS, Asset.id)


def library_choices(session: Session, principal: Principal) -> tuple[list[tuple[int, str]], list[str]]:
    """The organisations that have assets the user sees, and the collections in use, for the filters."""
    orgs = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(visible_assets(principal).with_only_columns(Asset.org_id)))
        .order_by(Organisation.name)
    ).all()
    names: set[str] = set()
    for collections in session.scalars(
        visible_assets(principal).with_only_columns(Asset.collections).limit(5000)
    ):
        names.update(collections or [])
    return [(row.id, row.name) for row in orgs], sorted(names)


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
    _queue_analysis(session, principal, asset)
    return asset, False


def _queue_analysis(session: Session, principal: Principal, asset: Asset) -> None:
    job = enqueue(
        session,
        kind=ANALYSE_JOB,
        title=N_("Analyse media"),
        payload={"asset_id": asset.id},
        principal=principal if principal.user_id else None,
        priority=BULK,
    )
    asset.job_id = job.id
    mark(asset, AssetState.queued)
    session.flush()


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


def editable_asset(session: Session, principal: Principal, asset_id: int) -> Asset:
    """The asset, if this user may change it: its own organisation's staff or the platform administrator
    (else 404 when they cannot see it, 403 when they only see it)."""
    asset = get_asset(session, principal, asset_id)
    if not principal.owns(asset.org_id):
        raise Forbidden("You may not change this asset.")
    return asset


ANALYSING = (AssetState.queued, AssetState.processing)


def analyse_again(session: Session, principal: Principal, asset_id: int) -> Asset:
    """Queues a new analysis of an asset whose last one has ended (failed, cancelled or done)."""
    asset = editable_asset(session, principal, asset_id)
    if asset.state in ANALYSING:
        raise Conflict("The asset is being analysed already.")
    _queue_analysis(session, principal, asset)
    record(session, action="analyse", entity_type="media_assets", entity_id=asset.id, org_id=asset.org_id)
    return asset


def analysis_cancelled(session: Session, job: Job) -> None:
    """The analysis job was cancelled: the asset says so, and can be analysed again."""
    asset = session.get(Asset, int(job.payload["asset_id"]))
    if asset is not None and asset.job_id == job.id and asset.state in ANALYSING:
        mark(asset, AssetState.cancelled)


def update_metadata(
    session: Session, principal: Principal, asset_id: int, changes: dict[str, object]
) -> Asset:
    """Descriptive metadata (audited like every write); list fields replace the old list."""
    asset = editable_asset(session, principal, asset_id)
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


# Files made from an asset that may be fetched: the proxy, the contact sheet, the waveform, thumbnails.
DERIVED_FILE = re.compile(r"^(proxy\.mp4|contact\.jpg|waveform\.png|thumbs/\d{9}\.jpg)$")


def derived_file(session: Session, principal: Principal, asset_id: int, name: str) -> Path:
    asset = get_asset(session, principal, asset_id)
    path = storage.derived_dir(asset.sha256) / name
    if not DERIVED_FILE.match(name) or not path.is_file():
        raise NotFound("File not found.")
    return path


def text_segments(
    session: Session, asset: Asset, source: TextSource | None = None, limit: int = 5000
) -> list[TextSegment]:
    stmt = select(TextSegment).where(TextSegment.asset_id == asset.id)
    if source is not None:
        stmt = stmt.where(TextSegment.source == source)
    return list(session.scalars(stmt.order_by(TextSegment.start, TextSegment.id).limit(limit)))


LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # BCP 47, as zh, en, zh-Hant, yue


@dataclass(frozen=True)
class SubtitleImport:
    track: str
    cues: int
    encoding: str  # the file's encoding as detected (see ``subtitles.decode``)
    language: str | None


def import_subtitles(
    session: Session,
    principal: Principal,
    asset_id: int,
    path: Path,
    track: str,
    *,
    language: str | None = None,
) -> SubtitleImport:
    """Reads a subtitle file (SRT, ASS/SSA, WebVTT in UTF-8/16, GB18030 or Big5) into time-coded text of
    the asset, replacing an earlier import of the same track (the file name, with the language when one is
    given). All or nothing. The web page, the API and the CLI all import through here."""
    from avbase.media.subtitles import read_subtitle_file

    language = (language or "").strip() or None
    if language is not None and (len(language) > 20 or not LANGUAGE_CODE.match(language)):
        raise AvbaseError("Give a language code such as zh, en or zh-Hant.", field="language")
    asset = editable_asset(session, principal, asset_id)
    read = read_subtitle_file(path)
    if language:
        track = f"{track[: 117 - len(language)]} ({language})"
    rows = [{"start": c.start, "end": c.end, "text": c.text} for c in read.cues]
    audit = ("media.subtitles", "track", "cues")
    cues = _replace_track(
        session, asset, TextSource.subtitle, track, rows, audit, {"encoding": read.encoding}
    )
    files = dict((asset.derived or {}).get("subtitle_files", {}))
    files[track[:120]] = {"encoding": read.encoding, "cues": cues, "language": language}
    asset.derived = {**(asset.derived or {}), "subtitle_files": files}  # a new dict: JSON sees reassignment
    session.flush()
    return SubtitleImport(track[:120], cues, read.encoding, language)


def attach_document(session: Session, principal: Principal, asset_id: int, path: Path, name: str) -> int:
    """A script or other document of the asset, searchable by its paragraphs; the same file name again
    replaces it. Returns the number of paragraphs."""
    from avbase.media.documents import read_document

    asset = editable_asset(session, principal, asset_id)
    rows = [{"start": 0.0, "end": 0.0, "text": text} for text in read_document(path)]
    audit = ("media.document", "document", "paragraphs")
    return _replace_track(session, asset, TextSource.document, name, rows, audit)


def _replace_track(
    session: Session,
    asset: Asset,
    source: TextSource,
    track: str,
    rows: list[dict[str, object]],
    audit: tuple[str, str, str],  # the action, and what to call the track and its rows in the log
    details: dict[str, object] | None = None,  # more for the log (a subtitle file's encoding)
) -> int:
    """A user's text track (subtitles, a script) in place of the one with that name, as one audit event."""
    from avbase.media.steps import replace_segments

    action, name_key, count_key = audit
    track = track[:120]
    replace_segments(asset, source, [{**row, "track": track} for row in rows], track=track)
    record(session, action=action, entity_type="media_assets", entity_id=asset.id, org_id=asset.org_id,
           after={name_key: track, count_key: len(rows), **(details or {})})  # fmt: skip
    session.flush()
    return len(rows)


def delete_asset(session: Session, principal: Principal, asset_id: int) -> None:
    """Removes the asset, its time-coded text (by cascade) and its search entries (the index catches up);
    the stored file and what was made from it go too once no other asset has the same content, after the
    transaction commits."""
    asset = editable_asset(session, principal, asset_id)
    sha256 = asset.sha256
    session.delete(asset)
    session.flush()
    if session.scalar(select(Asset.id).where(Asset.sha256 == sha256).limit(1)) is None:
        event.listen(session, "after_commit", lambda _session: storage.forget(sha256), once=True)
