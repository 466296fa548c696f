"""Keeping the search indexes in step with the database.

Any flush that adds, changes or deletes an asset or its time-coded text also writes a ``search_pending`` row
in the same transaction (a flush listener, so no service can forget). Workers drain those rows when idle:
they rebuild the asset's text documents and shot vectors, or remove them when the asset is gone. The
indexes live on disk and survive restarts; ``rebuild`` recreates them from the database.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from sqlalchemy import Engine, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.db import session_scope, utcnow
from avbase.media.models import Asset, TextSegment
from avbase.search.documents import documents_of
from avbase.search.engine import TantivyEngine, TextEngine
from avbase.search.models import SearchPending
from avbase.search.vectors import ShotIndex, describe, key_of
from avbase.settings import get_settings

BATCH = 200  # assets per commit of the indexes
SCHEMA_VERSION = "2"  # raise when the index's fields change


def search_dir() -> Path:
    return get_settings().var_dir / "search"


@lru_cache(maxsize=4)
def _text_engine(folder: Path) -> TantivyEngine:
    """Opens the index; one written with another schema (an older release) is dropped and the next idle
    worker indexes every asset again."""
    version = folder / "SCHEMA"
    if folder.exists() and (not version.exists() or version.read_text() != SCHEMA_VERSION):
        shutil.rmtree(folder)
        (search_dir() / "REINDEX").touch()
    engine = TantivyEngine(folder)
    version.write_text(SCHEMA_VERSION)
    return engine


@lru_cache(maxsize=4)
def _shot_index(path: Path) -> ShotIndex:
    return ShotIndex(path)


def text_engine() -> TextEngine:
    return _text_engine(search_dir() / "text")


def shot_index() -> ShotIndex:
    return _shot_index(search_dir() / "shots.usearch")


# What the index holds of an asset itself (see documents_of); a change of state, probe or derived files alone,
# which the analysis makes at every step, leaves its entries as they are.
INDEXED = ("title", "description", "tags", "people", "location", "collections", "kind", "resolution_class",
           "hdr", "language", "duration", "shots", "org_id")  # fmt: skip


def _indexed_change(asset: Asset) -> bool:
    attributes = inspect(asset).attrs
    return any(attributes[name].history.has_changes() for name in INDEXED)


@event.listens_for(Session, "after_flush")
def _mark_pending(session: Session, _context: Any) -> None:
    changed: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Asset) and (obj not in session.dirty or _indexed_change(obj)):
            changed.add(obj.id)
        elif isinstance(obj, TextSegment):
            changed.add(obj.asset_id)
    if changed:
        now = utcnow()
        session.connection().execute(insert(SearchPending), [{"asset_id": i, "since": now} for i in changed])


@contextmanager
def _indexer_lock(wait: bool) -> Iterator[bool]:
    """One indexer at a time across processes; ``wait=False`` gives up at once when another one runs."""
    search_dir().mkdir(parents=True, exist_ok=True)
    with (search_dir() / ".indexer.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shot_vectors(asset: Asset) -> dict[int, NDArray[np.float32]]:
    vectors: dict[int, NDArray[np.float32]] = {}
    folder = storage.derived_dir(asset.sha256)
    for shot in asset.shots or []:
        path = folder / str(shot.get("thumbnail") or "")
        if shot.get("thumbnail") and path.is_file():
            with Image.open(path) as image:
                vectors[key_of(asset.id, int(shot["index"]))] = describe(image)
    return vectors


def _index_assets(session: Session, asset_ids: list[int]) -> None:
    assets = list(session.scalars(select(Asset).where(Asset.id.in_(asset_ids))))
    docs = list(chain.from_iterable(documents_of(session, asset) for asset in assets))
    vectors: dict[int, NDArray[np.float32]] = {}
    for asset in assets:
        vectors.update(shot_vectors(asset))
    text_engine().replace(asset_ids, docs)
    shot_index().replace(asset_ids, vectors)


def drain(engine: Engine, *, wait: bool = False) -> int:
    """Indexes what is pending; returns how many assets it brought up to date."""
    done = 0
    with _indexer_lock(wait) as mine:
        if not mine:
            return 0
        text_engine()  # opening it may find an outdated index and ask for everything again
        again = search_dir() / "REINDEX"
        if again.exists():
            with session_scope(engine) as session:
                now = utcnow()
                ids = session.scalars(select(Asset.id))
                session.execute(
                    insert(SearchPending), [{"asset_id": i, "since": now} for i in ids] or [{}][:0]
                )
            again.unlink()
        while True:
            with session_scope(engine) as session:
                rows = session.execute(
                    select(SearchPending.id, SearchPending.asset_id)
                    .order_by(SearchPending.id)
                    .limit(BATCH * 5)
                ).all()
                if not rows:
                    return done
                asset_ids = sorted({row.asset_id for row in rows})[:BATCH]
                _index_assets(session, asset_ids)
                top = max(row.id for row in rows)
                session.execute(
                    delete(SearchPending).where(
                        SearchPending.id <= top, SearchPending.asset_id.in_(asset_ids)
                    )
                )
                done += len(asset_ids)


def rebuild(engine: Engine, progress: Callable[[int, int], None] | None = None) -> int:
    """Recreates both indexes from the database; returns the number of assets indexed."""
    with _indexer_lock(wait=True):
        with session_scope(engine) as session:
            session.execute(delete(SearchPending))
            ids = list(session.scalars(select(Asset.id).order_by(Asset.id)))
        text_engine().clear()
        shot_index().clear()
        for start in range(0, len(ids), BATCH):
            with session_scope(engine) as session:
                _index_assets(session, ids[start : start + BATCH])
            if progress is not None:
                progress(min(start + BATCH, len(ids)), len(ids))
    return len(ids)


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count(func.distinct(SearchPending.asset_id)))) or 0)
