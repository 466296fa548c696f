"""Files are judged by what they hold: any zip is not an Office document."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from avbase.core.errors import AvbaseError
from avbase.kit.filetypes import check_spreadsheet, sniff_document


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_office_and_ofd_files_are_told_from_other_zips(tmp_path: Path) -> None:
    docx = _zip(
        tmp_path / "证明.docx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    )
    ofd = _zip(tmp_path / "发票.ofd", {"OFD.xml": b"<ofd:OFD/>"})
    assert sniff_document(docx) == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert sniff_document(ofd) == "application/ofd"
    for name, members in {
        "any.docx": {"readme.txt": b"hello"},
        "types-only.docx": {"[Content_Types].xml": b"<Types/>"},
    }.items():
        with pytest.raises(AvbaseError):
            sniff_document(_zip(tmp_path / name, members))
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(AvbaseError):
        sniff_document(broken)


def test_a_workbook_must_hold_a_workbook(tmp_path: Path) -> None:
    book = Workbook()
    book.save(tmp_path / "报表.xlsx")
    check_spreadsheet(tmp_path / "报表.xlsx")
    document = _zip(
        tmp_path / "其实是文档.xlsx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>"}
    )
    with pytest.raises(AvbaseError) as refused:
        check_spreadsheet(document)
    assert str(tmp_path) not in str(refused.value.message)  # no server path in what the user reads
