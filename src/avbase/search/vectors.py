"""Search by example: each shot's keyframe as a vector, in an approximate nearest-neighbour index (usearch,
cosine, on disk under ``var/search/shots.usearch``).

The default descriptor needs no model weights: a 16×9 grey layout (mean removed, so brightness does not
matter), a DCT of the 32×32 grey image whose low frequencies are what perceptual hashes use (robust to
scaling, compression and small crops), and a hue-saturation-value histogram for colour. Each part is
normalised and weighted, and the whole has unit length, so cosine similarity compares pictures.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from usearch.index import Index

DIMENSIONS = 144 + 63 + 96
SHOT_BITS = 20  # key = asset id << SHOT_BITS | shot number


def _dct_matrix(size: int) -> NDArray[np.float32]:
    k = np.arange(size)[:, None]
    n = np.arange(size)[None, :]
    matrix = np.cos(np.pi * (2 * n + 1) * k / (2 * size)) * np.sqrt(2 / size)
    matrix[0] /= np.sqrt(2)
    result: NDArray[np.float32] = np.asarray(matrix, np.float32)
    return result


_DCT = _dct_matrix(32)


def _unit(vector: NDArray[np.float32]) -> NDArray[np.float32]:
    norm = float(np.linalg.norm(vector))
    scaled: NDArray[np.float32] = (vector / norm if norm > 1e-9 else vector).astype(np.float32)
    return scaled


def describe(image: Image.Image) -> NDArray[np.float32]:
    rgb = image.convert("RGB")
    grey = rgb.convert("L")
    layout = np.asarray(grey.resize((16, 9), Image.Resampling.BILINEAR), np.float32).ravel()
    layout = _unit(layout - layout.mean())
    small = np.asarray(grey.resize((32, 32), Image.Resampling.BILINEAR), np.float32)
    low = (_DCT @ small @ _DCT.T)[:8, :8].ravel()[1:]  # the low frequencies, without the mean
    spectrum = _unit(np.asarray(low, np.float32))
    hsv = np.asarray(rgb.resize((64, 36), Image.Resampling.BILINEAR).convert("HSV"), np.int32).reshape(-1, 3)
    codes = (hsv[:, 0] * 8 // 256) * 12 + (hsv[:, 1] * 4 // 256) * 3 + (hsv[:, 2] * 3 // 256)
    colour = np.sqrt(np.bincount(codes, minlength=96).astype(np.float32))
    colour = _unit(colour)
    return _unit(np.concatenate((layout * 1.0, spectrum * 0.8, colour * 0.9)).astype(np.float32))


def key_of(asset_id: int, shot: int) -> int:
    return (asset_id << SHOT_BITS) | shot


def split_key(key: int) -> tuple[int, int]:
    return key >> SHOT_BITS, key & ((1 << SHOT_BITS) - 1)


class ShotIndex:
    """The vectors of indexed shots: written by the indexer, reloaded by readers when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._index: Index | None = None
        self._stamp: float | None = None

    def _load(self) -> Index:
        stamp = self.path.stat().st_mtime if self.path.exists() else None
        if self._index is None or stamp != self._stamp:
            index = Index(ndim=DIMENSIONS, metric="cos", dtype="f32")
            if stamp is not None:
                index.load(str(self.path))
            self._index, self._stamp = index, stamp
        return self._index

    def replace(self, asset_ids: list[int], vectors: dict[int, NDArray[np.float32]]) -> None:
        with self._lock:
            index = self._load()
            if len(index):
                keys = np.asarray(index.keys, dtype=np.uint64)
                doomed = keys[np.isin(keys >> np.uint64(SHOT_BITS), np.asarray(asset_ids, dtype=np.uint64))]
                for key in doomed.tolist():
                    index.remove(int(key))
            if vectors:
                index.add(np.fromiter(vectors, dtype=np.uint64), np.stack(list(vectors.values())))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".partial")
            index.save(str(partial))
            partial.replace(self.path)
            self._stamp = self.path.stat().st_mtime

    def clear(self) -> None:
        with self._lock:
            self.path.unlink(missing_ok=True)
            self._index, self._stamp = None, None

    def search(self, vector: NDArray[np.float32], count: int) -> list[tuple[int, float]]:
        """(key, similarity) pairs, most similar first."""
        with self._lock:
            index = self._load()
            if not len(index):
                return []
            found = index.search(vector, min(count, len(index)))
            return [(int(k), 1.0 - float(d)) for k, d in zip(found.keys, found.distances, strict=True)]

    def vector_of(self, key: int) -> NDArray[np.float32]:
        with self._lock:
            found: NDArray[np.float32] = np.asarray(self._load().get(key), np.float32).ravel()
            return found

    def __len__(self) -> int:
        with self._lock:
            return len(self._load())
