"""Technical names as people read them: FFmpeg's container names and the ITU-T H.273 colour codes."""

from __future__ import annotations

from avbase.core.i18n import N_, _

CONTAINERS = {
    "mov,mp4,m4a,3gp,3g2,mj2": "MP4 / QuickTime",
    "matroska,webm": "WebM / Matroska",
    "mpegts": "MPEG-TS",
    "mxf": "MXF",
    "avi": "AVI",
    "mp3": "MP3",
    "wav": "WAV",
    "flac": "FLAC",
    "ogg": "Ogg",
    "aac": "AAC",
    "flv": "FLV",
    "image2": N_("image sequence"),
}
PRIMARIES = {1: "BT.709", 4: "BT.470M", 5: "BT.601 625", 6: "BT.601 525", 7: "SMPTE 240M", 9: "BT.2020",
             11: "DCI-P3", 12: "Display P3"}  # fmt: skip
TRANSFER = {1: "BT.709", 4: "γ2.2", 5: "γ2.8", 6: "BT.601", 8: N_("linear"), 13: "sRGB", 14: "BT.2020",
            15: "BT.2020", 16: "PQ (ST 2084)", 18: "HLG (ARIB STD-B67)"}  # fmt: skip
MATRIX = {0: "RGB", 1: "BT.709", 5: "BT.601", 6: "BT.601", 9: "BT.2020 NCL", 10: "BT.2020 CL"}


def container_name(name: str | None) -> str:
    if not name:
        return "—"
    return _(CONTAINERS[name]) if name in CONTAINERS else name.split(",")[0].upper()


def colour_description(primaries: int | None, transfer: int | None, matrix: int | None) -> str:
    """ "BT.709 · BT.709 · BT.709"; what the file leaves unspecified (code 2 or none) is said once."""
    parts = [_(table[code]) if code in table else None for table, code in
             ((PRIMARIES, primaries), (TRANSFER, transfer), (MATRIX, matrix))]  # fmt: skip
    if not any(parts):
        return _("not marked in the file")
    return " · ".join(part or _("not marked") for part in parts)
