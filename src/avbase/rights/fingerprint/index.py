"""An inverted index of fingerprint keys on disk: key → (reference id, time), one per modality.

The index is a folder of immutable *segments*, each a few arrays saved with NumPy (keys sorted, the
reference id and time in centiseconds of each posting, and the sorted reference ids it holds) and listed in
``manifest.json``. Adding a reference writes a new segment and replaces the manifest atomically; a lookup
memory-maps each segment and binary-searches the distinct query keys, so only the pages of the postings it
touches are read, never the whole index; which segments hold a reference is read from their small member
lists, so adding or removing one does not scan the postings. A large segment also has a *directory*:
for each range of keys (their top :data:`DIRECTORY_BITS` bits), where its postings start, so that a
lookup searches a few hundred postings instead of the whole segment. When there are more than
:data:`MAX_SEGMENTS`, the smallest are merged into one. Writers take a file lock; readers need none
(segments never change, the manifest is replaced whole).

The manifest carries the layout's :data:`FORMAT`. Format 1 (no ``format`` field, segments listed by name,
no member lists) is read as it is and upgraded by the next write; a newer format, a manifest that is not
one, or a segment whose arrays are missing or disagree raises :class:`IndexUnreadable`: the index is then
rebuilt from the stored fingerprints (``avbase.rights.tracing.rebuild_index``), never half-read.

The manifest also names the version of the *keys* its postings hold (``keys``, 1 when absent): a caller
that makes keys of another version (the audio triplets of version 2 against an index of version 1 pairs)
gets :class:`IndexUnreadable` from a non-empty index, to read or to write, so keys of two versions are
never mixed: the rebuild indexes the prints of the current version and fingerprints the others again.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from avbase.rights.fingerprint.match import distinct

FORMAT = 2
MAX_SEGMENTS = 16
MANIFEST = "manifest.json"
MEMBERS = "members.npy"
DIRECTORY = "directory.npy"
DIRECTORY_BITS = 20  # a large segment's directory: where each of 2**20 ranges of keys starts
DIRECTORY_FROM = 1 << 20  # postings from which a segment gets one (a small one is searched directly)


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


class FingerprintIndex:
    def __init__(self, folder: Path, *, keys: int | None = None) -> None:
        self.folder = folder
        self.keys = keys  # the version of the keys the caller makes (None: whatever the index holds)

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
        # Format 1 listed bare names; format 2 lists {"name", "postings"}.
        names = [item if isinstance(item, str) else item.get("name") for item in listed]
        if not all(isinstance(name, str) and name.startswith("seg-") for name in names):
            raise IndexUnreadable(f"{path}: a segment without a name")
        return {"format": version, "keys": self.keys if self.keys is not None else keys, "segments": names}

    def format(self) -> int:
        """The layout of the index on disk (1 for indexes written before member lists existed)."""
        return int(self._manifest()["format"])

    def keys_version(self) -> int:
        """The version of the keys the index holds (1 for indexes written before it was noted)."""
        return int(self._manifest()["keys"])

    def segments(self) -> list[str]:
        return list(self._manifest()["segments"])

    def _arrays(self, name: str) -> tuple[NDArray[np.uint32], NDArray[np.int32], NDArray[np.int32]]:
        base = self.folder / name
        try:
            keys = np.load(base / "keys.npy", mmap_mode="r")
            refs = np.load(base / "refs.npy", mmap_mode="r")
            times = np.load(base / "times.npy", mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexUnreadable(f"{base}: {exc}") from exc
        if not keys.ndim == refs.ndim == times.ndim == 1 or not keys.shape == refs.shape == times.shape:
            raise IndexUnreadable(f"{base}: its arrays disagree in length")
        return keys, refs, times

    def _segment_arrays(self) -> Iterator[tuple[NDArray[np.uint32], NDArray[np.int32], NDArray[np.int32]]]:
        for name in self.segments():
            yield self._arrays(name)

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
        return distinct(np.asarray(self._arrays(name)[1])).astype(np.int32)

    def check(self) -> None:
        """Raises :class:`IndexUnreadable` unless every segment listed can be read."""
        for name in self.segments():
            self._arrays(name)
            self._members(name)

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
        key_of: list[NDArray[np.int64]] = []
        refs: list[NDArray[np.int32]] = []
        times: list[NDArray[np.int32]] = []
        postings: list[NDArray[np.int64]] = []
        base = 0
        for name in self.segments():
            seg_keys, seg_refs, seg_times = self._arrays(name)
            lo, hi = self._find(name, seg_keys, key_values)
            found = hi - lo
            found[found > limit_per_key] = 0
            if found.any():
                positions = _ranges(lo, found)  # grouped by key
                key_of.append(np.repeat(np.arange(key_values.size), found))
                refs.append(np.asarray(seg_refs)[positions])
                times.append(np.asarray(seg_times)[positions])
                postings.append(positions + base)
            base += int(seg_keys.shape[0])
        if not key_of:
            return Met.nothing()
        return Met(
            key=np.concatenate(key_of),
            reference=np.concatenate(refs).astype(np.int32, copy=False),
            centis=np.concatenate(times),
            posting=np.concatenate(postings),
            inverse=inverse.reshape(-1).astype(np.int64, copy=False),
        )

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.rglob("*.npy"))

    def postings_count(self) -> int:
        return sum(int(keys.shape[0]) for keys, _refs, _times in self._segment_arrays())

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

    def _write_segment(
        self, keys: NDArray[np.uint32], refs: NDArray[np.int32], times: NDArray[np.int32]
    ) -> str:
        order = np.argsort(keys, kind="stable")
        name = f"seg-{secrets.token_hex(6)}"
        folder = self.folder / name
        folder.mkdir(parents=True)
        np.save(folder / "keys.npy", np.asarray(keys, np.uint32)[order])
        np.save(folder / "refs.npy", np.asarray(refs, np.int32)[order])
        np.save(folder / "times.npy", np.asarray(times, np.int32)[order])
        np.save(folder / MEMBERS, distinct(np.asarray(refs, np.int32)))
        if keys.size >= DIRECTORY_FROM:
            sorted_keys = np.asarray(keys, np.uint32)[order]
            shift = max(0, int(sorted_keys[-1]).bit_length() - DIRECTORY_BITS)
            bounds = np.arange((1 << DIRECTORY_BITS) + 1, dtype=np.uint64) << np.uint64(shift)
            starts = np.searchsorted(sorted_keys, bounds, side="left").astype(np.int64)
            np.save(folder / DIRECTORY, np.r_[starts, shift].astype(np.int64))
        return name

    def _save_manifest(self, segments: list[str]) -> None:
        """Writes the manifest in the current format (a format 1 segment gets its member list first)."""
        listed = []
        for name in segments:
            members = self.folder / name / MEMBERS
            if not members.exists():
                np.save(members, self._members(name))
            listed.append({"name": name, "postings": int(self._arrays(name)[0].shape[0])})
        temporary = self.folder / f".{MANIFEST}.{os.getpid()}"
        keys = self.keys if self.keys is not None else int(self._manifest()["keys"])
        temporary.write_text(json.dumps({"format": FORMAT, "keys": keys, "segments": listed}))
        temporary.replace(self.folder / MANIFEST)

    def add(self, reference: int, keys: NDArray[np.uint32], times: NDArray[np.float32]) -> None:
        """Adds one reference's postings (replacing any it had)."""
        with self._locked():
            segments = self._without(self.segments(), reference)
            if keys.size:
                refs = np.full(keys.shape, reference, np.int32)
                centis = np.round(np.asarray(times, np.float64) * 100).astype(np.int32)
                segments.append(self._write_segment(keys.astype(np.uint32), refs, centis))
            if len(segments) > MAX_SEGMENTS:
                segments = self._merge(segments)
            self._save_manifest(segments)
            self._collect(segments)

    def add_many(self, batch: list[tuple[int, NDArray[np.uint32], NDArray[np.float32]]]) -> None:
        """Adds many new references as one segment (bulk loads, rebuilds, the benchmark)."""
        with self._locked():
            keys = np.concatenate([k for _r, k, _t in batch]).astype(np.uint32)
            refs = np.concatenate([np.full(k.shape, r, np.int32) for r, k, _t in batch])
            times = np.concatenate(
                [np.round(np.asarray(t, np.float64) * 100).astype(np.int32) for _r, _k, t in batch]
            )
            segments = [*self.segments(), self._write_segment(keys, refs, times)]
            self._save_manifest(segments)

    def remove(self, reference: int) -> None:
        with self._locked():
            segments = self._without(self.segments(), reference)
            self._save_manifest(segments)
            self._collect(segments)

    def references(self) -> set[int]:
        found: set[int] = set()
        for name in self.segments():
            found.update(int(r) for r in self._members(name))
        return found

    def _holds(self, name: str, reference: int) -> bool:
        members = self._members(name)
        at = int(np.searchsorted(members, reference))
        return at < members.size and int(members[at]) == reference

    def _without(self, segments: list[str], reference: int) -> list[str]:
        """The segments with ``reference``'s postings taken out (only those that hold it are rewritten)."""
        kept: list[str] = []
        for name in segments:
            if not self._holds(name, reference):
                kept.append(name)
                continue
            keys, refs, times = self._arrays(name)
            mask = np.asarray(refs) != reference
            if mask.any():
                kept.append(
                    self._write_segment(
                        np.asarray(keys)[mask], np.asarray(refs)[mask], np.asarray(times)[mask]
                    )
                )
        return kept

    def _merge(self, segments: list[str]) -> list[str]:
        sizes = sorted(segments, key=lambda name: (self.folder / name / "keys.npy").stat().st_size)
        small = sizes[: len(segments) - MAX_SEGMENTS // 2]
        parts = [self._arrays(name) for name in small]
        merged = self._write_segment(
            np.concatenate([np.asarray(p[0]) for p in parts]),
            np.concatenate([np.asarray(p[1]) for p in parts]),
            np.concatenate([np.asarray(p[2]) for p in parts]),
        )
        return [name for name in segments if name not in small] + [merged]

    def _collect(self, live: list[str]) -> None:
        """Deletes segment folders no manifest names any more."""
        for folder in self.folder.glob("seg-*"):
            if folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
