"""Piracy tracing: fingerprints of the assets that carry registered works go into the index (a step of the
media job); any file or asset can be matched against it; the library watch matches every newly ingested
asset and records suspected copies for the rights holder. When a work's asset is indexed, the uploads of
other organisations analysed before it (which the watch compared with the works registered then) are
compared with it too: the rescan.

The index lives in ``var/rights/index`` (one folder per modality); reference ids are asset ids. A write to
the index is a file, not a row: if the transaction that made it rolls back, the index keeps a reference no
work claims, which matching ignores (every hit is looked up through ``rights_work_assets``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, object_session

from avbase.core import storage
from avbase.core.accounts.principal import Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_
from avbase.core.jobs import enqueue, pending
from avbase.core.jobs.models import BULK
from avbase.rights.fingerprint import audio, video
from avbase.rights.fingerprint import search as fingerprints
from avbase.rights.fingerprint.index import IndexUnreadable
from avbase.rights.models import SuspectedCopy, Work, WorkAsset
from avbase.settings import get_settings

FINGERPRINT_JOB = "rights.fingerprint"
WATCH_JOB = "rights.watch"
REINDEX_JOB = "rights.reindex"
RESCAN_JOB = "rights.rescan"
PRINTS = "fingerprint"  # the folder of an asset's fingerprints under its derived folder


def index_root() -> Path:
    return get_settings().var_dir / "rights" / "index"


def prints_folder(sha256: str) -> Path:
    return storage.derived_dir(sha256) / PRINTS


def _prints_by(session: Session) -> fingerprints.PrintsOf:
    """:func:`stored_prints` for the search, whose two modalities run in two threads: one at a time uses
    the session (a session is not shared by threads otherwise)."""
    lock = threading.Lock()

    def prints_of(asset_id: int) -> fingerprints.Prints | None:
        with lock:
            return stored_prints(session, asset_id)

    return prints_of


def stored_prints(session: Session, asset_id: int) -> fingerprints.Prints | None:
    """The prints stored for an asset (of the current key versions), if any."""
    from avbase.media.models import Asset

    asset = session.get(Asset, asset_id)
    return fingerprints.load(prints_folder(asset.sha256)) if asset is not None else None


# --- the media job's step ------------------------------------------------------------------------------


def video_print_listener() -> video.Fingerprinter:
    """A frame listener for the media job's decoding pass of the pictures that makes the video print on
    the way (the file is then not decoded again for it)."""
    return video.Fingerprinter()


def keep_video_print(listener: video.Fingerprinter, folder: Path) -> None:
    made = listener.result()
    if made.times.size:
        (folder / PRINTS).mkdir(parents=True, exist_ok=True)
        made.save(folder / PRINTS / fingerprints.VIDEO_PRINT)


def fingerprint_step(source: Path, folder: Path) -> dict[str, Any]:
    """The step's work (pure: the stored file in, files under its derived folder): both fingerprints. The
    video print the pictures step made from its own decoding pass is reused when it is of this version."""
    started = time.perf_counter()
    made_before = fingerprints.load(folder / PRINTS).video if (folder / PRINTS).exists() else None
    reused = made_before if made_before is not None and made_before.version == video.VERSION else None
    prints = fingerprints.fingerprint(source, video_print=reused)
    fingerprints.save(prints, folder / PRINTS)
    return {
        "video_frames": int(prints.video.times.size) if prints.video else 0,
        "video_from_pictures": reused is not None,
        "audio_landmarks": int(prints.audio.keys.size) if prints.audio else 0,
        "seconds": round(time.perf_counter() - started, 2),
    }


def store_fingerprint(asset: Any, result: dict[str, Any]) -> None:
    """The step's store, in the job's transaction: index the asset if it carries a registered work; else
    have the library watch compare it with the registered works."""
    asset.derived = {**(asset.derived or {}), "fingerprint": result}
    session = object_session(asset)
    assert session is not None
    link = session.scalar(select(WorkAsset).where(WorkAsset.asset_id == asset.id))
    if link is not None:
        _index(link, asset.id, asset.sha256)
    else:
        enqueue(session, kind=WATCH_JOB, title=N_("Compare with registered works"),
                payload={"asset_id": asset.id}, priority=BULK)  # fmt: skip


def _index(link: WorkAsset, asset_id: int, sha256: str) -> None:
    session = object_session(link)
    assert session is not None
    queue_rescan(session, link.work_id, asset_id)
    try:
        fingerprints.add_reference(index_root(), asset_id, fingerprints.load(prints_folder(sha256)))
    except IndexUnreadable:
        # Damaged, or of keys of another version: the rebuild indexes this asset's prints with the others.
        request_rebuild(session)
        return
    link.fingerprinted_at = utcnow()


def index_if_ready(session: Session, link: WorkAsset, asset: Any) -> None:
    """Index a newly attached asset now if its fingerprints exist (of the current versions); if its
    analysis ran without making them, or made them with keys of an older version, queue a job that makes
    them; otherwise its analysis will."""
    from avbase.media.models import AssetState

    folder = prints_folder(asset.sha256)
    current = fingerprints.load(folder)
    if not fingerprints.stale(folder) and (current.video is not None or current.audio is not None):
        _index(link, asset.id, asset.sha256)
    elif asset.state in (AssetState.ready, AssetState.failed, AssetState.cancelled):
        link.fingerprinted_at = None
        enqueue(session, kind=FINGERPRINT_JOB, title=N_("Fingerprint a registered work"),
                payload={"asset_id": asset.id}, priority=BULK)  # fmt: skip


def forget_asset(asset_id: int) -> None:
    fingerprints.remove_reference(index_root(), asset_id)


class IndexRebuilding(AvbaseError):
    """The index on disk could not be read (damaged, or of a layout this version does not know): a job
    rebuilds it from the stored fingerprints; matching works again when it is done."""

    status_code = 503


def request_rebuild(session: Session) -> None:
    """Queues the rebuild of the index unless one is queued or running, in a transaction of its own (the
    caller's is about to fail)."""
    from avbase.core.db import session_scope

    with session_scope(session.get_bind()) as own:  # type: ignore[arg-type]
        enqueue(own, kind=REINDEX_JOB, title=N_("Rebuild the fingerprint index"), priority=BULK, once="index")


def rebuild_index(session: Session) -> dict[str, int]:
    """Builds the index afresh from the stored fingerprints of every registered work's asset, beside the
    old one, then puts it in its place. An asset whose fingerprints are missing, or of keys of an older
    version (after an upgrade of the fingerprint), gets a fingerprint job (if its analysis is over;
    otherwise the analysis indexes it), which indexes it when done."""
    import secrets
    import shutil

    from avbase.media.models import Asset

    root = index_root()
    token = secrets.token_hex(4)
    fresh = root.with_name(f"{root.name}.rebuild-{token}")
    batch: list[tuple[int, fingerprints.Prints]] = []
    waiting = 0
    for link, asset in session.execute(select(WorkAsset, Asset).join(Asset, Asset.id == WorkAsset.asset_id)):
        prints = fingerprints.load(prints_folder(asset.sha256))
        if fingerprints.stale(prints_folder(asset.sha256)) or (prints.video is None and prints.audio is None):
            link.fingerprinted_at = None
            index_if_ready(session, link, asset)
            waiting += 1
            continue
        batch.append((asset.id, prints))
        link.fingerprinted_at = utcnow()
    fingerprints.add_references(fresh, batch)
    retired = root.with_name(f"{root.name}.old-{token}")
    if root.exists():
        root.rename(retired)
    fresh.rename(root)
    shutil.rmtree(retired, ignore_errors=True)
    session.flush()
    return {"references": len(batch), "waiting": waiting}


# --- matching ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    work_id: int
    title: str
    work_org_id: int
    reference_asset_id: int
    reference_start: float
    reference_end: float
    query_start: float
    query_end: float
    score: float
    modality: str

    def to_json(self, *, disclosed: bool = True) -> dict[str, Any]:
        """The issue's shape; undisclosed (the user may not see the work): only that a work matched."""
        return {
            "work_id": self.work_id if disclosed else None,
            "title": self.title if disclosed else None,
            "reference_start": self.reference_start if disclosed else None,
            "reference_end": self.reference_end if disclosed else None,
            "query_start": self.query_start,
            "query_end": self.query_end,
            "score": self.score,
            "modality": self.modality,
        }


def match_file(session: Session, path: Path, *, exclude_asset: int | None = None) -> list[Match]:
    """Registered works the file copies, best first (one entry per work)."""
    import av

    try:
        found = fingerprints.search(index_root(), path, prints_of=_prints_by(session))
    except av.FFmpegError as exc:
        raise AvbaseError("The file cannot be read as video or audio.", field="file") from exc
    except IndexUnreadable as exc:
        request_rebuild(session)
        raise IndexRebuilding(
            "The fingerprint index is being rebuilt; try again in a few minutes.", detail=str(exc)
        ) from exc
    references = [f.reference for f in found if f.reference != exclude_asset]
    if not references:
        return []
    works = {
        row.asset_id: row
        for row in session.execute(
            select(WorkAsset.asset_id, Work.id, Work.title, Work.org_id)
            .join(Work, Work.id == WorkAsset.work_id)
            .where(WorkAsset.asset_id.in_(references))
        )
    }
    matches: dict[int, Match] = {}
    for hit in found:
        row = works.get(hit.reference)
        if row is None or hit.reference == exclude_asset or row.id in matches:
            continue
        matches[row.id] = Match(
            work_id=row.id,
            title=row.title,
            work_org_id=row.org_id,
            reference_asset_id=hit.reference,
            reference_start=hit.reference_start,
            reference_end=hit.reference_end,
            query_start=hit.query_start,
            query_end=hit.query_end,
            score=hit.score,
            modality=hit.modality,
        )
    return sorted(matches.values(), key=lambda m: -m.score)


def match_asset(session: Session, principal: Principal, asset_id: int) -> list[Match]:
    from avbase.media.service import get_asset

    asset = get_asset(session, principal, asset_id)
    return match_file(session, storage.path_of(asset.sha256), exclude_asset=asset.id)


def may_see_work(principal: Principal, work_org_id: int) -> bool:
    return principal.is_admin or principal.is_authority or principal.org_id == work_org_id


def watch(session: Session, asset_id: int) -> list[SuspectedCopy]:
    """The library watch for one asset: record each registered work it copies (not the asset's own
    organisation's works: an organisation may reuse its own material)."""
    from avbase.media.models import Asset

    asset = session.get(Asset, asset_id)
    if asset is None or session.scalar(select(WorkAsset.id).where(WorkAsset.asset_id == asset_id)):
        return []
    recorded: list[SuspectedCopy] = []
    for match in match_file(session, storage.path_of(asset.sha256), exclude_asset=asset.id):
        if match.work_org_id == asset.org_id:
            continue
        row = session.scalar(
            select(SuspectedCopy).where(
                SuspectedCopy.asset_id == asset.id, SuspectedCopy.work_id == match.work_id
            )
        )
        if row is None:
            row = SuspectedCopy(asset_id=asset.id, org_id=asset.org_id, work_id=match.work_id,
                                work_org_id=match.work_org_id)  # fmt: skip
            session.add(row)
        row.reference_asset_id = match.reference_asset_id
        row.reference_start, row.reference_end = match.reference_start, match.reference_end
        row.query_start, row.query_end = match.query_start, match.query_end
        row.score, row.modality = match.score, match.modality
        recorded.append(row)
    session.flush()
    return recorded


# --- the rescan of earlier uploads -----------------------------------------------------------------------


RESCAN_PAGE = 500  # uploads listed at a time
# Stored keys of uploads compared with the work at a time (an index of their own, ≈ 50 MB on disk): about
# as many postings as the query of a minute meets in 10,000 hours of reference, so the voting's load stays
# what it was measured at.
RESCAN_BATCH_POSTINGS = 4_000_000


def queue_rescan(session: Session, work_id: int, asset_id: int) -> None:
    """Uploads analysed before this asset of the work was indexed were compared with the works registered
    then, without it: a job compares them with it (once: a rescan of it queued or running covers a
    second indexing, as when the index is rebuilt meanwhile)."""
    enqueue(session, kind=RESCAN_JOB, title=N_("Compare earlier uploads with a registered work"),
            payload={"work_id": work_id, "asset_id": asset_id}, priority=BULK,
            once=f"{work_id}:{asset_id}")  # fmt: skip


@dataclass(frozen=True)
class RescanTarget:
    """The work's asset a rescan compares the library with."""

    work_id: int
    work_org_id: int
    asset_id: int
    sha256: str


def rescan_target(session: Session, work_id: int, asset_id: int) -> RescanTarget | None:
    """None when the asset no longer carries the work (detached, or the work deleted)."""
    from avbase.media.models import Asset

    row = session.execute(
        select(Work.id, Work.org_id, Asset.id, Asset.sha256)
        .join(WorkAsset, WorkAsset.work_id == Work.id)
        .join(Asset, Asset.id == WorkAsset.asset_id)
        .where(Work.id == work_id, Asset.id == asset_id)
    ).first()
    return RescanTarget(*row) if row is not None else None


@dataclass(frozen=True)
class Upload:
    """An asset of another organisation that carries no work: what the rescan compares with the work."""

    asset_id: int
    org_id: int
    sha256: str
    analysed: bool  # its analysis is over (else it ends with the fingerprint step, then the watch)
    fingerprinted: bool  # the fingerprint step ran on it (it may have found nothing to print)


def _uploads_of_others(target: RescanTarget, *columns: Any) -> Any:
    from avbase.media.models import Asset

    return select(*columns).where(
        Asset.org_id != target.work_org_id,
        Asset.kind.in_(("video", "audio")),
        ~exists().where(WorkAsset.asset_id == Asset.id),
    )


def count_uploads(session: Session, target: RescanTarget) -> int:
    from avbase.media.models import Asset

    return int(session.scalar(_uploads_of_others(target, func.count(Asset.id))) or 0)


def uploads(session: Session, target: RescanTarget, *, after: int, limit: int = RESCAN_PAGE) -> list[Upload]:
    """The next uploads of other organisations by id (those after ``after``)."""
    from avbase.media.models import Asset, AssetState

    page = session.execute(
        _uploads_of_others(target, Asset.id, Asset.org_id, Asset.sha256, Asset.state, Asset.derived)
        .where(Asset.id > after)
        .order_by(Asset.id)
        .limit(limit)
    )
    over = (AssetState.queued, AssetState.processing)
    return [
        Upload(row.id, row.org_id, row.sha256, row.state not in over, "fingerprint" in (row.derived or {}))
        for row in page
    ]


def work_queries(target: RescanTarget) -> tuple[video.VideoQuery, audio.AudioQuery]:
    """The work's file as a query (every window, mirror and probe of its frames, every speed of its sound):
    made once per rescan, and looked up in the stored prints of the uploads, so that an upload copying
    the work in any way the watch finds is found the other way round from its stored prints alone."""
    path = storage.path_of(target.sha256)
    return video.query_keys(path), audio.query_keys(path)


def compare_uploads(
    queries: tuple[video.VideoQuery, audio.AudioQuery], batch: list[tuple[int, fingerprints.Prints]]
) -> list[fingerprints.Found]:
    """The uploads of ``batch`` that copy the work: ``reference`` is the upload, ``reference_*`` its times,
    ``query_*`` the work's."""
    scratch = get_settings().var_dir / "rights" / "rescan"
    return fingerprints.search_among(batch, queries[0], queries[1], scratch=scratch)


def postings_of(prints: fingerprints.Prints) -> int:
    return (int(prints.video.valid.sum()) * prints.video.keys.shape[1] if prints.video else 0) + (
        int(prints.audio.keys.size) if prints.audio else 0
    )


def record_rescan(
    session: Session, target: RescanTarget, found: list[fingerprints.Found], org_of: dict[int, int]
) -> tuple[list[int], list[int]]:
    """Records each upload found as a suspected copy of the work, unless the watch (or an earlier rescan)
    found it already; returns the uploads recorded and those already known."""
    from avbase.media.models import Asset

    recorded: list[int] = []
    known: list[int] = []
    for hit in found:
        upload = hit.reference
        if session.get(Asset, upload) is None:  # deleted meanwhile
            continue
        if session.scalar(
            select(SuspectedCopy.id).where(
                SuspectedCopy.asset_id == upload, SuspectedCopy.work_id == target.work_id
            )
        ):
            known.append(upload)
            continue
        session.add(
            SuspectedCopy(
                asset_id=upload,
                org_id=org_of[upload],
                work_id=target.work_id,
                work_org_id=target.work_org_id,
                reference_asset_id=target.asset_id,
                # The work was the query, the upload the reference: the other way round for the record.
                reference_start=hit.query_start,
                reference_end=hit.query_end,
                query_start=hit.reference_start,
                query_end=hit.reference_end,
                score=hit.score,
                modality=hit.modality,
            )
        )
        recorded.append(upload)
    session.flush()
    return recorded, known


def fingerprint_later(session: Session, asset_ids: list[int]) -> list[int]:
    """Queues the fingerprint step for uploads analysed without it (before it existed) or whose stored prints
    are of keys of an older version, unless one is queued already; when done, the watch compares them with
    every registered work. Returns those queued now."""
    queued = [asset_id for asset_id in asset_ids if pending(session, FINGERPRINT_JOB, str(asset_id)) is None]
    for asset_id in queued:
        enqueue(session, kind=FINGERPRINT_JOB, title=N_("Fingerprint an earlier upload"),
                payload={"asset_id": asset_id}, priority=BULK, once=str(asset_id))  # fmt: skip
    return queued


def works_still_indexing(session: Session) -> bool:
    """Whether some registered work's file is still being analysed (so not in the index yet)."""
    from avbase.media.models import Asset, AssetState

    return (
        session.scalar(
            select(WorkAsset.id)
            .join(Asset, Asset.id == WorkAsset.asset_id)
            .where(
                WorkAsset.fingerprinted_at.is_(None),
                Asset.state.in_([AssetState.queued, AssetState.processing]),
            )
            .limit(1)
        )
        is not None
    )
