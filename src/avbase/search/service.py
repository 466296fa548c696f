"""Material search: words (Chinese or English) or a picture in; moments of clips the user may see out."""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
from markupsafe import Markup, escape
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError
from avbase.media.models import Asset
from avbase.media.service import DURATIONS, get_asset, visible_assets
from avbase.media.stills import thumb_name
from avbase.search import sync
from avbase.search.analysis import analyse
from avbase.search.engine import SORTS, Filters
from avbase.search.query import Node, parse, prefix_terms, query_terms
from avbase.search.vectors import describe, split_key

RESOLUTIONS = ("SD", "HD", "FHD", "4K", "8K")
SNIPPET_CHARS = 140
SAME_PICTURE = 0.95  # cosine similarity at which two shots are the same picture (re-used or re-encoded)
MIN_SIMILARITY = 0.3  # below this, a shot has little in common with the picture: not shown


@dataclass(frozen=True)
class SearchFilters:
    kind: str | None = None
    min_resolution: str | None = None
    hdr: str | None = None
    duration: str | None = None  # short | medium | long
    added_from: date | None = None
    org_id: int | None = None
    collection: str | None = None
    tag: str | None = None
    language: str | None = None
    source: str | None = None  # title, ocr, subtitle…
    resolution: str | None = None  # exactly this class (a facet), where min_resolution is "this or higher"


@dataclass(frozen=True)
class SearchHit:
    asset_id: int
    title: str
    source: str
    start: float | None
    end: float | None
    snippet: Markup
    thumbnail: str | None  # a path under the asset's files
    score: float
    kind: str | None
    resolution: str | None
    duration: float | None

    @property
    def link(self) -> str:
        return f"/media/{self.asset_id}" + (f"?t={self.start:.2f}" if self.start is not None else "")


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def visible_org_ids(session: Session, principal: Principal) -> tuple[int, ...] | None:
    """None for an administrator (no filter); else the organisations with assets this user may see."""
    if principal.is_admin:
        return None
    owners = visible_assets(principal).with_only_columns(Asset.org_id).distinct()
    return tuple(session.scalars(owners))


def engine_filters(session: Session, principal: Principal, filters: SearchFilters) -> Filters:
    allowed = visible_org_ids(session, principal)
    if filters.org_id is not None:
        allowed = (filters.org_id,) if allowed is None or filters.org_id in allowed else ()
    shortest, longest = DURATIONS.get(filters.duration or "", (None, None))
    resolutions = None
    if filters.min_resolution in RESOLUTIONS:
        resolutions = RESOLUTIONS[RESOLUTIONS.index(filters.min_resolution) :]
    if filters.resolution in RESOLUTIONS:
        resolutions = tuple(r for r in resolutions or RESOLUTIONS if r == filters.resolution)
    created_from = None
    if filters.added_from is not None:
        created_from = int(datetime.combine(filters.added_from, datetime.min.time(), UTC).timestamp())
    return Filters(
        org_ids=allowed,
        kind=filters.kind,
        resolutions=resolutions,
        hdr=filters.hdr,
        min_duration=shortest,
        max_duration=longest,
        created_from=created_from,
        collection=filters.collection,
        tag=filters.tag,
        language=filters.language,
        source=filters.source,
    )


def highlight(text: str, query: Node) -> Markup:
    """The text around the first match, matched words in <mark>; HTML-escaped."""
    wanted = query_terms(query)
    prefixes = tuple(prefix_terms(query))
    spans = sorted(
        (term.start, term.end)
        for term in analyse(text)
        if term.text in wanted or term.text.startswith(prefixes)
    )
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3) if spans else 0
    end = min(len(text), start + SNIPPET_CHARS)
    snippet, cursor = escape("…" if start else ""), start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        snippet += text[cursor:span_start]  # Markup escapes what is added to it
        snippet += Markup("<mark>{}</mark>").format(text[span_start:span_end])
        cursor = span_end
    return snippet + text[cursor:end] + ("…" if end < len(text) else "")


