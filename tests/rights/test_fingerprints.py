"""Every transform of the issue is traced to the right work and segment; unregistered clips, a test
pattern, black and silence match nothing. Pure: fingerprints and the on-disk index, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from avbase.rights.fingerprint import search as fingerprints
from avbase.rights.fingerprint.index import FingerprintIndex
from tests.rights.clips import Copy, iou, make_copies, make_negatives, reference_clip

WORK, OTHER_WORK = 1, 2


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Copy], list[Path]]:
    from tests.conftest import find_corpus

    corpus = find_corpus()
    if corpus is None:
        pytest.skip("../shared/corpus is not here")
    folder = tmp_path_factory.mktemp("clips")
    reference = reference_clip(corpus, folder / "work.mp4")
    root = folder / "index"
    made = fingerprints.fingerprint(reference)
    fingerprints.save(made, folder / "work-prints")  # the work's stored prints, as the platform keeps them
    fingerprints.add_reference(root, WORK, made)
    fingerprints.add_reference(root, OTHER_WORK, fingerprints.fingerprint(corpus / "example_16s.mp4"))
    return root, make_copies(reference, corpus, folder), make_negatives(corpus, folder)


TRANSFORMS = [
    "reencode_360p", "excerpt_10s", "letterbox_logo", "pillarbox_logo", "crop_gamma", "mirror",
    "speed_1.05", "speed_0.95", "pip_0.5_corner", "pip_0.9_centre", "audio_64k_noise",
]  # fmt: skip


@pytest.fixture
def looked_up(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The distinct keys of each lookup of the index, as the searches run."""
    import numpy as np

    counts: list[int] = []
    meet = FingerprintIndex.meet

    def counting(self: FingerprintIndex, keys: np.ndarray, **options: int) -> object:
        counts.append(int(np.unique(keys).size))
        return meet(self, keys, **options)

    monkeypatch.setattr(FingerprintIndex, "meet", counting)
    return counts


@pytest.mark.parametrize("name", TRANSFORMS)
def test_each_transform_is_traced_to_the_work_and_segment(
    indexed: tuple[Path, list[Copy], list[Path]], name: str
) -> None:
    root, copies, _negatives = indexed
    copy = next(c for c in copies if c.name == name)
    found = fingerprints.search(root, Path(copy.file))
    assert found, f"{name}: no match"
    best = found[0]
    assert best.reference == WORK
    assert [f.reference for f in found] == [WORK]  # and no other work
    expected = (copy.reference_start, copy.reference_end)
    assert iou((best.reference_start, best.reference_end), expected) > 0.6, best
    assert iou((best.query_start, best.query_end), (copy.query_start, copy.query_end)) > 0.6, best
    if name.startswith("audio"):
        assert best.modality == "audio"
    else:
        assert best.modality in ("video", "both")


def test_negatives_match_nothing(indexed: tuple[Path, list[Copy], list[Path]]) -> None:
    root, _copies, negatives = indexed
    for path in negatives:
        assert fingerprints.search(root, path) == [], path.name


@pytest.mark.parametrize("name", ["excerpt_10s", "mirror", "pip_0.5_corner"])
def test_a_copy_is_found_among_many_hours_of_other_references(
    indexed: tuple[Path, list[Copy], list[Path]], tmp_path: Path, name: str
) -> None:
    """The work's segment stands out of an index where 24 hour-long references (random keys at the
    density of real ones) collect chance hits; the index's large segment is searched through its
    directory."""
    import shutil

    import numpy as np

    from avbase.rights.fingerprint import video
    from avbase.rights.fingerprint.index import DIRECTORY, DIRECTORY_FROM

    root, copies, _negatives = indexed
    big = tmp_path / "index"
    shutil.copytree(root, big)
    rng = np.random.default_rng(5)
    per_hour = int(3600 * video.FPS * len(video.REFERENCE_SCALES))
    noise = [
        (100 + hour, rng.integers(0, 1 << video.KEY_BITS, per_hour, dtype=np.uint32),
         (rng.random(per_hour) * 3600).astype(np.float32))
        for hour in range(24)
    ]  # fmt: skip
    FingerprintIndex(big / "video").add_many(noise)
    assert sum(keys.size for _r, keys, _t in noise) >= DIRECTORY_FROM
    assert any(
        (big / "video" / segment / DIRECTORY).exists()
        for segment in FingerprintIndex(big / "video").segments()
    )
    copy = next(c for c in copies if c.name == name)
    found = fingerprints.search(big, Path(copy.file))
    assert [f.reference for f in found] == [WORK]
    assert (
        iou((found[0].reference_start, found[0].reference_end), (copy.reference_start, copy.reference_end))
        > 0.6
    )


