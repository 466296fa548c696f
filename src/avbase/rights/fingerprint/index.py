"""An inverted index of fingerprint keys on disk: key → (reference id, time), one per modality.

The index is a folder of immutable *segments*, each three arrays saved with NumPy (keys sorted, and the
reference id and time in centiseconds of each posting) and listed in ``manifest.json``. Adding a reference
writes a new segment and replaces the manifest atomically; a lookup memory-maps each segment and binary-
searches the query keys, so only the pages of the postings it touches are read, never the whole index.
When there are more than :data:`MAX_SEGMENTS`, the smallest are merged into one. Writers take a file lock;
readers need none (segments never change, the manifest is replaced whole).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

MAX_SEGMENTS = 16
MANIFEST = "manifest.json"


@dataclass
class Postings:
    """Hits of a lookup: for each, which query key (its position in the query), the reference, the time."""

    query: NDArray[np.int64]
    reference: NDArray[np.int32]
    time: NDArray[np.float32]


class FingerprintIndex:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    # --- reading --------------------------------------------------------------------------------------

    def _manifest(self) -> dict[str, list[str]]:
        path = self.folder / MANIFEST
        if not path.exists():
            return {"segments": []}
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def segments(self) -> list[str]:
        return self._manifest()["segments"]

    def _arrays(self, name: str) -> tuple[NDArray[np.uint32], NDArray[np.int32], NDArray[np.int32]]:
        base = self.folder / name
        return (
            np.load(base / "keys.npy", mmap_mode="r"),
            np.load(base / "refs.npy", mmap_mode="r"),
            np.load(base / "times.npy", mmap_mode="r"),
        )

    def lookup(self, keys: NDArray[np.uint32], *, limit_per_key: int = 2000) -> Postings:
        """Every posting of every key (keys that are this common carry no information and are skipped)."""
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        queries: list[NDArray[np.int64]] = []
        refs: list[NDArray[np.int32]] = []
        times: list[NDArray[np.float32]] = []
        for name in self.segments():
            seg_keys, seg_refs, seg_times = self._arrays(name)
            lo = np.searchsorted(seg_keys, sorted_keys, side="left")
            hi = np.searchsorted(seg_keys, sorted_keys, side="right")
            counts = hi - lo
            counts[counts > limit_per_key] = 0
            total = int(counts.sum())
            if total == 0:
                continue
            starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
            positions = starts + np.arange(total)
            queries.append(np.repeat(order, counts).astype(np.int64))
            refs.append(np.asarray(seg_refs[positions]))
            times.append(np.asarray(seg_times[positions], np.float32) / 100.0)
        if not queries:
            return Postings(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))
        return Postings(np.concatenate(queries), np.concatenate(refs), np.concatenate(times))

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.rglob("*.npy"))

    def postings_count(self) -> int:
        return sum(int(self._arrays(name)[0].shape[0]) for name in self.segments())

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
        np.save(folder / "keys.npy", keys[order])
        np.save(folder / "refs.npy", refs[order])
        np.save(folder / "times.npy", times[order])
        return name

    def _save_manifest(self, segments: list[str]) -> None:
        temporary = self.folder / f".{MANIFEST}.{os.getpid()}"
        temporary.write_text(json.dumps({"segments": segments}))
        temporary.replace(self.folder / MANIFEST)

    def add(self, reference: int, keys: NDArray[np.uint32], times: NDArray[np.float32]) -> None:
        """Adds one reference's postings (replacing any it had)."""
        with self._locked():
            segments = self.segments()
            if reference in self._references(segments):
                segments = self._without(segments, reference)
            if keys.size:
                refs = np.full(keys.shape, reference, np.int32)
                centis = np.round(np.asarray(times, np.float64) * 100).astype(np.int32)
                segments.append(self._write_segment(keys.astype(np.uint32), refs, centis))
            if len(segments) > MAX_SEGMENTS:
                segments = self._merge(segments)
            self._save_manifest(segments)
            self._collect(segments)

    def add_many(self, batch: list[tuple[int, NDArray[np.uint32], NDArray[np.float32]]]) -> None:
        """Adds many references as one segment (bulk loads, the benchmark)."""
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
        return self._references(self.segments())

    def _references(self, segments: list[str]) -> set[int]:
        found: set[int] = set()
        for name in segments:
            found.update(int(r) for r in np.unique(self._arrays(name)[1]))
        return found

    def _without(self, segments: list[str], reference: int) -> list[str]:
        kept: list[str] = []
        for name in segments:
            keys, refs, times = self._arrays(name)
            mask = np.asarray(refs) != reference
            if mask.all():
                kept.append(name)
            elif mask.any():
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
        import shutil

        for folder in self.folder.glob("seg-*"):
            if folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
