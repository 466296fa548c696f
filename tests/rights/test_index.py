"""The on-disk fingerprint index and the voting on their own (no media, no database): lookups through a
large segment's directory, the layout written before member lists and directories existed, damaged indexes,
and the coarse count in front of the voting."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from avbase.rights.fingerprint import index as fingerprint_index
from avbase.rights.fingerprint import match
from avbase.rights.fingerprint.index import FingerprintIndex, IndexUnreadable
from avbase.rights.fingerprint.match import Hits, vote


def _brute_force(keys: np.ndarray, times: np.ndarray, query: np.ndarray) -> list[tuple[int, float]]:
    """(query position, time) of every posting of every query key, found the slow way."""
    return sorted(
        (position, round(float(times[spot]), 2))
        for position, key in enumerate(query.tolist())
        for spot in np.flatnonzero(keys == key)
    )


def test_a_lookup_through_a_segment_directory_finds_what_a_full_search_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fingerprint_index, "DIRECTORY_FROM", 1000)  # a directory for this small segment
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 1 << 24, 20_000, dtype=np.uint32)
    keys[:50] = 7  # a common key, and the smallest and largest possible ones
    keys[50], keys[51] = 0, (1 << 24) - 1
    times = np.round(rng.random(20_000) * 600, 2).astype(np.float32)
    index = FingerprintIndex(tmp_path / "video")
    index.add(9, keys, times)
    assert (tmp_path / "video" / index.segments()[0] / fingerprint_index.DIRECTORY).exists()
    query = np.r_[keys[40:60], rng.integers(0, 1 << 24, 200, dtype=np.uint32), keys[100:110]].astype(
        np.uint32
    )
    hits = index.lookup(query)
    found = sorted(zip(hits.query.tolist(), [round(t, 2) for t in hits.time.tolist()], strict=True))
    assert found == _brute_force(keys, times, query)
    assert set(hits.reference.tolist()) == {9}


def test_the_hits_of_one_posting_are_adjacent_and_met_once_per_query_position(tmp_path: Path) -> None:
    index = FingerprintIndex(tmp_path / "video")
    index.add(1, np.array([5, 5, 8], np.uint32), np.array([1.0, 2.0, 3.0], np.float32))
    hits = index.lookup(np.array([5, 8, 5, 5], np.uint32))  # a still scene repeats key 5
    assert hits.query.size == 2 * 3 + 1
    runs = [
        hits.posting[i] for i in range(hits.posting.size) if i == 0 or hits.posting[i] != hits.posting[i - 1]
    ]
    assert len(runs) == len(set(runs)) == 3  # each posting's hits in one run
    for posting in set(runs):
        met = hits.query[hits.posting == posting].tolist()
        assert met == sorted(met)  # in query order


def _format_1_index(folder: Path) -> None:
    """An index as written before the manifest had a format: bare segment names, three arrays each."""
    segment = folder / "seg-00000000aaaa"
    segment.mkdir(parents=True)
    order = np.argsort(np.array([4, 2, 9], np.uint32), kind="stable")
    np.save(segment / "keys.npy", np.array([4, 2, 9], np.uint32)[order])
    np.save(segment / "refs.npy", np.array([3, 3, 3], np.int32)[order])
    np.save(segment / "times.npy", np.array([0, 25, 50], np.int32)[order])
    (folder / "manifest.json").write_text(json.dumps({"segments": [segment.name]}))


def test_an_index_of_the_old_layout_still_loads_and_the_next_write_upgrades_it(tmp_path: Path) -> None:
    folder = tmp_path / "video"
    _format_1_index(folder)
    index = FingerprintIndex(folder)
    assert index.format() == 1
    assert index.references() == {3}
    assert index.lookup(np.array([2], np.uint32)).time.tolist() == [0.25]
    index.add(4, np.array([2], np.uint32), np.array([7.5], np.float32))
    assert index.format() == fingerprint_index.FORMAT
    assert all((folder / name / fingerprint_index.MEMBERS).exists() for name in index.segments())
    hits = index.lookup(np.array([2, 9], np.uint32))
    assert sorted(zip(hits.reference.tolist(), hits.time.tolist(), strict=True)) == [
        (3, 0.25),
        (3, 0.5),
        (4, 7.5),
    ]
    index.remove(3)
    assert index.references() == {4}


@pytest.mark.parametrize("damage", ["manifest", "newer", "truncated", "lengths", "missing"])
def test_a_damaged_index_or_one_of_a_newer_layout_is_reported_not_half_read(
    tmp_path: Path, damage: str
) -> None:
    folder = tmp_path / "video"
    index = FingerprintIndex(folder)
    index.add(1, np.arange(100, dtype=np.uint32), np.zeros(100, np.float32))
    segment = folder / index.segments()[0]
    if damage == "manifest":
        (folder / "manifest.json").write_text("{not json")
    elif damage == "newer":
        (folder / "manifest.json").write_text(json.dumps({"format": 99, "segments": []}))
    elif damage == "truncated":
        data = (segment / "keys.npy").read_bytes()
        (segment / "keys.npy").write_bytes(data[: len(data) // 2])
    elif damage == "lengths":
        np.save(segment / "times.npy", np.zeros(7, np.int32))
    else:
        (segment / "refs.npy").unlink()
    with pytest.raises(IndexUnreadable):
        index.lookup(np.array([5], np.uint32))
    with pytest.raises(IndexUnreadable):
        index.check()


def _line(reference: int, start: float, moments: int, *, first_posting: int) -> Hits:
    """A copy: query moments 0.25 s apart meeting the reference along t = start + q."""
    query = np.arange(moments, dtype=np.float32) / 4
    return Hits(query, np.full(moments, reference, np.int32), query + np.float32(start), 1.0,
                np.arange(moments, dtype=np.int64) + first_posting)  # fmt: skip


def _join(*parts: Hits) -> Hits:
    return Hits(
        np.concatenate([p.query_time for p in parts]),
        np.concatenate([p.reference for p in parts]),
        np.concatenate([p.reference_time for p in parts]),
        1.0,
        np.concatenate([p.posting for p in parts if p.posting is not None]),
    )


def test_a_still_query_scene_meeting_one_posting_again_and_again_is_no_copy() -> None:
    usable = np.arange(160, dtype=np.float32) / 4
    copy = _line(1, 100.0, 40, first_posting=0)
    # A still scene of 30 s: its key meets one posting of reference 2 at every moment; three more meet it
    # by chance elsewhere.
    still = np.arange(40, 160, dtype=np.float32) / 4
    line = Hits(still, np.full(still.size, 2, np.int32), np.full(still.size, 500.0, np.float32), 1.0,
                np.full(still.size, 1000, np.int64))  # fmt: skip
    extra = Hits(np.array([11.0, 12.0, 13.0], np.float32), np.full(3, 2, np.int32),
                 np.array([800.0, 1200.0, 2000.0], np.float32), 1.0, np.array([1001, 1002, 1003]))  # fmt: skip
    found = vote([_join(copy, line, extra)], usable_times=usable, step=0.25, min_frames=8, min_score=0.25)
    assert [segment.reference for segment in found] == [1]
    assert found[0].reference_start == pytest.approx(100.0) and found[0].query_end == pytest.approx(10.0)


def test_the_coarse_count_keeps_every_alignment_the_voting_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    size = 60_000
    noise = Hits(
        (rng.integers(0, 240, size) / 4).astype(np.float32),
        rng.integers(100, 400, size).astype(np.int32),
        (rng.random(size) * 3600).astype(np.float32),
        1.0,
        np.arange(size, dtype=np.int64) + 10_000,
    )
    copies = [_line(7, 50.0, 12, first_posting=0), _line(8, 900.0, 40, first_posting=100)]
    speeds = (0.95, 1.0, 1.05)
    joined = _join(*copies, noise)
    given = [
        Hits(joined.query_time, joined.reference, joined.reference_time, s, joined.posting) for s in speeds
    ]
    usable = np.arange(240, dtype=np.float32) / 4
    counted = vote(given, usable_times=usable, step=0.25, min_frames=8, min_score=0.25)
    monkeypatch.setattr(match, "likely_references", lambda group, _min: match.distinct(group.reference))
    everything = vote(given, usable_times=usable, step=0.25, min_frames=8, min_score=0.25)
    assert counted == everything
    assert {segment.reference for segment in counted} >= {7, 8}


def test_keys_of_another_version_are_never_mixed_into_an_index(tmp_path: Path) -> None:
    folder = tmp_path / "audio"
    FingerprintIndex(folder, keys=1).add(1, np.arange(10, dtype=np.uint32), np.zeros(10, np.float32))
    assert FingerprintIndex(folder).keys_version() == 1
    newer = FingerprintIndex(folder, keys=2)
    with pytest.raises(IndexUnreadable, match="keys of version 1"):
        newer.lookup(np.array([5], np.uint32))
    with pytest.raises(IndexUnreadable):
        newer.add(2, np.arange(10, dtype=np.uint32), np.zeros(10, np.float32))
    assert FingerprintIndex(folder).references() == {1}  # the failed write left it as it was
    # An index written before the keys had a version holds version 1; a new one takes the writer's.
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["keys"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert FingerprintIndex(folder, keys=1).lookup(np.array([5], np.uint32)).reference.tolist() == [1]
    fresh = FingerprintIndex(tmp_path / "fresh", keys=2)
    fresh.add(3, np.arange(4, dtype=np.uint32), np.zeros(4, np.float32))
    assert fresh.keys_version() == 2 and fresh.lookup(np.array([2], np.uint32)).reference.tolist() == [3]


def test_the_coarse_count_lets_no_reference_through_by_sharing_a_table_slot() -> None:
    # 100,000 references with 4 hits each in one cell (half of what an alignment needs): in the hashed
    # table thousands of their cells share a slot and add up to 8; counted exactly, none is enough.
    count = 100_000
    ids = np.random.default_rng(16).choice(1 << 22, count, replace=False).astype(np.int32)  # not in a row
    reference = np.repeat(ids, 4)
    query = np.tile(np.arange(4, dtype=np.float32), count)
    chance = Hits(query, reference, query + np.float32(100.0), 1.0, np.arange(reference.size, dtype=np.int64))
    assert match.likely_references(chance, 8).size == 0
    copy = _line(1 << 23, 30.0, 8, first_posting=10**7)
    both = Hits(
        np.r_[chance.query_time, copy.query_time],
        np.r_[chance.reference, copy.reference],
        np.r_[chance.reference_time, copy.reference_time],
        1.0,
        np.r_[chance.posting, copy.posting],  # type: ignore[arg-type]
    )
    assert match.likely_references(both, 8).tolist() == [1 << 23]


def test_postings_met_pair_with_some_positions_or_some_references(tmp_path: Path) -> None:
    index = FingerprintIndex(tmp_path / "video")
    index.add(1, np.array([5, 6, 7], np.uint32), np.array([1.0, 2.0, 3.0], np.float32))
    index.add(2, np.array([5, 7], np.uint32), np.array([8.0, 9.0], np.float32))
    query = np.array([5, 7, 5, 9], np.uint32)
    met = index.meet(query)
    everything = met.pair()
    assert sorted(zip(everything.query.tolist(), everything.reference.tolist(), strict=True)) == sorted(
        zip(index.lookup(query).query.tolist(), index.lookup(query).reference.tolist(), strict=True)
    )
    only_first = met.pair(positions=np.array([True, False, False, False]))
    assert sorted(zip(only_first.query.tolist(), only_first.reference.tolist(), strict=True)) == [
        (0, 1),
        (0, 2),
    ]
    only_two = met.pair(references=np.array([2], np.int32))
    assert sorted(zip(only_two.query.tolist(), only_two.time.tolist(), strict=True)) == [
        (0, 8.0),
        (1, 9.0),
        (2, 8.0),
    ]
    assert met.pair(references=np.array([3], np.int32)).query.size == 0