def test_the_index_survives_restarts_grows_and_forgets(tmp_path: Path) -> None:
    import numpy as np

    index = FingerprintIndex(tmp_path / "video")
    index.add(5, np.array([3, 1, 2], np.uint32), np.array([0.0, 0.5, 1.0], np.float32))
    index.add(6, np.array([2, 9], np.uint32), np.array([4.0, 4.25], np.float32))
    reopened = FingerprintIndex(tmp_path / "video")  # a new process would see the same
    hits = reopened.lookup(np.array([2], np.uint32))
    assert sorted(zip(hits.reference.tolist(), hits.time.tolist(), strict=True)) == [(5, 1.0), (6, 4.0)]
    reopened.add(5, np.array([7], np.uint32), np.array([2.0], np.float32))  # replaces 5's postings
    assert reopened.lookup(np.array([2, 7], np.uint32)).reference.tolist() == [6, 5]
    reopened.remove(6)
    assert reopened.references() == {5}
    assert len(list((tmp_path / "video").glob("seg-*"))) == len(reopened.segments())


def test_a_file_that_is_not_media_is_bad_input(tmp_path: Path) -> None:
    from avbase.core.errors import AvbaseError
    from avbase.rights import tracing

    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    with pytest.raises(AvbaseError, match="cannot be read"):
        tracing.match_file(None, junk)  # type: ignore[arg-type]  # fails before it needs the database


@pytest.mark.parametrize("name", ["audio_64k_noise", "speed_1.05", "excerpt_10s"])
def test_the_sound_is_searched_in_two_steps_that_find_what_one_lookup_finds(
    indexed: tuple[Path, list[Copy], list[Path]],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    looked_up: list[int],
) -> None:
    """The index is read for a sample of the query's keys only; the hits of the rest come from the prints
    of the references the sample names (or from the index, when a print is not at hand), and the result
    is the one a lookup of every key gives."""
    import numpy as np

    from avbase.rights.fingerprint import audio

    root, copies, _negatives = indexed
    copy = next(c for c in copies if c.name == name)
    query = audio.query_keys(Path(copy.file))
    prints = {WORK: fingerprints.load(root.parent / "work-prints")}
    two_steps = fingerprints.search_audio(root, query, prints_of=prints.get)
    assert len(looked_up) == 1 and looked_up[0] <= 1.2 * fingerprints.AUDIO_LOOKUPS  # the print did the rest
    every_key = int(np.unique(np.concatenate([k for _s, k, _t in query.hypotheses])).size)
    assert every_key > 1.5 * fingerprints.AUDIO_LOOKUPS
    from_index = fingerprints.search_audio(root, query)  # no prints: the rest read from the index
    monkeypatch.setattr(fingerprints, "AUDIO_LOOKUPS", 10**9)
    one_lookup = fingerprints.search_audio(root, query)
    assert [s.reference for s in two_steps] == [WORK]
    assert two_steps == from_index == one_lookup


