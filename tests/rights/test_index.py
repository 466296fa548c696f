"""The on-disk fingerprint index and the voting on their own (no media, no database): lookups through a
large segment's directory, the layout written before member lists and directories existed, damaged indexes,
and the coarse count in front of the voting."""

from __future__ import annotations

import json
import os
import time
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


def test_a_lookup_read_by_many_threads_meets_what_one_thread_meets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Segments and ranges of the keys are read at once by several threads; the hits, their order and the
    postings' numbers are those of one thread reading segment after segment."""
    rng = np.random.default_rng(4)
    index = FingerprintIndex(tmp_path / "audio")
    for reference in range(3):  # three segments (too few postings to be merged)
        index.add(
            reference, rng.integers(0, 1 << 16, 5_000, dtype=np.uint32), rng.random(5_000).astype(np.float32)
        )
    assert len(index.segments()) == 3
    query = rng.integers(0, 1 << 16, 4_000, dtype=np.uint32)
    many = index.meet(query)
    monkeypatch.setattr(fingerprint_index, "LOOKUP_THREADS", 1)
    one = index.meet(query)
    for field in ("key", "reference", "centis", "posting", "inverse"):
        assert np.array_equal(getattr(many, field), getattr(one, field)), field
    assert many.key.size > 100


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


def _all_postings(index: FingerprintIndex, universe: int) -> list[tuple[int, int, float]]:
    """(key, reference, time) of every posting a lookup of every key meets."""
    hits = index.lookup(np.arange(universe, dtype=np.uint32), limit_per_key=10**6)
    return sorted(zip(hits.query.tolist(), hits.reference.tolist(), [round(t, 2) for t in hits.time.tolist()],
                      strict=True))  # fmt: skip


def _expected(held: dict[int, tuple[np.ndarray, np.ndarray]]) -> list[tuple[int, int, float]]:
    return sorted(
        (int(key), reference, round(float(time), 2))
        for reference, (keys, times) in held.items()
        for key, time in zip(keys.tolist(), times.tolist(), strict=True)
    )


def test_many_small_writes_keep_a_logarithmic_number_of_segments_and_every_posting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiered merging on 300 small writes: after each, no tier holds FAN_IN segments (so a lookup opens
    about log(N) of them), every posting is still found, and all the writing, merges included, comes to at
    most log(N) / log(FAN_IN) + 1 times what was added. Merges read a range of keys at a time."""
    monkeypatch.setattr(fingerprint_index, "MERGE_CHUNK", 300)
    # Syncing each of 300 writes to disk costs seconds here, and durability is another test's matter.
    monkeypatch.setattr(fingerprint_index.os, "fsync", lambda _descriptor: None)
    fan_in = fingerprint_index.FAN_IN
    rng = np.random.default_rng(21)
    universe = 5000
    index = FingerprintIndex(tmp_path / "video")
    held: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    added = 0
    most = 0
    for reference in range(1, 301):
        size = int(rng.integers(5, 400))
        keys = rng.integers(0, universe, size, dtype=np.uint32)
        times = (rng.integers(0, 360_000, size) / 100).astype(np.float32)
        index.add(reference, keys, times)
        held[reference] = (keys, times)
        added += size
        count = len(index.segments())
        most = max(most, count)
        assert count <= (fan_in - 1) * (fingerprint_index.tier(added) + 1)
        assert index.postings_written <= added * (np.log(added) / np.log(fan_in) + 1)
        if reference % 50 == 0:
            assert _all_postings(index, universe) == _expected(held)
    assert most <= 3 * (np.log(added) / np.log(fan_in) + 1) and len(index.segments()) < 30
    assert index.references() == set(held)
    assert index.postings_count() == added
    assert len(list((tmp_path / "video").glob("seg-*"))) == len(index.segments())  # nothing left over


def test_removing_a_reference_rewrites_nothing_until_most_of_a_segment_is_gone(tmp_path: Path) -> None:
    index = FingerprintIndex(tmp_path / "video")
    rng = np.random.default_rng(4)
    batch = [(r, rng.integers(0, 2000, 100, dtype=np.uint32), np.full(100, float(r), np.float32))
             for r in range(1, 11)]  # fmt: skip
    index.add_many(batch)
    held = {r: (k, t) for r, k, t in batch}
    [segment] = index.segments()
    written = index.postings_written
    for reference in (3, 7, 8, 9):  # 4 of 10: the segment stays, its postings of them skipped
        index.remove(reference)
        del held[reference]
    assert index.postings_written == written and index.segments() == [segment]
    assert index.references() == set(held) and index.postings_count() == 600
    assert _all_postings(index, 2000) == _expected(held)
    index.add(2, np.array([5, 6], np.uint32), np.array([1.0, 2.0], np.float32))  # replaced: old ones gone
    held[2] = (np.array([5, 6], np.uint32), np.array([1.0, 2.0], np.float32))
    assert _all_postings(index, 2000) == _expected(held)
    index.remove(1)  # 6 of 10 gone: rewritten without them
    del held[1]
    assert segment not in index.segments()
    assert index.postings_written <= written + 2 + 400
    assert _all_postings(index, 2000) == _expected(held) and index.references() == set(held)
    assert len(list((tmp_path / "video").glob("seg-*"))) == len(index.segments())


def test_a_format_2_index_is_read_and_its_counts_made_by_the_next_write(tmp_path: Path) -> None:
    folder = tmp_path / "video"
    index = FingerprintIndex(folder)
    index.add(1, np.array([4, 2, 9], np.uint32), np.array([0.0, 0.25, 0.5], np.float32))
    index.add(2, np.array([2], np.uint32), np.array([1.0], np.float32))
    for name in index.segments():  # as written before counts and removals existed
        (folder / name / fingerprint_index.COUNTS).unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({
        "format": 2, "keys": 1, "segments": [{"name": s["name"], "postings": s["postings"]}
                                             for s in manifest["segments"]]}))  # fmt: skip
    assert index.format() == 2 and index.references() == {1, 2}
    index.remove(2)
    assert index.format() == fingerprint_index.FORMAT and index.references() == {1}
    assert all((folder / name / fingerprint_index.COUNTS).exists() for name in index.segments())
    assert index.lookup(np.array([2], np.uint32)).reference.tolist() == [1]


def test_a_reader_whose_segment_a_merge_deleted_reads_the_new_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = FingerprintIndex(tmp_path / "video")
    for reference in range(1, fingerprint_index.FAN_IN):
        index.add(reference, np.array([reference, 100], np.uint32), np.array([1.0, 2.0], np.float32))
    stale = index._listing()
    index.add(9, np.array([9, 100], np.uint32), np.array([3.0, 4.0], np.float32))  # a full tier: merged
    assert not set(index.segments()) & {entry.name for entry in stale}
    real = FingerprintIndex._listing
    calls = iter([stale])
    monkeypatch.setattr(FingerprintIndex, "_listing", lambda self: next(calls, None) or real(self))
    hits = index.lookup(np.array([100], np.uint32))
    assert sorted(hits.reference.tolist()) == [1, 2, 3, 9]


CRASHING_WRITE = """
import os, sys
from pathlib import Path
import numpy as np
from avbase.rights.fingerprint import index as fingerprint_index
from avbase.rights.fingerprint.index import FingerprintIndex

