"""Sensitive-term matching: a pack of terms (with categories and severities) and its whitelist become one
Aho-Corasick automaton; text is folded before matching and every hit is mapped back to where it stands
in the original text.

Folding, the same for terms and text: traditional characters to simplified (OpenCC t2s), full-width forms
to half-width, ASCII letters to lower case; then punctuation, symbols, spaces and control characters are
dropped and a character repeated at once is kept once, so 赌.博, 赌 博, 赌赌博 and 賭博 all read 赌博. A
term made only of ASCII letters and digits must stand as a word (``ass`` does not hit ``class``).

A whitelist phrase that contains a term hides the hits inside it (路口交通 holds 口交). Pure: no database.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs
import numpy as np
from numpy.typing import NDArray

SEVERITIES = ("high", "medium", "low")
SEVERITY_ALIASES = {"高": "high", "中": "medium", "低": "low"}
SEPARATOR = "\ue000"
CONTEXT = 12  # characters of original text each side of a hit


@dataclass(frozen=True)
class Term:
    text: str
    category: str = ""
    severity: str = "high"


class PackLineError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def parse_pack(data: bytes) -> list[Term]:
    """Terms from a UTF-8 file: one term a line, or ``term,category,severity`` (severity high, medium or
    low, or 高/中/低; high when left out). Blank lines and lines starting with ``#`` are skipped. A bad line
    raises PackLineError with its number; so does a term that folds to nothing or comes twice."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackLineError(data[: exc.start].count(b"\n") + 1, "not UTF-8") from exc
    terms: list[Term] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.replace("，", ",").split(",")]
        if len(parts) > 3:
            raise PackLineError(number, "more than three fields (term,category,severity)")
        term = parts[0]
        category = parts[1] if len(parts) > 1 else ""
        severity = parts[2] if len(parts) > 2 else "high"
        severity = SEVERITY_ALIASES.get(severity, severity.lower() or "high")
        if not term:
            raise PackLineError(number, "the term is empty")
        if len(term) > 100 or len(category) > 60:
            raise PackLineError(number, "the term or category is too long")
        if severity not in SEVERITIES:
            raise PackLineError(number, f"severity must be one of {', '.join(SEVERITIES)}")
        key = fold(term).text
        if not key:
            raise PackLineError(number, "the term has no letters or characters")
        if key in seen:
            raise PackLineError(number, f"the same term as line {seen[key]}")
        seen[key] = number
        terms.append(Term(term, category, severity))
    return terms


