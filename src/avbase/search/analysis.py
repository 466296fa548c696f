"""Text → search terms, the same way for what is indexed and what is asked.

Text is normalised (NFKC, traditional → simplified Chinese with OpenCC, lower case). Chinese is
segmented by jieba (precise mode), with the shipped dictionary of industry names and the operator's own
(``search_user_dict``); a long word also yields the shorter words inside it at the same place, so 文创
finds 文创园. English and other Latin words are stemmed (Snowball), so "editing" finds "edited".
Punctuation and spaces are not terms.

A term's position counts Chinese characters and Latin words before it, not terms: segmentation may cut
the same text differently (a compound here, its parts there), but 马栏山 and 视频 in 马栏山视频 are always
3 apart, which is what a phrase query asks for.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
import opencc
import Stemmer

from avbase.settings import get_settings

SHIPPED_DICTIONARY = Path(__file__).resolve().parent / "userdict.txt"
_WORD = re.compile(r"\w", re.UNICODE)
_LATIN = re.compile(r"^[a-z0-9_]+$")
_lock = threading.Lock()


@dataclass(frozen=True)
class Term:
    text: str
    position: int  # in units: a Chinese character or a Latin word
    start: int  # character offsets in the original text
    end: int
    part: bool = False  # a shorter word inside a longer one


@lru_cache(maxsize=1)
def _converter() -> Any:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _segmenter() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    extra = get_settings().search_user_dict
    for dictionary in (SHIPPED_DICTIONARY, extra):
        if dictionary is not None and dictionary.is_file():
            with dictionary.open("rb") as handle:  # jieba leaves a file it opens itself unclosed
                segmenter.load_userdict(handle)
    return segmenter


def normalise(text: str) -> str:
    """Same length as the input, so offsets into it are offsets into the original."""
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) != len(text):
        folded = "".join(unicodedata.normalize("NFKC", char)[:1] or char for char in text)
    return str(_converter().convert(folded)).lower()


def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word)) if _LATIN.match(word) else word


def _units(text: str) -> list[int]:
    """For each character, the unit it belongs to (see the module text)."""
    units: list[int] = []
    count = -1
    previous_latin = False
    for char in text:
        latin = char.isascii() and (char.isalnum() or char == "_")
        if latin and previous_latin:
            units.append(count)
            continue
        if latin or _WORD.match(char):
            count += 1
        units.append(max(count, 0))
        previous_latin = latin
    return units


def analyse(text: str) -> list[Term]:
    normal = normalise(text)
    units = _units(normal)
    terms: list[Term] = []
    with _lock:  # jieba's tokenizer is not safe across threads
        words = list(_segmenter().tokenize(normal))
        dictionary = _segmenter().FREQ
    for word, start, _end in words:
        stripped = word.strip()
        if not stripped or not _WORD.search(stripped):
            continue
        start += len(word) - len(word.lstrip())
        terms.append(Term(_stem(stripped), units[start], start, start + len(stripped)))
        if len(stripped) > 2 and not _LATIN.match(stripped):
            for offset in range(len(stripped)):
                for length in (2, 3):
                    part = stripped[offset : offset + length]
                    if len(part) == length and part != stripped and dictionary.get(part, 0) > 0:
                        at = start + offset
                        terms.append(Term(part, units[at], at, at + length, part=True))
    return terms


def phrase_of(text: str) -> list[tuple[int, str]]:
    """The main terms with their distance in units from the first one, for phrase queries."""
    main = [term for term in analyse(text) if not term.part]
    if not main:
        return []
    first = main[0].position
    return [(term.position - first, term.text) for term in main]


def warm_up() -> None:
    """Loads the dictionaries (about half a second) before the first search needs them."""
    analyse("预热 warm-up")
