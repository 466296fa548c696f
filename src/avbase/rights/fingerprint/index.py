"""An inverted index of fingerprint keys on disk: key → (reference id, time), one per modality.

The index is a folder of immutable *segments*, each a few arrays saved with NumPy (keys sorted, the
reference id and time in centiseconds of each posting, the sorted reference ids it holds and how many
postings each has) and listed in ``manifest.json``. Adding a reference writes a new segment and replaces the
manifest atomically; a lookup memory-maps each segment and binary-searches the distinct query keys, so only
the pages of the postings it touches are read, never the whole index; which segments hold a reference is
read from their small member lists, so adding or removing one does not scan the postings. A large segment
also has a *directory*: for each range of keys (their top :data:`DIRECTORY_BITS` bits), where its postings
start, so that a lookup searches a few hundred postings instead of the whole segment. Writers take a file
lock; readers need none (segments never change, the manifest is replaced whole; a reader that finds a
segment gone, merged away by a writer meanwhile, reads the new manifest and looks again).

Removing a reference (or replacing its postings) rewrites nothing: the manifest lists it as removed from the
segments that hold it, lookups skip its postings, and merges leave them out; a segment more than half of
whose postings are removed is rewritten alone (so that costs at most twice what was removed).

Merges are *tiered*: a segment's tier is the power of :data:`FAN_IN` its live postings reach; when a
tier holds FAN_IN segments, they are merged into one of a higher tier. Each posting is so rewritten at most
once per tier, at most log(N) / log(FAN_IN) times in all (N the postings of the index), and never together
with segments many times larger than its own; the index keeps at most ``FAN_IN - 1`` segments per tier, so
a lookup opens at most ``(FAN_IN - 1) × (log(N) / log(FAN_IN) + 1)``. No merge makes a segment of more
than :data:`MAX_MERGED` postings (segments that large are left as they are), and a merge reads and sorts
:data:`MERGE_CHUNK` postings at a time, whatever the size of its segments. A write is made durable (files
and folders synced) before the manifest names it; the new data is listed before any merge starts, so a
crash during a merge loses nothing and leaves a segment folder no manifest names, which the next write
deletes.

The manifest carries the layout's :data:`FORMAT`. Format 1 (no ``format`` field, segments listed by name,
no member lists) and format 2 (no removals) are read as they are and upgraded by the next write; a newer
format, a manifest that is not one, or a segment whose arrays are missing or disagree raises
:class:`IndexUnreadable`: the index is then rebuilt from the stored fingerprints
(``avbase.rights.tracing.rebuild_index``), never half-read.

The manifest also names the version of the *keys* its postings hold (``keys``, 1 when absent): a caller
that makes keys of another version (the audio triplets of version 2 against an index of version 1 pairs)
gets :class:`IndexUnreadable` from a non-empty index, to read or to write, so keys of two versions are
never mixed: the rebuild indexes the prints of the current version and fingerprints the others again.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import mmap
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from avbase.rights.fingerprint.match import distinct

FORMAT = 3
MANIFEST = "manifest.json"
MEMBERS = "members.npy"
COUNTS = "counts.npy"  # postings per member
FAN_IN = 4  # segments of one tier merged into one
MAX_MERGED = 1 << 30  # postings (12 GiB): no merge makes a larger segment, nor rewrites more at once
MERGE_CHUNK = 1 << 22  # postings a merge reads and sorts at a time
PURGE_SHARE = 0.5  # a segment with more of its postings removed is rewritten without them
READ_ATTEMPTS = 3
DIRECTORY = "directory.npy"
DIRECTORY_BITS = 20  # a large segment's directory: where each of 2**20 ranges of keys starts
DIRECTORY_FROM = 1 << 20  # postings from which a segment gets one (a small one is searched directly)
LOOKUP_THREADS = 8  # reads of a lookup in flight at once


class IndexUnreadable(Exception):
    """The index on disk is damaged or of a layout this code does not know: rebuild it."""


@dataclass
class Postings:
    """Hits of a lookup: for each, which query key (its position in the query), the reference, the time,
    and which posting of the index it met (``posting``). The hits of one posting are adjacent, in the order
    of the query keys that met it, so a caller can count distinct postings without sorting."""

    query: NDArray[np.int64]
    reference: NDArray[np.int32]
    time: NDArray[np.float32]
    posting: NDArray[np.int64]


@dataclass
class Met:
    """The postings met by the distinct keys of a query: per posting, which distinct key met it (the
    postings of one key adjacent), the reference, the time in centiseconds and the posting's number in
    the index; and per query position, its distinct key (``inverse``). :meth:`pair` makes them hits of
    query positions, for all of them or only some (positions, references), without first making every
    pair: a still scene pairs each posting with many positions, and a coarse count needs only a few."""

    key: NDArray[np.int64]
    reference: NDArray[np.int32]
    centis: NDArray[np.int32]
    posting: NDArray[np.int64]
    inverse: NDArray[np.int64]

    @classmethod
    def nothing(cls) -> Met:
        none = np.zeros(0, np.int64)
        return cls(none, np.zeros(0, np.int32), np.zeros(0, np.int32), none, none)

    def pair(
        self, *, positions: NDArray[np.bool_] | None = None, references: NDArray[np.int32] | None = None
    ) -> Postings:
        """The hits of the query positions picked by the mask ``positions`` (all when None) on the postings
        of ``references`` (sorted; all when None). The hits of one posting are adjacent, in query order."""
        chosen = (
            np.flatnonzero(positions)
            if positions is not None
            else np.arange(self.inverse.size, dtype=np.int64)
        )
        if chosen.size == 0 or self.key.size == 0:
            return _empty_postings()
        of_key = self.inverse[chosen]
        by_key = chosen[np.argsort(of_key, kind="stable")]  # the picked positions grouped by key, in order
        repeats = np.bincount(of_key, minlength=int(self.inverse.max()) + 1)
        first_of_key = np.cumsum(repeats) - repeats
        met = np.arange(self.key.size, dtype=np.int64)
        if references is not None:
            spot = np.minimum(np.searchsorted(references, self.reference), max(references.size - 1, 0))
            met = met[references[spot] == self.reference] if references.size else met[:0]
        met = met[repeats[self.key[met]] > 0]
        times_met = repeats[self.key[met]]
        queries = by_key[_ranges(first_of_key[self.key[met]], times_met)]
        return Postings(
            query=queries,
            reference=np.repeat(self.reference[met], times_met),
            time=np.repeat(self.centis[met].astype(np.float32) / np.float32(100.0), times_met),
            posting=np.repeat(self.posting[met], times_met),
        )


def _empty_postings() -> Postings:
    return Postings(
        np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    )


def _search(
    keys: NDArray[np.uint32], targets: NDArray[np.int64], lo: NDArray[np.int64], hi: NDArray[np.int64]
) -> NDArray[np.int64]:
    """For each target, the first position in ``keys[lo:hi]`` (sorted) holding a key not below it: a binary
    search of all targets at once, each within its own small range."""
    lo, hi = lo.copy(), hi.copy()
    while True:
        open_ = np.flatnonzero(lo < hi)
        if open_.size == 0:
            return lo
        middle = (lo[open_] + hi[open_]) >> 1
        below = np.asarray(keys[middle], np.int64) < targets[open_]
        lo[open_[below]] = middle[below] + 1
        hi[open_[~below]] = middle[~below]


def _ranges(starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """``starts[i], starts[i] + 1, …`` for ``lengths[i]`` values each, concatenated."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(lengths)
    return np.asarray(
        np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths), np.int64
    )


