"""The text index behind one small interface, so a cluster engine (OpenSearch, say) can take its place.

The embedded default is Tantivy (a Rust library, BM25 ranking, on disk under ``var/search/text``): one
document per time-coded segment of an asset, its terms in a field named after where the text came from
(title, OCR, subtitles…) so each source gets its own boost, and the asset's facets copied onto it for
filtering and counting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import tantivy

from avbase.search.analysis import Term, analyse
from avbase.search.query import AllOf, Node, NotQuery, Words

# Where a segment's text comes from, and how much a match there weighs.
SOURCE_BOOSTS = {
    "title": 3.0,
    "tags": 2.5,
    "people": 2.5,
    "collections": 2.0,
    "location": 2.0,
    "description": 1.5,
    "ocr": 1.3,
    "subtitle": 1.3,
    "transcript": 1.0,
    "document": 1.0,
    "shot": 0.8,
}
MISREAD_BOOST = 0.3  # weight of an on-screen word read with one character wrong
MISREAD_MIN_LENGTH = 2  # a single character differs from every other one
FACETS = ("field", "kind", "resolution", "hdr", "language", "tags", "collections", "org_id")
SORTS = ("relevance", "date", "duration")
Analyser = Callable[[str], list[Term]]


@dataclass(frozen=True)
class SegmentDoc:
    asset_id: int
    org_id: int
    source: str  # a key of SOURCE_BOOSTS
    text: str
    start: float | None  # seconds; None for what belongs to the whole asset (title, tags…)
    end: float | None
    kind: str = ""
    resolution: str = ""
    hdr: str = ""
    language: str = ""
    tags: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    duration: float = 0.0
    created: int = 0  # unix seconds


@dataclass(frozen=True)
class Filters:
    org_ids: tuple[int, ...] | None = None  # None: every organisation (an administrator)
    kind: str | None = None
    resolutions: tuple[str, ...] | None = None
    hdr: str | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    created_from: int | None = None
    collection: str | None = None
    tag: str | None = None
    language: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Hit:
    asset_id: int
    source: str
    text: str
    start: float | None
    end: float | None
    score: float


@dataclass
class Result:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class TextEngine(Protocol):
    def replace(self, asset_ids: Iterable[int], docs: Iterable[SegmentDoc]) -> None:
        """Removes every document of these assets, adds ``docs``, and makes it visible (one commit)."""

    def search(
        self,
        query: Node,
        filters: Filters,
        *,
        sort: str,
        offset: int,
        limit: int,
        misreads: bool = True,
        facets: bool = True,
    ) -> Result: ...

    def clear(self) -> None: ...

    def count(self) -> int: ...


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("asset_id", "org_id", "created"):
        builder.add_integer_field(name, stored=True, indexed=True, fast=True)
    for name in ("start", "end", "duration"):
        builder.add_float_field(name, stored=True, indexed=True, fast=True)
    for name in ("field", "kind", "resolution", "hdr", "language", "tags", "collections"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    builder.add_bytes_field("text", stored=True, indexed=False)
    for source in SOURCE_BOOSTS:
        builder.add_text_field(f"t_{source}", stored=False, tokenizer_name="raw", index_option="position")
    return builder.build()


class TantivyEngine:
    WRITER_HEAP = 64 << 20

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(folder), reuse=True)
        self._lock = threading.Lock()

    # --- writing ---------------------------------------------------------------------------------------

    def _writer(self) -> Any:
        """One writer at a time across processes (Tantivy's lock file); wait a little for another one."""
        for attempt in range(100):
            try:
                return self.index.writer(heap_size=self.WRITER_HEAP, num_threads=1)
            except ValueError:
                if attempt == 99:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def _document(self, doc: SegmentDoc, analyser: Analyser) -> tantivy.Document:
        if doc.source not in SOURCE_BOOSTS:  # Tantivy would drop the text of an unknown field silently
            raise ValueError(f"unknown source {doc.source!r}")
        document = tantivy.Document(
            asset_id=doc.asset_id,
            org_id=doc.org_id,
            created=doc.created,
            duration=float(doc.duration),
            start=float(doc.start if doc.start is not None else -1.0),
            end=float(doc.end if doc.end is not None else -1.0),
            field=doc.source,
            kind=doc.kind or "-",
            resolution=doc.resolution or "-",
            hdr=doc.hdr or "-",
            language=doc.language or "-",
            text=doc.text.encode("utf-8"),
        )
        for tag in doc.tags:
            document.add_text("tags", tag)
        for collection in doc.collections:
            document.add_text("collections", collection)
        tokens = [tantivy.Token(t.text, t.position, t.start, t.end) for t in analyser(doc.text)]
        if tokens:
            document.add_pre_tokenized_text(f"t_{doc.source}", tantivy.PreTokenizedString(doc.text, tokens))
        return document

    def replace(
        self, asset_ids: Iterable[int], docs: Iterable[SegmentDoc], analyser: Analyser = analyse
    ) -> None:
        """``analyser`` is for benchmarks that analyse text ahead, in parallel."""
        with self._lock:
            writer = self._writer()
            try:
                for asset_id in asset_ids:
                    writer.delete_documents_by_term("asset_id", asset_id)
                for doc in docs:
                    writer.add_document(self._document(doc, analyser))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
        self.index.reload()

    def clear(self) -> None:
        with self._lock:
            writer = self._writer()
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
        self.index.reload()

    def count(self) -> int:
        self.index.reload()
        return int(self.index.searcher().num_docs)

    # --- reading ---------------------------------------------------------------------------------------

    def _words(self, words: Words, misread: bool) -> tantivy.Query:
        per_source = []
        for source, boost in SOURCE_BOOSTS.items():
            name = f"t_{source}"
            if len(words.terms) == 1 and not words.prefix:
                query = tantivy.Query.term_query(self.schema, name, words.terms[0])
            elif len(words.terms) == 1:
                query = tantivy.Query.phrase_prefix_query(self.schema, name, [words.terms[0]])
            else:
                placed: list[str | tuple[int, str]] = list(zip(words.offsets, words.terms, strict=True))
                if words.prefix:
                    query = tantivy.Query.phrase_prefix_query(self.schema, name, placed)
                else:
                    query = tantivy.Query.phrase_query(self.schema, name, placed)
            per_source.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
        term = words.terms[0]
        if misread and len(words.terms) == 1 and not words.prefix and len(term) >= MISREAD_MIN_LENGTH:
            # OCR misreads a character now and then: on-screen text also matches with one character
            # different, ranked well below an exact match.
            fuzzy = tantivy.Query.fuzzy_term_query(self.schema, "t_ocr", term, distance=1, prefix=False)
            per_source.append((tantivy.Occur.Should, tantivy.Query.boost_query(fuzzy, MISREAD_BOOST)))
        return tantivy.Query.boolean_query(per_source)

    def _compile(self, node: Node, misread: bool = False) -> tantivy.Query:
        if isinstance(node, Words):
            return self._words(node, misread)
        if isinstance(node, NotQuery):  # only inside AllOf/AnyOf; parse() never returns one alone
            return tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, self._compile(node.part)),  # exclusions stay exact
                ]
            )
        occur = tantivy.Occur.Must if isinstance(node, AllOf) else tantivy.Occur.Should
        clauses = []
        for part in node.parts:
            if isinstance(part, NotQuery) and isinstance(node, AllOf):
                clauses.append((tantivy.Occur.MustNot, self._compile(part.part)))
            else:
                clauses.append((occur, self._compile(part, misread)))
        return tantivy.Query.boolean_query(clauses)

    def _filters(self, filters: Filters) -> list[tuple[Any, tantivy.Query]]:
        must: list[tuple[Any, tantivy.Query]] = []

        def term(name: str, value: object) -> None:
            must.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, name, value)))

        if filters.org_ids is not None:
            allowed = list(filters.org_ids) or [-1]
            must.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "org_id", allowed)))
        for name in ("kind", "hdr", "language", "tag", "collection", "source"):
            value = getattr(filters, name)
            if value:
                term({"tag": "tags", "collection": "collections", "source": "field"}.get(name, name), value)
        if filters.resolutions:
            classes = list(filters.resolutions)
            must.append(
                (tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "resolution", classes))
            )
        if filters.min_duration is not None or filters.max_duration is not None:
            low = filters.min_duration if filters.min_duration is not None else 0.0
            high = filters.max_duration if filters.max_duration is not None else 1e12
            between = tantivy.Query.range_query(
                self.schema, "duration", tantivy.FieldType.Float, low, high, include_upper=False
            )
            must.append((tantivy.Occur.Must, between))
        if filters.created_from is not None:
            since = tantivy.Query.range_query(
                self.schema, "created", tantivy.FieldType.Integer, filters.created_from, 2**62
            )
            must.append((tantivy.Occur.Must, since))
        return must

    def search(
        self,
        query: Node,
        filters: Filters,
        *,
        sort: str,
        offset: int,
        limit: int,
        misreads: bool = True,
        facets: bool = True,
    ) -> Result:
        """Exact terms first; when they fill less than the page asked for, again with tolerance for OCR
        misreads (unless ``misreads`` is off). ``facets`` off skips the counts (benchmarks)."""
        self.index.reload()
        searcher = self.index.searcher()
        for misread in (False, True) if misreads else (False,):
            compiled = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, self._compile(query, misread)), *self._filters(filters)]
            )
            if sort == "relevance":
                found = searcher.search(compiled, limit, count=True, offset=offset)
            else:
                order_by = "created" if sort == "date" else "duration"
                found = searcher.search(compiled, limit, count=True, offset=offset, order_by_field=order_by)
            if int(getattr(found, "count", None) or 0) >= offset + limit:
                break
        hits = []
        for score, address in found.hits:
            doc = searcher.doc(address)
            start, end = doc["start"][0], doc["end"][0]
            hit = Hit(
                asset_id=int(doc["asset_id"][0]),
                source=str(doc["field"][0]),
                text=bytes(doc["text"][0]).decode(),
                start=None if start < 0 else float(start),
                end=None if end < 0 else float(end),
                score=float(score) if sort == "relevance" else 0.0,
            )
            hits.append(hit)
        total = int(getattr(found, "count", None) or 0)
        return Result(hits, total, self._facets(searcher, compiled) if facets else {})

    def _facets(self, searcher: Any, compiled: tantivy.Query) -> dict[str, dict[str, int]]:
        spec = {name: {"terms": {"field": name, "size": 30}} for name in FACETS}
        answer = searcher.aggregate(compiled, spec)
        facets: dict[str, dict[str, int]] = {}
        for name in FACETS:
            buckets = answer.get(name, {}).get("buckets", [])
            facets[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets if str(b["key"]) != "-"}
        return facets
