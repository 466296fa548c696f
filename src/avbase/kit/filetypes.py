"""What a file is, judged by its bytes (never by its name), and a safe name to keep it under."""

from __future__ import annotations

import zipfile
from pathlib import Path

from avbase.core.errors import AvbaseError

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .docx are zip archives
# An Office file is a zip with a content-types part and its main part; OFD (GB/T 33190) has OFD.xml.
OFFICE_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/document.xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/workbook.xml",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt/presentation.xml",
}
OFD_MEDIA_TYPE = "application/ofd"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ZIP_MEMBERS = 10_000  # a workbook or document has tens; more is not an Office file


def office_type(path: Path) -> str | None:
    """The media type of a Word, Excel or PowerPoint (OOXML) or OFD file, judged by what the zip holds;
    None for any other zip or a broken one."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(names) > MAX_ZIP_MEMBERS:
        return None
    members = set(names)
    if "OFD.xml" in members:
        return OFD_MEDIA_TYPE
    if "[Content_Types].xml" not in members:
        return None
    return next((media_type for media_type, main in OFFICE_PARTS.items() if main in members), None)


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
        if not head.startswith(ZIP_MAGIC) or office_type(path) != XLSX:
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
}


def sniff_document(path: Path) -> str:
    """The media type of a PDF, PNG or JPEG (by its first bytes) or an Office or OFD file (by its parts)."""
    with path.open("rb") as handle:
        head = handle.read(16)
    for media_type, prefixes in DOCUMENT_MAGIC.items():
        if head.startswith(prefixes):
            return media_type
    if head.startswith(ZIP_MAGIC) and (found := office_type(path)):
        return found
    raise AvbaseError("Attach a PDF, an image (PNG, JPEG) or an Office document.", field="file")