T = TypeVar("T")


@dataclass(frozen=True)
class Listed:
    """A segment as the manifest lists it: its name, its postings (None: not noted, format 1) and the
    references removed from it."""

    name: str
    postings: int | None = None
    removed: tuple[int, ...] = field(default=())

    def to_json(self, postings: int) -> dict[str, Any]:
        return {"name": self.name, "postings": postings, "removed": list(self.removed)}


def tier(postings: int) -> int:
    """The merge tier of a segment of this many live postings: the power of FAN_IN it reaches. FAN_IN
    segments of one tier hold at least FAN_IN times its least, so their merge is of a higher tier: a
    posting is rewritten at most once per tier. (No floor that puts all small segments in one tier: a
    merge of them could stay in it, and its postings be rewritten again and again.)"""
    level = 0
    while postings >= FAN_IN ** (level + 1):
        level += 1
    return level


def _tally(refs: NDArray[np.int32]) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """The distinct references of a segment's postings and how many postings each has."""
    ordered = np.sort(np.asarray(refs, np.int32))
    if ordered.size == 0:
        return ordered, np.zeros(0, np.int64)
    starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    return ordered[starts], np.diff(np.r_[starts, ordered.size]).astype(np.int64)


def _save(path: Path, array: NDArray[Any]) -> None:
    """``np.save``, synced to disk before it returns."""
    with path.open("wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class FingerprintIndex:
    def __init__(self, folder: Path, *, keys: int | None = None) -> None:
        self.folder = folder
        self.keys = keys  # the version of the keys the caller makes (None: whatever the index holds)
        self.postings_written = 0  # by this object's writes, merges included (the merge policy's cost)

    # --- reading --------------------------------------------------------------------------------------

    def _manifest(self) -> dict[str, Any]:
        path = self.folder / MANIFEST
        if not path.exists():
            return {"format": FORMAT, "keys": self.keys or 1, "segments": []}
        try:
            manifest = json.loads(path.read_text())
            listed = manifest["segments"]
            version = int(manifest.get("format", 1))
            keys = int(manifest.get("keys", 1))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IndexUnreadable(f"{path}: not a manifest ({exc})") from exc
        if version > FORMAT or not isinstance(listed, list):
            raise IndexUnreadable(f"{path}: format {version}, this code reads up to {FORMAT}")
        if self.keys is not None and keys != self.keys and listed:
            raise IndexUnreadable(f"{path}: keys of version {keys}, this code makes version {self.keys}")
        # Format 1 listed bare names; format 2 {"name", "postings"}; format 3 adds "removed".
        segments: list[Listed] = []
        for item in listed:
            try:
                entry = (
                    Listed(item)
                    if isinstance(item, str)
                    else Listed(
                        item["name"],
                        int(item["postings"]) if item.get("postings") is not None else None,
                        tuple(sorted(int(r) for r in item.get("removed", []))),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise IndexUnreadable(f"{path}: a segment listed wrongly ({exc})") from exc
            if not isinstance(entry.name, str) or not entry.name.startswith("seg-"):
                raise IndexUnreadable(f"{path}: a segment without a name")
            segments.append(entry)
        return {"format": version, "keys": self.keys if self.keys is not None else keys, "segments": segments}

    def _listing(self) -> list[Listed]:
        return list(self._manifest()["segments"])

    def _reading(self, read: Callable[[list[Listed]], T]) -> T:
        """``read`` over the segments the manifest lists. A segment that cannot be read because a writer
        merged it away and deleted it meanwhile is no damage: the manifest changed, so read that again."""
        for attempt in range(READ_ATTEMPTS):
            listed = self._listing()
            try:
                return read(listed)
            except IndexUnreadable:
                if attempt == READ_ATTEMPTS - 1 or self._listing() == listed:
                    raise
        raise AssertionError("unreachable")

    def format(self) -> int:
        """The layout of the index on disk (1 for indexes written before member lists existed)."""
        return int(self._manifest()["format"])

    def keys_version(self) -> int:
        """The version of the keys the index holds (1 for indexes written before it was noted)."""
        return int(self._manifest()["keys"])

    def segments(self) -> list[str]:
        return [entry.name for entry in self._listing()]

    def _arrays(
        self, name: str, *, scattered: bool = False
    ) -> tuple[NDArray[np.uint32], NDArray[np.int32], NDArray[np.int32]]:
        """A segment's keys, references and times, memory-mapped. ``scattered``: for a lookup, which reads
        a few postings here and there (the kernel is told not to read ahead around each: on a cold index
        that read-ahead costs more than the reads themselves)."""
        base = self.folder / name
        try:
            keys = np.load(base / "keys.npy", mmap_mode="r")
            refs = np.load(base / "refs.npy", mmap_mode="r")
            times = np.load(base / "times.npy", mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexUnreadable(f"{base}: {exc}") from exc
        if scattered:
            for array in (keys, refs, times):
                mapped = getattr(array, "_mmap", None)  # NumPy's memmap keeps its mmap there (None if empty)
                if mapped is not None:
                    mapped.madvise(mmap.MADV_RANDOM)
        if not keys.ndim == refs.ndim == times.ndim == 1 or not keys.shape == refs.shape == times.shape:
            raise IndexUnreadable(f"{base}: its arrays disagree in length")
        return keys, refs, times

    def _directory(self, name: str) -> tuple[NDArray[np.int64], int] | None:
        """A segment's directory and the shift that makes a key its range, if it has one."""
        path = self.folder / name / DIRECTORY
        if not path.exists():
            return None
        try:
            directory = np.load(path, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexUnreadable(f"{path}: {exc}") from exc
        shift = int(directory[-1])  # stored after the 2**DIRECTORY_BITS + 1 starts
        if directory.shape != ((1 << DIRECTORY_BITS) + 2,) or not 0 <= shift < 32:
            raise IndexUnreadable(f"{path}: not a directory")
        return directory, shift

    def _find(
        self, name: str, keys: NDArray[np.uint32], wanted: NDArray[np.uint32]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Where each of the sorted distinct keys starts and ends in a segment's postings."""
        found = self._directory(name)
        if found is None:
            return (
                np.searchsorted(keys, wanted, side="left").astype(np.int64),
                np.searchsorted(keys, wanted, side="right").astype(np.int64),
            )
        directory, shift = found
        ranges = (wanted >> np.uint32(shift)).astype(np.int64)
        lo, hi = np.asarray(directory[ranges], np.int64), np.asarray(directory[ranges + 1], np.int64)
        start = _search(keys, wanted.astype(np.int64), lo, hi)
        return start, _search(keys, wanted.astype(np.int64) + 1, start, hi)

    def _members(self, name: str) -> NDArray[np.int32]:
        """The sorted reference ids of a segment (computed from its postings for a format 1 segment)."""
        path = self.folder / name / MEMBERS
        if path.exists():
            try:
                return np.asarray(np.load(path), np.int32)
            except (OSError, ValueError) as exc:
                raise IndexUnreadable(f"{path}: {exc}") from exc
        return _tally(self._arrays(name)[1])[0]

    def _counts(self, name: str) -> NDArray[np.int64]:
        """The postings of each member of a segment, in the order of :meth:`_members` (counted from its
        postings, once, for a segment written before they were noted)."""
        path = self.folder / name / COUNTS
        if path.exists():
            try:
                counts = np.asarray(np.load(path), np.int64)
            except (OSError, ValueError) as exc:
                raise IndexUnreadable(f"{path}: {exc}") from exc
            if counts.shape == self._members(name).shape:
                return counts
            raise IndexUnreadable(f"{path}: not one count per member")
        members, counts = _tally(self._arrays(name)[1])
        if not np.array_equal(members, self._members(name)):
            raise IndexUnreadable(f"{self.folder / name}: its member list disagrees with its postings")
        return counts

    def _postings(self, entry: Listed) -> int:
        return entry.postings if entry.postings is not None else int(self._arrays(entry.name)[0].shape[0])

    def _live(self, entry: Listed) -> int:
        """The postings of a segment that lookups meet (those of removed references left out)."""
        if not entry.removed:
            return self._postings(entry)
        members = self._members(entry.name)
        gone = np.isin(members, np.asarray(entry.removed, np.int32))
        return self._postings(entry) - int(self._counts(entry.name)[gone].sum())

    def check(self) -> None:
        """Raises :class:`IndexUnreadable` unless every segment listed can be read."""

        def read(listed: list[Listed]) -> None:
            for entry in listed:
                self._arrays(entry.name)
                self._members(entry.name)

        self._reading(read)

    def lookup(self, keys: NDArray[np.uint32], *, limit_per_key: int = 2000) -> Postings:
        """Every posting of every key (keys that are this common carry no information and are skipped)."""
        return self.meet(keys, limit_per_key=limit_per_key).pair()

    def meet(self, keys: NDArray[np.uint32], *, limit_per_key: int = 2000) -> Met:
        """The postings of the distinct keys of a query, not yet paired with the query positions that carry
        them (see :class:`Met`). Each distinct key is searched once, however many query positions carry it
        (a still scene repeats its keys for seconds)."""
        if keys.size == 0:
            return Met.nothing()
        key_values, inverse = np.unique(keys, return_inverse=True)
        return self._reading(lambda listed: self._meet(listed, key_values, inverse, limit_per_key))

    def _meet(
        self,
        listed: list[Listed],
        key_values: NDArray[np.uint32],
        inverse: NDArray[np.int64],
        limit_per_key: int,
    ) -> Met:
        # Segments (and ranges of the keys in a large one) are read by several threads at once: in an
        # index larger than memory each lookup waits on the disk, which serves many reads at a time.
        tasks: list[tuple[Listed, int, int, int]] = []  # segment, its first posting's number, keys from/to
        base = 0
        for entry in listed:
            size = self._postings(entry)
            parts = max(1, min(LOOKUP_THREADS // max(len(listed), 1), key_values.size // 512))
            bounds = np.linspace(0, key_values.size, parts + 1).astype(int)
            tasks.extend((entry, base, int(a), int(b)) for a, b in itertools.pairwise(bounds.tolist()))
            base += size

        def read(task: tuple[Listed, int, int, int]) -> tuple[NDArray[Any], ...] | None:
            entry, first, low, high = task
            return self._meet_segment(entry, first, key_values[low:high], low, limit_per_key)

        if len(tasks) > 1 and key_values.size >= 512:
            with ThreadPoolExecutor(min(LOOKUP_THREADS, len(tasks))) as pool:
                results = list(pool.map(read, tasks))
        else:
            results = [read(task) for task in tasks]
        found = [r for r in results if r is not None]
        if not found:
            return Met.nothing()
        return Met(
            key=np.concatenate([r[0] for r in found]),
            reference=np.concatenate([r[1] for r in found]).astype(np.int32, copy=False),
            centis=np.concatenate([r[2] for r in found]),
            posting=np.concatenate([r[3] for r in found]),
            inverse=inverse.reshape(-1).astype(np.int64, copy=False),
        )

    def _meet_segment(
        self, entry: Listed, first: int, wanted: NDArray[np.uint32], key_offset: int, limit_per_key: int
    ) -> tuple[NDArray[Any], ...] | None:
        """The postings of one segment met by ``wanted`` (sorted distinct keys, numbered from
        ``key_offset``): which key met each, its reference, time and number (``first`` + its place)."""
        seg_keys, seg_refs, seg_times = self._arrays(entry.name, scattered=True)
        if seg_keys.shape[0] != self._postings(entry):
            raise IndexUnreadable(f"{self.folder / entry.name}: not the postings the manifest lists")
        lo, hi = self._find(entry.name, seg_keys, wanted)
        found = hi - lo
        found[found > limit_per_key] = 0
        if not found.any():
            return None
        positions = _ranges(lo, found)  # grouped by key
        of_key = np.repeat(np.arange(key_offset, key_offset + wanted.size), found)
        met_refs = np.asarray(seg_refs[positions])
        if entry.removed:
            kept = ~np.isin(met_refs, np.asarray(entry.removed, np.int32))
            positions, of_key, met_refs = positions[kept], of_key[kept], met_refs[kept]
        return of_key, met_refs, np.asarray(seg_times[positions]), positions + first

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.rglob("*.npy"))

    def postings_count(self) -> int:
        """The postings lookups can meet (not those of removed references)."""
        return self._reading(lambda listed: sum(self._live(entry) for entry in listed))

    def references(self) -> set[int]:
        def read(listed: list[Listed]) -> set[int]:
            found: set[int] = set()
            for entry in listed:
                found.update(set(self._members(entry.name).tolist()) - set(entry.removed))
            return found

        return self._reading(read)

    # --- writing --------------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _new_folder(self) -> Path:
        folder = self.folder / f"seg-{secrets.token_hex(6)}"
        folder.mkdir(parents=True)
        return folder

    def _write_segment(
        self, keys: NDArray[np.uint32], refs: NDArray[np.int32], times: NDArray[np.int32]
    ) -> Listed:
        """A new segment of postings held in memory (one write's)."""
        order = np.argsort(keys, kind="stable")
        folder = self._new_folder()
        sorted_keys = np.asarray(keys, np.uint32)[order]
        _save(folder / "keys.npy", sorted_keys)
        _save(folder / "refs.npy", np.asarray(refs, np.int32)[order])
        _save(folder / "times.npy", np.asarray(times, np.int32)[order])
        members, counts = _tally(np.asarray(refs, np.int32))
        self._finish_segment(folder, sorted_keys, members, counts)
        return Listed(folder.name, int(keys.size))

    def _finish_segment(
        self,
        folder: Path,
        sorted_keys: NDArray[np.uint32],
        members: NDArray[np.int32],
        counts: NDArray[np.int64],
    ) -> None:
        """Member list, counts and (for a large segment) directory, then the folder synced to disk."""
        _save(folder / MEMBERS, members)
        _save(folder / COUNTS, counts)
        if sorted_keys.size >= DIRECTORY_FROM:
            shift = max(0, int(sorted_keys[-1]).bit_length() - DIRECTORY_BITS)
            bounds = np.arange((1 << DIRECTORY_BITS) + 1, dtype=np.uint64) << np.uint64(shift)
            starts = np.searchsorted(sorted_keys, bounds, side="left").astype(np.int64)
            _save(folder / DIRECTORY, np.r_[starts, shift].astype(np.int64))
        _sync_folder(folder)
        self.postings_written += int(sorted_keys.size)

    def _save_manifest(self, segments: list[Listed]) -> None:
        """Writes the manifest in the current format (a segment of an older one gets its member list and
        counts first), durably: the files it names are on disk before it is, and it replaces the old one
        whole."""
        listed = []
        for entry in segments:
            folder = self.folder / entry.name
            if not (folder / MEMBERS).exists():
                _save(folder / MEMBERS, self._members(entry.name))
            if not (folder / COUNTS).exists():
                _save(folder / COUNTS, self._counts(entry.name))
            listed.append(entry.to_json(self._postings(entry)))
        temporary = self.folder / f".{MANIFEST}.{os.getpid()}"
        keys = self.keys if self.keys is not None else int(self._manifest()["keys"])
        with temporary.open("w") as handle:
            handle.write(json.dumps({"format": FORMAT, "keys": keys, "segments": listed}))
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.folder / MANIFEST)
        _sync_folder(self.folder)

    def _commit(self, segments: list[Listed]) -> None:
        self._save_manifest(segments)
        self._collect(segments)

    def add(self, reference: int, keys: NDArray[np.uint32], times: NDArray[np.float32]) -> None:
        """Adds one reference's postings (replacing any it had)."""
        with self._locked():
            segments = self._without(self._listing(), [reference])
            if keys.size:
                refs = np.full(keys.shape, reference, np.int32)
                centis = np.round(np.asarray(times, np.float64) * 100).astype(np.int32)
                segments.append(self._write_segment(keys.astype(np.uint32), refs, centis))
            self._commit(segments)
            self._settle(segments)

    def add_many(self, batch: list[tuple[int, NDArray[np.uint32], NDArray[np.float32]]]) -> None:
        """Adds many references at once as one segment (bulk loads, rebuilds, the benchmark), replacing
        any postings they had."""
        if not batch:
            return
        with self._locked():
            keys = np.concatenate([k for _r, k, _t in batch]).astype(np.uint32)
            refs = np.concatenate([np.full(k.shape, r, np.int32) for r, k, _t in batch])
            times = np.concatenate(
                [np.round(np.asarray(t, np.float64) * 100).astype(np.int32) for _r, _k, t in batch]
            )
            segments = self._without(self._listing(), [r for r, _k, _t in batch])
            if keys.size:
                segments.append(self._write_segment(keys, refs, times))
            self._commit(segments)
            self._settle(segments)

    def remove(self, reference: int) -> None:
        with self._locked():
            segments = self._without(self._listing(), [reference])
            self._commit(segments)
            self._settle(segments)

    def _without(self, segments: list[Listed], references: list[int]) -> list[Listed]:
        """The segments with ``references`` listed as removed from those that hold them (nothing is
        rewritten here)."""
        wanted = np.unique(np.asarray(references, np.int32))
        kept: list[Listed] = []
        for entry in segments:
            members = self._members(entry.name)
            held = members[np.isin(members, wanted)]
            fresh = sorted(set(int(r) for r in held) - set(entry.removed))
            kept.append(replace(entry, removed=tuple(sorted((*entry.removed, *fresh)))) if fresh else entry)
        return kept

    # --- the merge policy -----------------------------------------------------------------------------

    def _settle(self, segments: list[Listed]) -> None:
        """Rewrites the segments mostly removed, then merges full tiers, lowest first, until none is full;
        each step is listed in the manifest as it is done."""
        while True:
            purge = next(
                (e for e in segments if e.removed and self._live(e) < (1 - PURGE_SHARE) * self._postings(e)),
                None,
            )
            group = [purge] if purge is not None else self._full_tier(segments)
            if not group:
                return
            merged = self._merge(group) if sum(self._live(e) for e in group) else None
            segments = [e for e in segments if e not in group] + ([merged] if merged else [])
            self._commit(segments)

    def _full_tier(self, segments: list[Listed]) -> list[Listed]:
        """The FAN_IN smallest segments of the lowest tier that holds FAN_IN of them and whose merge stays
        within MAX_MERGED; none when no tier is full."""
        tiers: dict[int, list[tuple[int, Listed]]] = {}
        for entry in segments:
            live = self._live(entry)
            tiers.setdefault(tier(live), []).append((live, entry))
        for level in sorted(tiers):
            members = sorted(tiers[level], key=lambda pair: pair[0])
            if len(members) >= FAN_IN and sum(live for live, _e in members[:FAN_IN]) <= MAX_MERGED:
                return [entry for _live, entry in members[:FAN_IN]]
        return []

    def _merge(self, group: list[Listed]) -> Listed:
        """One segment of the live postings of ``group``, written a range of keys at a time (about
        MERGE_CHUNK postings each, whatever the size of the segments) into memory-mapped arrays."""
        parts = [(self._arrays(e.name), np.asarray(e.removed, np.int32)) for e in group]
        total = sum(self._live(e) for e in group)
        members, counts = self._merged_members(group)
        folder = self._new_folder()
        out = [
            np.lib.format.open_memmap(folder / f"{name}.npy", mode="w+", dtype=dtype, shape=(total,))
            for name, dtype in (("keys", np.uint32), ("refs", np.int32), ("times", np.int32))
        ]
        # Range bounds at even steps through the largest segment's keys: its keys spread like the others'.
        largest = max(parts, key=lambda part: part[0][0].shape[0])[0][0]
        chunks = max(1, -(-total // MERGE_CHUNK))
        steps = (np.arange(1, chunks, dtype=np.int64) * largest.shape[0]) // chunks
        bounds = [int(k) for k in distinct(np.asarray(largest[steps], np.int64))] + [1 << 32]
        written, low = 0, 0
        for high in bounds:
            pieces: list[tuple[NDArray[np.uint32], NDArray[np.int32], NDArray[np.int32]]] = []
            for (keys, refs, times), removed in parts:
                start = int(np.searchsorted(keys, low, side="left"))
                end = keys.shape[0] if high > 0xFFFFFFFF else int(np.searchsorted(keys, high, side="left"))
                piece = (
                    np.asarray(keys[start:end]),
                    np.asarray(refs[start:end]),
                    np.asarray(times[start:end]),
                )
                if removed.size:
                    kept = ~np.isin(piece[1], removed)
                    piece = (piece[0][kept], piece[1][kept], piece[2][kept])
                pieces.append(piece)
            chunk_keys = np.concatenate([p[0] for p in pieces])
            order = np.argsort(chunk_keys, kind="stable")
            size = int(chunk_keys.size)
            out[0][written : written + size] = chunk_keys[order]
            out[1][written : written + size] = np.concatenate([p[1] for p in pieces])[order]
            out[2][written : written + size] = np.concatenate([p[2] for p in pieces])[order]
            written += size
            low = high
        if written != total:
            raise IndexUnreadable(f"{self.folder}: a merge found {written} postings, the lists say {total}")
        for array in out:
            array.flush()
        for name in ("keys", "refs", "times"):
            with (folder / f"{name}.npy").open("rb+") as handle:
                os.fsync(handle.fileno())
        self._finish_segment(folder, out[0], members, counts)
        return Listed(folder.name, total)

    def _merged_members(self, group: list[Listed]) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
        """The members of the merged segment and their postings, from the group's lists (no scan)."""
        members: list[NDArray[np.int32]] = []
        counts: list[NDArray[np.int64]] = []
        for entry in group:
            mine, theirs = self._members(entry.name), self._counts(entry.name)
            live = ~np.isin(mine, np.asarray(entry.removed, np.int32))
            members.append(mine[live])
            counts.append(theirs[live])
        every = np.concatenate(members) if members else np.zeros(0, np.int32)
        if every.size == 0:
            return every.astype(np.int32), np.zeros(0, np.int64)
        order = np.argsort(every, kind="stable")
        ordered, tallies = every[order], np.concatenate(counts)[order]
        starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
        return ordered[starts].astype(np.int32), np.add.reduceat(tallies, starts).astype(np.int64)

    def _collect(self, live: list[Listed]) -> None:
        """Deletes segment folders no manifest names any more (what a crash during a write left too)."""
        names = {entry.name for entry in live}
        for folder in self.folder.glob("seg-*"):
            if folder.name not in names:
                shutil.rmtree(folder, ignore_errors=True)