def thumbnail_at(asset: Asset, start: float | None, end: float | None = None) -> str | None:
    """The thumbnail of that moment, or the asset's cover. A little after the start (up to a second, within
    the range), since a caption or subtitle often begins right at a cut."""
    times: list[float] = list((asset.derived or {}).get("thumbnails") or [])
    if times and start is not None:
        moment = start + min(1.0, max(0.0, ((end if end is not None else start) - start) / 2))
        return thumb_name(times[max(0, bisect.bisect_right(times, moment + 1e-6) - 1)])
    shots = asset.shots or []
    return shots[len(shots) // 2].get("thumbnail") if shots else None


def search(
    session: Session,
    principal: Principal,
    text: str,
    filters: SearchFilters = SearchFilters(),
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    started = time.perf_counter()
    query = parse(text)
    if query is None:
        return SearchPage([], 0, page, per_page)
    if sort not in SORTS:
        raise AvbaseError("Unknown sort {sort}.", field="sort", sort=sort)
    scope = engine_filters(session, principal, filters)
    offset = (page - 1) * per_page
    found = sync.text_engine().search(query, scope, sort=sort, offset=offset, limit=per_page)
    wanted = select(Asset).where(Asset.id.in_({hit.asset_id for hit in found.hits}))
    assets = {asset.id: asset for asset in session.scalars(wanted)}
    hits = []
    for hit in found.hits:
        asset = assets.get(hit.asset_id)
        if asset is None:  # deleted a moment ago; the index catches up when a worker is idle
            continue
        hits.append(
            SearchHit(
                asset_id=asset.id,
                title=asset.title,
                source=hit.source,
                start=hit.start,
                end=hit.end,
                snippet=highlight(hit.text, query),
                thumbnail=thumbnail_at(asset, hit.start, hit.end),
                score=round(hit.score, 3),
                kind=asset.kind,
                resolution=asset.resolution_class,
                duration=asset.duration,
            )
        )
    took = round(time.perf_counter() - started, 4)
    return SearchPage(hits, found.total, page, per_page, found.facets, took)


@dataclass(frozen=True)
class ShotMatch:
    asset_id: int
    title: str
    shot: int
    start: float
    end: float
    thumbnail: str | None
    similarity: float

    @property
    def link(self) -> str:
        return f"/media/{self.asset_id}?t={self.start:.2f}"


@dataclass
class ShotGroup:
    """A shot and the near-duplicates of it (the same picture in other clips or encodings)."""

    best: ShotMatch
    same: list[ShotMatch] = field(default_factory=list)


def similar_shots(
    session: Session, principal: Principal, image: Image.Image, limit: int = 12
) -> list[ShotGroup]:
    vector = describe(image)
    index = sync.shot_index()
    candidates = index.search(vector, limit * 20)
    owners = {split_key(key)[0] for key, _ in candidates}
    visible = visible_assets(principal).where(Asset.id.in_(owners))
    assets = {asset.id: asset for asset in session.scalars(visible)}
    groups: list[tuple[np.ndarray, ShotGroup]] = []
    for key, similarity in candidates:
        if similarity < MIN_SIMILARITY:
            break  # most similar first
        asset_id, number = split_key(key)
        asset = assets.get(asset_id)
        shots = asset.shots or [] if asset else []
        if asset is None or number >= len(shots):
            continue
        shot = shots[number]
        match = ShotMatch(
            asset.id,
            asset.title,
            number,
            shot["start"],
            shot["end"],
            shot.get("thumbnail"),
            round(similarity, 4),
        )
        mine = index.vector_of(key)
        group = next((g for leader, g in groups if float(np.dot(leader, mine)) >= SAME_PICTURE), None)
        if group is not None:
            group.same.append(match)
        elif len(groups) < limit:
            groups.append((mine, ShotGroup(match)))
    return [group for _, group in groups]


def similar_to_shot(
    session: Session, principal: Principal, asset_id: int, shot: int, limit: int = 12
) -> list[ShotGroup]:
    """Shots that look like one shot of a clip the user may see."""
    asset = get_asset(session, principal, asset_id)
    shots = asset.shots or []
    if not 0 <= shot < len(shots) or not shots[shot].get("thumbnail"):
        raise AvbaseError("The clip has no shot {number}.", field="shot", number=shot + 1)
    with Image.open(storage.derived_dir(asset.sha256) / shots[shot]["thumbnail"]) as picture:
        return similar_shots(session, principal, picture, limit)
