"""Scripts and other documents attached to an asset, as paragraphs of text for search: plain text (UTF-8 or
GB18030), Word (.docx) and PDF, told apart by their bytes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_
from avbase.kit.text import UnreadableText, decode_text

DOCUMENT_MAX_BYTES = 20 << 20
MAX_PARAGRAPHS = 20_000
_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BLANK = re.compile(r"\n\s*\n")


def _docx(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            body = archive.read("word/document.xml")
        root = ElementTree.fromstring(body)  # noqa: S314 (our own upload, size-capped; no entities are expanded)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise AvbaseError(N_("The file is not a text, Word (.docx) or PDF document."), field="file") from exc
    return ["".join(t.text or "" for t in p.iter(f"{_WORD}t")) for p in root.iter(f"{_WORD}p")]


def _pdf(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise AvbaseError(N_("The PDF could not be read: {reason}"), field="file", reason=str(exc)) from exc
    return [part for page in pages for part in _BLANK.split(page)]


def _text(data: bytes) -> list[str]:
    try:
        text, _encoding, _marked = decode_text(data)
    except UnreadableText:
        text = "\x00"
    if "\x00" in text:
        raise AvbaseError(N_("The file is not a text, Word (.docx) or PDF document."), field="file")
    return text.splitlines()


def read_document(path: Path) -> list[str]:
    """The document's paragraphs, blank ones dropped, whitespace tidied."""
    if path.stat().st_size > DOCUMENT_MAX_BYTES:
        raise AvbaseError("The file is larger than {limit} MB.", field="file", limit=DOCUMENT_MAX_BYTES >> 20)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF"):
        raw = _pdf(path)
    elif head.startswith(b"PK\x03\x04"):
        raw = _docx(path)
    else:
        raw = _text(path.read_bytes())
    paragraphs = [" ".join(part.split()) for part in raw]
    kept = [p for p in paragraphs if p][:MAX_PARAGRAPHS]
    if not kept:
        raise AvbaseError(N_("The document holds no text."), field="file")
    return kept
