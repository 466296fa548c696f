"""Delivery profiles as data: the loudness target and limits of a broadcaster or platform and the
thresholds of the picture and sound checks, each with the document it comes from. The built-in ones are
here; an operator adds others (stored as the same JSON) without code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from avbase.core.i18n import N_

KINDS = ("loudness", "true_peak", "short_term", "black", "freeze", "silence", "silent_channel", "clipping",
         "flash", "pattern", "term")  # fmt: skip


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    source: str  # the document and clause the numbers come from
    integrated_lufs: float
    tolerance_lu: float
    true_peak_max_dbtp: float
    short_term_max_lufs: float | None = None  # e.g. a platform's limit for short-form content
    black_pixel: float = 0.10  # Y' (0–1) at or below which a pixel is black (as FFmpeg's blackdetect)
    black_share: float = 0.98  # share of black pixels that makes a frame black
    black_min_seconds: float = 2.0
    freeze_noise: float = 0.003  # mean |ΔY'| below which two frames are the same
    freeze_min_seconds: float = 2.0
    silence_db: float = -60.0  # dBFS peak below which audio is silent
    silence_min_seconds: float = 2.0
    silent_channel_min_seconds: float = 2.0
    check_flashes: bool = True
    check_patterns: bool = True  # harmful regular patterns (ITU-R BT.1702)
    # still regular patterns, reported as warnings (with check_patterns); the sources in ``SOURCES``
    check_still_patterns: bool = True
    still_pattern_area: float = 0.25  # share of the screen (25 % is also the least the pattern check sees)
    still_pattern_seconds: float = 0.5
    still_pattern_contrast: float = 0.5  # Michelson contrast of the stripes, 0–1
    check_clipping: bool = True
    warnings: tuple[str, ...] = ()  # kinds reported without failing the programme

    def severity(self, kind: str) -> str:
        return "warning" if kind in self.warnings else "error"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        """A profile from stored or uploaded JSON; unknown keys and missing required ones are errors
        (ValueError naming the key)."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown profile field: {unknown[0]}")
        values = dict(data)
        if "warnings" in values:
            if not isinstance(values["warnings"], list | tuple):
                raise ValueError("warnings: a list of kinds")
            values["warnings"] = tuple(values["warnings"])
            bad = [kind for kind in values["warnings"] if kind not in KINDS]
            if bad:
                raise ValueError(f"warnings: unknown kind {bad[0]}")
        missing = [field.name for field in fields(cls) if field.name in REQUIRED and field.name not in values]
        if missing:
            raise ValueError(f"missing profile field: {missing[0]}")
        for name, value in values.items():
            _check_type(name, value)
        return cls(**values)


REQUIRED = ("key", "name", "source", "integrated_lufs", "tolerance_lu", "true_peak_max_dbtp")
TEXTS = {"key": 40, "name": 100, "source": 500}
FLAGS = ("check_flashes", "check_patterns", "check_still_patterns", "check_clipping")
# where the thresholds come from that a profile's ``source`` (its loudness document) does not cover (msgids:
# the page shows them in the reader's language)
SOURCES = {
    "still_pattern_area": N_(
        "Ofcom, Guidance Note on Section 2 of the Broadcasting Code, annex on photosensitive epilepsy: a "
        "regular pattern over more than 25 % of the screen is potentially harmful, a stationary one less so "
        "than one that moves; Wilkins, Emmett & Harding, Epilepsia 2005: more than a quarter of the screen"
    ),
    "still_pattern_seconds": N_(
        "Wilkins, Emmett & Harding, Epilepsia 2005: striped patterns lasting longer than 0.5 s are restricted"
    ),
    "still_pattern_contrast": N_(
        "avbase's choice for a high-contrast pattern (the documents set 20 cd/m² between light and dark "
        "stripes for any pattern): pages of text measure 0.4 at most, printed stripes and checks 0.5 to 1"
    ),
}


def _check_type(name: str, value: Any) -> None:
    if name in TEXTS:
        if not isinstance(value, str) or not value.strip() or len(value) > TEXTS[name]:
            raise ValueError(f"{name}: a text of 1 to {TEXTS[name]} characters")
    elif name in FLAGS:
        if not isinstance(value, bool):
            raise ValueError(f"{name}: true or false")
    elif name == "warnings" or (name == "short_term_max_lufs" and value is None):
        return
    elif isinstance(value, bool) or not isinstance(value, int | float) or not -200 <= value <= 200:
        raise ValueError(f"{name}: a number")


BUILTIN: dict[str, Profile] = {
    profile.key: profile
    for profile in (
        Profile(
            key="gy-t-282",
            name="GY/T 282-2014",
            source="GY/T 282-2014: target −24 LKFS, tolerance ±2 LU, maximum true peak −2 dBTP",
            integrated_lufs=-24.0,
            tolerance_lu=2.0,
            true_peak_max_dbtp=-2.0,
        ),
        Profile(
            key="ebu-r128",
            name="EBU R 128",
            source="EBU R 128 (2020): −23.0 LUFS (±1.0 LU), maximum true peak −1 dBTP",
            integrated_lufs=-23.0,
            tolerance_lu=1.0,
            true_peak_max_dbtp=-1.0,
        ),
        Profile(
            key="atsc-a85",
            name="ATSC A/85",
            source="ATSC A/85:2013 (RP): target −24 LKFS ±2 dB, true peak ≤ −2 dBTP",
            integrated_lufs=-24.0,
            tolerance_lu=2.0,
            true_peak_max_dbtp=-2.0,
        ),
    )
}
