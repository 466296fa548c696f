"""HDR metadata carried in the video bitstream's SEI messages (H.264 and HEVC), found without decoding:

- mastering display colour volume (payload 137) and content light level (144): HDR10 static metadata;
- ITU-T T.35 registered user data (payload 4): HDR10+ (country 0xB5, provider 0x003C, oriented code 0x0001,
  application 4) and CUVA HDR Vivid (country 0x26 China, provider 0x0004), which is how CUVA 005 carries it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

HEVC_PREFIX_SEI = 39
HEVC_SUFFIX_SEI = 40
H264_SEI = 6
MASTERING_DISPLAY = 137
CONTENT_LIGHT = 144
T35 = 4


@dataclass
class HdrSignals:
    mastering_display: bool = False
    content_light: bool = False
    hdr10_plus: bool = False
    hdr_vivid: bool = False
    t35_providers: set[tuple[int, int]] = field(default_factory=set)


def nal_units(packet: bytes, length_size: int = 4) -> Iterator[bytes]:
    """NAL units of a length-prefixed packet (MP4/MKV); falls back to Annex B start codes."""
    if packet[:3] == b"\x00\x00\x01" or packet[:4] == b"\x00\x00\x00\x01":
        yield from _annex_b(packet)
        return
    offset = 0
    while offset + length_size <= len(packet):
        size = int.from_bytes(packet[offset : offset + length_size], "big")
        offset += length_size
        if size <= 0 or offset + size > len(packet):
            return
        yield packet[offset : offset + size]
        offset += size


def _annex_b(data: bytes) -> Iterator[bytes]:
    parts = data.replace(b"\x00\x00\x00\x01", b"\x00\x00\x01").split(b"\x00\x00\x01")
    yield from (part for part in parts if part)


def _unescape(payload: bytes) -> bytes:
    """Removes emulation-prevention bytes (00 00 03 → 00 00)."""
    return payload.replace(b"\x00\x00\x03", b"\x00\x00")


def sei_payloads(nal: bytes, codec: str) -> Iterator[tuple[int, bytes]]:
    """(payload type, payload) of every SEI message in a NAL unit; nothing for other NAL types."""
    if codec == "hevc":
        if len(nal) < 3 or (nal[0] >> 1) & 0x3F not in (HEVC_PREFIX_SEI, HEVC_SUFFIX_SEI):
            return
        body = _unescape(nal[2:])
    else:
        if not nal or nal[0] & 0x1F != H264_SEI:
            return
        body = _unescape(nal[1:])
    offset = 0
    while offset < len(body) and body[offset] != 0x80:  # 0x80: rbsp trailing bits
        kind = 0
        while offset < len(body) and body[offset] == 0xFF:
            kind += 255
            offset += 1
        if offset >= len(body):
            return
        kind += body[offset]
        offset += 1
        size = 0
        while offset < len(body) and body[offset] == 0xFF:
            size += 255
            offset += 1
        if offset >= len(body):
            return
        size += body[offset]
        offset += 1
        yield kind, body[offset : offset + size]
        offset += size


def scan(packets: Iterator[bytes], codec: str, signals: HdrSignals | None = None) -> HdrSignals:
    found = signals or HdrSignals()
    for packet in packets:
        for nal in nal_units(packet):
            for kind, payload in sei_payloads(nal, codec):
                if kind == MASTERING_DISPLAY:
                    found.mastering_display = True
                elif kind == CONTENT_LIGHT:
                    found.content_light = True
                elif kind == T35 and len(payload) >= 3:
                    _t35(payload, found)
    return found


def _t35(payload: bytes, found: HdrSignals) -> None:
    country = payload[0]
    provider = int.from_bytes(payload[1:3], "big")
    found.t35_providers.add((country, provider))
    if country == 0xB5 and provider == 0x003C and len(payload) >= 6:
        oriented, application = int.from_bytes(payload[3:5], "big"), payload[5]
        if oriented == 0x0001 and application == 4:
            found.hdr10_plus = True
    elif country == 0x26 and provider == 0x0004:
        found.hdr_vivid = True