def parse_whitelist(data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackLineError(data[: exc.start].count(b"\n") + 1, "not UTF-8") from exc
    phrases = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not fold(line).text:
            raise PackLineError(number, "the phrase has no letters or characters")
        phrases.append(line)
    return phrases


@functools.cache
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    converter = _converter()
    converted: str = converter.convert(text)  # type: ignore[attr-defined]
    if len(converted) == len(text):
        return converted
    # a phrase conversion changed the length: convert character by character where it did
    lines = text.split("\n")
    out = []
    for line in lines:
        done: str = converter.convert(line)  # type: ignore[attr-defined]
        if len(done) != len(line):
            done = "".join(
                char if len(c := converter.convert(char)) != 1 else c  # type: ignore[attr-defined]
                for char in line
            )
        out.append(done)
    return "\n".join(out)


@functools.cache
def _ignorable_table() -> NDArray[np.bool_]:
    """For every BMP code point: is it punctuation, a symbol, a separator or a control character?"""
    table = np.zeros(0x10000, bool)
    for code in range(0x10000):
        category = unicodedata.category(chr(code))
        table[code] = category[0] in "PSZ" or category in ("Cc", "Cf")
    return table


@dataclass(frozen=True)
class Folded:
    text: str
    positions: NDArray[np.int64]  # index in the original text of each folded character


def fold(text: str) -> Folded:
    simplified = _simplified(text)
    codes = np.frombuffer(simplified.encode("utf-32-le"), np.uint32).copy()
    wide = (codes >= 0xFF01) & (codes <= 0xFF5E)
    codes[wide] -= 0xFEE0
    codes[codes == 0x3000] = 0x20
    upper = (codes >= 0x41) & (codes <= 0x5A)
    codes[upper] += 0x20
    table = _ignorable_table()
    ignorable = np.ones(codes.size, bool)
    small = codes < 0x10000
    ignorable[small] = table[codes[small]]
    ignorable[~small] = [unicodedata.category(chr(code))[0] in "PSZ" for code in codes[~small].tolist()]
    positions = np.flatnonzero(~ignorable)
    kept = codes[positions]
    if kept.size:
        fresh = np.ones(kept.size, bool)
        fresh[1:] = kept[1:] != kept[:-1]
        positions, kept = positions[fresh], kept[fresh]
    return Folded(kept.astype("<u4").tobytes().decode("utf-32-le"), positions.astype(np.int64))


@dataclass(frozen=True)
class Hit:
    term: str
    category: str
    severity: str
    start: int  # in the original text
    end: int  # exclusive
    matched: str  # the original text of the hit
    context: str  # with the text around it


def _is_word(term: str) -> bool:
    return term.isascii() and term.replace(" ", "").isalnum()


class TermMatcher:
    """One automaton for a pack (version) and its whitelist; ``find`` is safe to call from many threads."""

    def __init__(self, terms: Iterable[Term], whitelist: Iterable[str] = ()) -> None:
        self.terms = list(terms)
        keys: dict[str, list[int]] = {}
        # all terms folded in one call (OpenCC per term costs more than the automaton), split again at a
        # private-use character that folding keeps and no term holds
        joined = SEPARATOR.join(term.text.replace(SEPARATOR, "") for term in self.terms)
        folded_terms = fold(joined).text.split(SEPARATOR) if self.terms else []
        for index, key in enumerate(folded_terms):
            if key:
                keys.setdefault(key, []).append(index)
        self.keys = list(keys)
        self.indexes = [tuple(keys[key]) for key in self.keys]
        self.automaton = ahocorasick_rs.AhoCorasick(self.keys) if self.keys else None
        phrases = sorted({fold(phrase).text for phrase in whitelist} - {""})
        self.whitelist = ahocorasick_rs.AhoCorasick(phrases) if phrases else None

    def find(self, text: str) -> list[Hit]:
        return self.find_many([text])[0]

    def find_many(self, texts: list[str]) -> list[list[Hit]]:
        """The hits in each of ``texts``, folded and matched in one pass (a separator that folding keeps
        stands between them, so no term spans two)."""
        found: list[list[Hit]] = [[] for _ in texts]
        if self.automaton is None or not any(texts):
            return found
        pieces = [text.replace(SEPARATOR, "") for text in texts]
        joined = SEPARATOR.join(pieces)
        starts = np.cumsum([0] + [len(piece) + 1 for piece in pieces[:-1]])
        for start, end, index in self._spans(joined):
            which = int(np.searchsorted(starts, start, side="right")) - 1
            text = pieces[which]
            start, end = start - int(starts[which]), end - int(starts[which])
            term = self.terms[index]
            if _is_word(term.text) and (
                (start > 0 and text[start - 1].isascii() and text[start - 1].isalnum())
                or (end < len(text) and text[end].isascii() and text[end].isalnum())
            ):
                continue
            context = text[max(0, start - CONTEXT) : end + CONTEXT].replace("\n", " ")
            found[which].append(
                Hit(term.text, term.category, term.severity, start, end, text[start:end], context)
            )
        return found

    def _spans(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end exclusive, term index) in ``text`` of every hit outside the whitelist, in order."""
        assert self.automaton is not None
        folded = fold(text)
        if not folded.text:
            return []
        spans: list[tuple[int, int, int]] = []  # folded start, end (inclusive), term index
        for key, start, end in self.automaton.find_matches_as_indexes(folded.text, overlapping=True):
            for index in self.indexes[key]:
                spans.append((start, end - 1, index))
        if spans and self.whitelist is not None:
            allowed = [
                (start, end - 1)
                for _key, start, end in self.whitelist.find_matches_as_indexes(folded.text, overlapping=True)
            ]
            spans = [
                span for span in spans if not any(low <= span[0] and span[1] <= high for low, high in allowed)
            ]
        positions = folded.positions
        return [
            (int(positions[first]), int(positions[last]) + 1, index) for first, last, index in sorted(spans)
        ]
