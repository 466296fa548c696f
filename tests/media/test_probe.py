"""The technical probe on the shared corpus and on synthetic HDR and multichannel clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from avbase.media.probe import UnsupportedMedia, probe, resolution_class
from avbase.media.sei import HdrSignals, nal_units, scan
from tests.media.synthetic import hevc_clip


@pytest.mark.parametrize(
    ("size", "expected"),
    [((720, 576), "SD"), ((1280, 720), "HD"), ((1920, 1080), "FHD"), ((1080, 1920), "FHD"),
     ((3840, 2160), "4K"), ((4096, 2160), "4K"), ((7680, 4320), "8K")],
)  # fmt: skip
def test_resolution_classes(size: tuple[int, int], expected: str) -> None:
    assert resolution_class(*size) == expected


def test_the_corpus_clips_probe_as_their_readme_describes(corpus: Path) -> None:
    bars = probe(corpus / "smpte_1080p.mp4")
    (video,) = bars.video
    assert (bars.kind, video.codec, video.resolution_class, video.frame_rate) == (
        "video",
        "h264",
        "FHD",
        25.0,
    )
    assert (video.bit_depth, video.chroma, video.hdr, video.variable_frame_rate) == (8, "4:2:0", "SDR", False)
    assert [(a.codec, a.channels) for a in bars.audio] == [("aac", 2)]
    assert bars.duration == pytest.approx(10.0, abs=0.1)
    bunny = probe(corpus / "bbb_0_30.webm")
    assert (
        bunny.container.startswith("matroska"),
        bunny.video[0].codec,
        bunny.video[0].resolution_class,
    ) == (True, "vp8", "HD")
    assert probe(corpus / "fire2.mp4").video[0].variable_frame_rate  # VFR timebase, per the corpus README
    song = probe(corpus / "rain.mp3")
    assert song.kind == "audio" and song.video == [] and song.audio[0].channels == 2


def test_hdr10_with_static_metadata_hlg_and_five_one_audio(tmp_path: Path) -> None:
    pq = probe(hevc_clip(tmp_path / "pq.mp4", transfer="smpte2084", static_metadata=True))
    (video,) = pq.video
    assert (video.codec, video.bit_depth, video.color_primaries, video.color_transfer) == ("hevc", 10, 9, 16)
    assert video.hdr == "HDR10 (PQ)"
    assert video.hdr_details == {"mastering_display": True, "content_light_level": True}
    assert [(a.channels, a.layout) for a in pq.audio] == [(6, "5.1")]
    hlg = probe(hevc_clip(tmp_path / "hlg.mp4", transfer="arib-std-b67"))
    assert hlg.video[0].hdr == "HLG" and hlg.video[0].hdr_details == {}


def _hevc_sei(payload_type: int, payload: bytes) -> bytes:
    """A length-prefixed HEVC prefix-SEI NAL unit carrying one message."""
    nal = bytes([39 << 1, 1, payload_type, len(payload)]) + payload + b"\x80"
    return len(nal).to_bytes(4, "big") + nal


def test_hdr_vivid_and_hdr10_plus_are_found_in_t35_user_data() -> None:
    vivid = _hevc_sei(4, bytes([0x26, 0x00, 0x04, 0x00, 0x05]) + b"\x11" * 8)  # CUVA: China, provider 0x0004
    hdr10_plus = _hevc_sei(4, bytes([0xB5, 0x00, 0x3C, 0x00, 0x01, 0x04, 0x01]) + b"\x22" * 8)
    other = _hevc_sei(4, bytes([0xB5, 0x00, 0x31, 0x47, 0x41]))  # ATSC A/53 captions: neither
    assert scan(iter([vivid]), "hevc").hdr_vivid
    plus = scan(iter([hdr10_plus, other]), "hevc")
    assert plus.hdr10_plus and not plus.hdr_vivid and (0xB5, 0x0031) in plus.t35_providers
    assert scan(iter([other]), "hevc") == HdrSignals(t35_providers={(0xB5, 0x0031)})
    assert list(nal_units(b"\x00\x00\x00\x01\x4e\x01\x80\x00\x00\x01\x40\x01")) == [
        b"\x4e\x01\x80",
        b"\x40\x01",
    ]


def test_a_file_that_is_not_media_is_refused_with_a_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    with pytest.raises(UnsupportedMedia):
        probe(broken)
    text = tmp_path / "notes.txt"
    text.write_text("not a video", encoding="utf-8")
    with pytest.raises(UnsupportedMedia):
        probe(text)


def test_audio_vivid_is_recognised_by_its_av3a_sample_entry(tmp_path: Path) -> None:
    """No encoder for Audio Vivid is available here, so the test writes an MP4 audio track and gives its
    sample entry the 'av3a' code an Audio Vivid track carries; plain AAC stays plain."""
    import av
    import numpy as np

    plain = tmp_path / "aac.mp4"
    with av.open(str(plain), "w") as out:
        stream = out.add_stream("aac", rate=48000, layout="stereo")
        silence = av.AudioFrame.from_ndarray(np.zeros((2, 1024), np.float32), format="fltp", layout="stereo")
        silence.sample_rate = 48000
        for packet in [*stream.encode(silence), *stream.encode(silence), *stream.encode()]:
            out.mux(packet)
    data = plain.read_bytes()
    assert data.count(b"mp4a") == 1  # the sample entry's four-character code, once
    vivid = tmp_path / "vivid.mp4"
    vivid.write_bytes(data.replace(b"mp4a", b"av3a"))
    assert [a.audio_vivid for a in probe(plain).audio] == [False]
    assert [a.audio_vivid for a in probe(vivid).audio] == [True]
