"""The two seed texts, cleaned of conversion artefacts, and their sentences in simplified Chinese.

The Hunan text came through a web conversion that left pinyin after characters (``關(guān)`` for ``關``);
those are removed, everything else is kept as published. Simplified Chinese is derived with OpenCC.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DOCUMENTS = {
    "hn2023": "hunan-2023-yinshipin.txt",
    "zj2024": "zhejiang-2024-dashiting.txt",
}
_PINYIN = re.compile(r"\([a-zü\u00e0-\u01dc\u0300-\u036f]+\)")


def clean(text: str) -> str:
    """Drops pinyin annotations such as ``(guān)``; parentheses with Chinese inside stay."""
    return _PINYIN.sub("", text)


@cache
def document_text(document: str) -> str:
    return clean((DATA_DIR / DOCUMENTS[document]).read_text(encoding="utf-8"))


@cache
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return str(_converter().convert(text))  # type: ignore[attr-defined]


def appears_in(document: str, sentence: str) -> bool:
    """Whether ``sentence`` is in the document word for word (after artefact cleaning)."""
    return sentence in document_text(document)
