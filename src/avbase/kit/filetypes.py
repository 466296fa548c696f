"""What a file is, judged by its bytes (never by its name), and a safe name to keep it under."""

from __future__ import annotations

from pathlib import Path

from avbase.core.errors import AvbaseError

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .docx are zip archives


def safe_name(name: str | None, default: str = "upload") -> str:
    """The file's base name with anything but letters, digits, CJK, dot, dash and underscore replaced."""
    base = Path(name or default).name or default
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base)
    return cleaned[-120:] or default


def check_spreadsheet(path: Path) -> None:
    """A .xlsx must be a zip; a .csv must be text (no NUL bytes in its first 64 KiB)."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if not head.startswith(ZIP_MAGIC):
            raise AvbaseError("The file is not an Excel workbook.", field="file")
    elif suffix in (".csv", ".txt"):
        if b"\x00" in head:
            raise AvbaseError("The file is not a text CSV file.", field="file")
    else:
        raise AvbaseError("Unsupported file type {suffix}: use .csv or .xlsx.", field="file", suffix=suffix)


# Evidence attachments: what the bytes must start with, by the type they claim.
DOCUMENT_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/zip": (ZIP_MAGIC,),  # .docx, .xlsx, .ofd
}


def sniff_document(path: Path) -> str:
    """The media type of a PDF, PNG, JPEG or Office (zip) file, judged by its first bytes."""
    with path.open("rb") as handle:
        head = handle.read(16)
    for media_type, prefixes in DOCUMENT_MAGIC.items():
        if head.startswith(prefixes):
            return media_type
    raise AvbaseError("Attach a PDF, an image (PNG, JPEG) or an Office document.", field="file")