fingerprint_index.MERGE_CHUNK = 2
real_argsort = np.argsort
chunks = []

def argsort_then_die(*args, **kwargs):
    chunks.append(1)
    if len(chunks) == 3:  # the new segment's sort, then the merge's first chunk: die in the second
        os._exit(9)
    return real_argsort(*args, **kwargs)

fingerprint_index.np.argsort = argsort_then_die
FingerprintIndex(Path(sys.argv[1])).add(4, np.array([3, 100, 7], np.uint32), np.array([1, 2, 3], np.float32))
"""


def test_a_crash_during_a_merge_loses_nothing_and_leaves_a_readable_index(tmp_path: Path) -> None:
    """The process dies in the middle of writing the merged segment: the manifest already lists the new
    write's own segment, names none of the half-written merge, and the next write clears it away."""
    import subprocess
    import sys

    folder = tmp_path / "video"
    index = FingerprintIndex(folder)
    held: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for reference in range(1, fingerprint_index.FAN_IN):
        held[reference] = (np.array([reference, 100, 7], np.uint32), np.array([1.0, 2.0, 3.0], np.float32))
        index.add(reference, *held[reference])
    before = index.segments()
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_WRITE)
    died = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, check=False)
    assert died.returncode == 9, died.stderr.decode()
    held[4] = (np.array([3, 100, 7], np.uint32), np.array([1.0, 2.0, 3.0], np.float32))
    assert len(index.segments()) == len(before) + 1 and set(before) < set(index.segments())
    leftover = {p.name for p in folder.glob("seg-*")} - set(index.segments())
    assert len(leftover) == 1  # the half-written merge, named by no manifest
    index.check()
    assert index.references() == {1, 2, 3, 4}
    assert _all_postings(index, 200) == _expected(held)
    index.add(5, np.array([50], np.uint32), np.array([5.0], np.float32))
    held[5] = (np.array([50], np.uint32), np.array([5.0], np.float32))
    assert not leftover & {p.name for p in folder.glob("seg-*")}
    assert len(index.segments()) < fingerprint_index.FAN_IN
    assert _all_postings(index, 200) == _expected(held)


def test_batch_indexes_a_killed_rescan_left_behind_are_swept_and_others_kept(tmp_path: Path) -> None:
    from avbase.rights.fingerprint.search import LEFT_BEHIND_SECONDS, sweep

    left, working = tmp_path / "tmpleft", tmp_path / "tmpworking"
    for folder in (left, working):
        (folder / "audio").mkdir(parents=True)
    long_ago = time.time() - LEFT_BEHIND_SECONDS - 60
    os.utime(left, (long_ago, long_ago))
    assert sweep(tmp_path) == [left]
    assert not left.exists() and working.exists()  # another worker's batch in progress stays