def test_the_sound_alone_is_found_among_many_hours_of_other_sound(
    indexed: tuple[Path, list[Copy], list[Path]], tmp_path: Path
) -> None:
    """Among 24 hour-long references of random landmark keys at the density of real ones (chance hits on
    every sampled key), the sample names the work and the work alone is found, from its print."""
    import shutil

    import numpy as np

    from avbase.rights.fingerprint import audio

    root, copies, _negatives = indexed
    big = tmp_path / "index"
    shutil.copytree(root, big)
    rng = np.random.default_rng(9)
    per_hour = 3600 * 98  # triplets a second of real sound
    FingerprintIndex(big / "audio", keys=audio.VERSION).add_many(
        [
            (100 + hour, rng.integers(0, 1 << audio.KEY_BITS, per_hour, dtype=np.uint32),
             (rng.random(per_hour) * 3600).astype(np.float32))
            for hour in range(24)
        ]
    )  # fmt: skip
    copy = next(c for c in copies if c.name == "audio_64k_noise")
    opened: list[int] = []

    def prints_of(reference: int) -> fingerprints.Prints | None:
        opened.append(reference)
        return fingerprints.load(root.parent / "work-prints") if reference == WORK else None

    found = fingerprints.search_audio(big, audio.query_keys(Path(copy.file)), prints_of=prints_of)
    assert [s.reference for s in found] == [WORK]
    assert opened == [WORK]  # no chance reference was worth a closer look
    assert (
        iou((found[0].reference_start, found[0].reference_end), (copy.reference_start, copy.reference_end))
        > 0.6
    )


def test_a_short_copy_inside_a_long_upload_keeps_its_share_of_the_sample(
    indexed: tuple[Path, list[Copy], list[Path]], looked_up: list[int], tmp_path: Path
) -> None:
    """The sample grows with the query: three minutes of other sound around the noisy 12 s copy are looked
    up with three times the keys of a minute, and the copy is found where it lies."""

    from avbase.rights.fingerprint import audio
    from tests.conftest import find_corpus
    from tests.rights.clips import _wait, run

    root, copies, _negatives = indexed
    copy = next(c for c in copies if c.name == "audio_64k_noise")
    corpus = find_corpus()
    assert corpus is not None
    upload = tmp_path / "upload.m4a"
    fmt = "aresample=44100,aformat=channel_layouts=mono:sample_fmts=fltp"
    _wait([run([
        "-stream_loop", "3", "-i", str(corpus / "rain.mp3"), "-i", copy.file,
        "-filter_complex", f"[0:a]atrim=0:90,asetpts=N/SR/TB,{fmt},asplit[a][b];[1:a]{fmt}[c];"
        "[a][c][b]concat=n=3:v=0:a=1[s]",
        "-map", "[s]", "-c:a", "aac", "-b:a", "96k", str(upload),
    ])])  # fmt: skip
    query = audio.query_keys(upload)
    assert query.duration > 180
    prints = {WORK: fingerprints.load(root.parent / "work-prints")}
    found = fingerprints.search_audio(root, query, prints_of=prints.get)
    minutes = query.duration / 60
    assert 2.5 * fingerprints.AUDIO_LOOKUPS < looked_up[0] <= 1.2 * fingerprints.AUDIO_LOOKUPS * minutes
    assert [s.reference for s in found] == [WORK]
    assert iou((found[0].query_start, found[0].query_end), (90.0, 90.0 + copy.query_end)) > 0.6


@pytest.mark.parametrize("name", ["crop_gamma", "pip_0.5_corner", "mirror", "speed_0.95"])
def test_the_pictures_are_searched_in_two_steps_that_find_what_one_lookup_finds(
    indexed: tuple[Path, list[Copy], list[Path]],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    looked_up: list[int],
) -> None:
    """As the sound: the index is read for a sample of the picture keys, the work's hits come from its
    stored video print, and the segment is the one a lookup of every key gives."""
    import numpy as np

    from avbase.rights.fingerprint import video

    root, copies, _negatives = indexed
    copy = next(c for c in copies if c.name == name)
    query = video.query_keys(Path(copy.file))
    monkeypatch.setattr(fingerprints, "VIDEO_LOOKUPS", 1500)  # a sample, on a query of a few seconds
    prints = {WORK: fingerprints.load(root.parent / "work-prints")}
    two_steps = fingerprints.search_video(root, query, prints_of=prints.get)
    assert len(looked_up) == 1 and looked_up[0] <= 1.2 * 1500
    assert int(np.unique(np.concatenate(query.keys)).size) > 2 * 1500
    from_index = fingerprints.search_video(root, query)  # no prints: the rest read from the index
    monkeypatch.setattr(fingerprints, "VIDEO_LOOKUPS", 10**9)
    one_lookup = fingerprints.search_video(root, query)
    assert [s.reference for s in two_steps] == [WORK]
    assert two_steps == from_index == one_lookup
