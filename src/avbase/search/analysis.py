"""Text → search terms, the same way for what is indexed and what is asked.

Text is normalised (NFKC, traditional → simplified Chinese with OpenCC, lower case). Chinese is
segmented by jieba's dictionary (precise mode, without its guesses at unknown words: those guesses differ
with the neighbouring text, so a name read one way in a caption and another way in the search box would
never meet), with the shipped dictionary of industry names and the operator's own (``search_user_dict``).
Indexed text also yields, at their places, every dictionary word inside it (文创 in 文创园, 研究生 across
研究|生命), every Chinese character, and jieba's guesses at unknown words (a misread caption's 马栏出
is one word a query matches with a character different). Whatever Chinese the search box holds segments
into dictionary words and single characters, so it is found wherever it stands in the text (数字人 in
数字人主播: 数字 and 人 side by side). English and other Latin words are stemmed (Snowball), so
"editing" finds "edited". Punctuation and spaces are not terms.

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


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def analyse(text: str) -> list[Term]:
    normal = normalise(text)
    units = _units(normal)
    terms: list[Term] = []
    with _lock:  # jieba's tokenizer is not safe across threads
        words = list(_segmenter().tokenize(normal, HMM=False))
        inside = _segmenter().get_DAG(normal)  # start → ends of every dictionary word from there
        # jieba's guesses stay as extra terms: an OCR misreading (马栏出 for 马栏山) is one guessed word
        # that a query word matches with one character different.
        guessed = [(start, end) for word, start, end in _segmenter().tokenize(normal) if len(word) > 1]
    main: set[tuple[int, int]] = set()
    for word, start, _end in words:
        stripped = word.strip()
        if not stripped or not _WORD.search(stripped):
            continue
        start += len(word) - len(word.lstrip())
        terms.append(Term(_stem(stripped), units[start], start, start + len(stripped)))
        main.add((start, start + len(stripped)))
    for start, ends in inside.items():
        if not _is_han(normal[start]):
            continue
        for end in {start, *ends}:  # the character itself, and each word beginning with it
            if (start, end + 1) not in main and all(_is_han(char) for char in normal[start : end + 1]):
                terms.append(Term(normal[start : end + 1], units[start], start, end + 1, part=True))
                main.add((start, end + 1))
    for start, end in guessed:
        if (start, end) not in main and all(_is_han(char) for char in normal[start:end]):
            terms.append(Term(normal[start:end], units[start], start, end, part=True))
    # OCR drops spaces between Latin words (25 fpsPhoto, 768x576): the pieces of a Latin word, split where
    # a small letter meets a capital or letters meet digits, are found too.
    for start, end in sorted(main):
        for piece_start, piece_end in _latin_pieces(text, start, end):
            if (piece_start, piece_end) not in main:
                piece = normal[piece_start:piece_end]
                terms.append(Term(_stem(piece), units[start], piece_start, piece_end, part=True))
                main.add((piece_start, piece_end))
    return terms


_PIECE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _latin_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where a Latin word of ``text`` falls apart into pieces (none when it is one piece)."""
    word = text[start:end]
    if not word.isascii() or not word.isalnum():
        return []
    pieces = [(start + match.start(), start + match.end()) for match in _PIECE.finditer(word)]
    return pieces if len(pieces) > 1 else []


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
