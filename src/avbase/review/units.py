"""The unit of every measured value of the QC report, one table for the page, the CLI, the PDF and the
JSON. JSON keeps plain numbers: a finding names the unit of its ``value`` and ``limit`` in ``unit``; the
loudness block names it in each key's suffix (``integrated_lufs``, ``lra_lu``, ``true_peak_at_s``); times
(``start``, ``end``, ``duration``) are seconds."""

from __future__ import annotations

from avbase.core.i18n import N_, _

# the unit of a finding's value and limit, by kind (a term hit measures nothing)
UNIT_OF_KIND = {
    "loudness": "LUFS",
    "short_term": "LUFS",
    "true_peak": "dBTP",
    "black": "s",
    "freeze": "s",
    "silence": "s",
    "silent_channel": "s",
    "clipping": "samples",
    "flash": "flashes/s",
    "pattern": "pairs",  # light-dark pairs of stripes
}
# the loudness block's keys, by suffix
SUFFIX_UNITS = {"_lufs": "LUFS", "_lu": "LU", "_dbtp": "dBTP", "_dbfs": "dBFS", "_s": "s"}
LOUDNESS_LABELS = {
    "integrated_lufs": N_("Integrated loudness"),
    "lra_lu": N_("Loudness range"),
    "momentary_max_lufs": N_("Maximum momentary loudness"),
    "short_term_max_lufs": N_("Maximum short-term loudness"),
    "true_peak_dbtp": N_("True peak"),
    "sample_peak_dbfs": N_("Sample peak"),
    "true_peak_at_s": N_("True peak at"),
}
# units written in words are translated; the others (LUFS, LU, dBTP, dBFS) are the same in every language
UNIT_WORDS = {
    "s": N_("s"),
    "samples": N_("samples"),
    "flashes/s": N_("flashes/s"),
    "pairs": N_("stripe pairs"),
}
DIGITS = {"samples": 0, "pairs": 1}
TIME_UNITS = {"start": "s", "end": "s", "duration": "s"}


def unit_of(kind: str) -> str:
    return UNIT_OF_KIND.get(kind, "")


def key_unit(key: str) -> str:
    """The unit named by a loudness key's suffix; reports stored before the suffixes had ``true_peak_at``."""
    if key == "true_peak_at":
        return "s"
    return next((unit for suffix, unit in SUFFIX_UNITS.items() if key.endswith(suffix)), "")


def unit_text(unit: str) -> str:
    return _(UNIT_WORDS[unit]) if unit in UNIT_WORDS else unit


def with_unit(value: float | None, unit: str, digits: int = 2) -> str:
    """``-20.53 LUFS``, ``2.40 s``, ``128 samples``; empty for no value."""
    if value is None:
        return ""
    number = f"{value:.{DIGITS.get(unit, digits)}f}"
    word = unit_text(unit)
    return f"{number} {word}" if word else number


def measured(value: float | None, kind: str) -> str:
    return with_unit(value, unit_of(kind))


def loudness_rows(loudness: dict[str, float] | None) -> list[tuple[str, str]]:
    """(label, value with its unit) of each measure of a stored loudness block."""
    rows = []
    for key, value in (loudness or {}).items():
        name = LOUDNESS_LABELS.get("true_peak_at_s" if key == "true_peak_at" else key)
        rows.append((_(name) if name else key, with_unit(value, key_unit(key))))
    return rows
