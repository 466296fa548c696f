"""An asset as search documents: its description (one per field), its time-coded text and its shots."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.media.models import Asset, TextSegment, TextSource
from avbase.search.engine import SegmentDoc

# Shots are found by how they begin, in both languages.
TRANSITION_WORDS = {"cut": "硬切 cut", "dissolve": "叠化 dissolve", "fade": "淡入淡出 fade"}


def documents_of(session: Session, asset: Asset) -> list[SegmentDoc]:
    facets = SegmentDoc(
        asset_id=asset.id,
        org_id=asset.org_id,
        source="",
        text="",
        start=None,
        end=None,
        kind=asset.kind or "",
        resolution=asset.resolution_class or "",
        hdr=asset.hdr or "",
        language=asset.language or "",
        tags=tuple(asset.tags or ()),
        collections=tuple(asset.collections or ()),
        duration=float(asset.duration or 0.0),
        created=int(asset.created_at.timestamp()),
    )
    described = {
        "title": asset.title,
        "description": asset.description,
        "tags": " · ".join(asset.tags or []),
        "people": " · ".join(asset.people or []),
        "location": asset.location,
        "collections": " · ".join(asset.collections or []),
    }
    docs = [replace(facets, source=source, text=text) for source, text in described.items() if text]
    for segment in session.scalars(select(TextSegment).where(TextSegment.asset_id == asset.id)):
        untimed = segment.source is TextSource.document  # a script's paragraphs belong to the whole clip
        timed = facets if untimed else replace(facets, start=segment.start, end=segment.end)
        docs.append(replace(timed, source=segment.source.value, text=segment.text))
    for shot in asset.shots or []:
        words = TRANSITION_WORDS.get(shot.get("transition", ""))
        if words:
            text = f"{words} · #{shot['index'] + 1}"
            docs.append(replace(facets, source="shot", text=text, start=shot["start"], end=shot["end"]))
    return docs
