"""Scripts and documents attached to an asset: text in two encodings, Word and PDF, refused when not text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from avbase.core.errors import AvbaseError
from avbase.media.documents import read_document

DOCX_BODY = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    "<w:p><w:r><w:t>第一场 日 外 西湖</w:t></w:r></w:p><w:p/>"
    "<w:p><w:r><w:t>小林：</w:t></w:r><w:r><w:t>今晚的夜景真美。</w:t></w:r></w:p>"
    "</w:body></w:document>"
)


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of Helvetica text, written by hand (no PDF library is needed)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]  # fmt: skip
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_text_word_and_pdf_scripts_become_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("第一场\n\n  西湖   夜景 \n".encode("gb18030"))
    assert read_document(tmp_path / "a.txt") == ["第一场", "西湖 夜景"]
    with zipfile.ZipFile(tmp_path / "a.docx", "w") as archive:
        archive.writestr("word/document.xml", DOCX_BODY)
    assert read_document(tmp_path / "a.docx") == ["第一场 日 外 西湖", "小林：今晚的夜景真美。"]
    (tmp_path / "a.pdf").write_bytes(minimal_pdf("Scene one: the lake at night"))
    assert read_document(tmp_path / "a.pdf") == ["Scene one: the lake at night"]


def test_what_is_not_a_document_is_refused_by_its_bytes(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 100)
    (tmp_path / "y.docx").write_bytes(b"PK\x03\x04 broken zip")
    (tmp_path / "z.txt").write_text("   \n\n", encoding="utf-8")
    for name in ("x.txt", "y.docx", "z.txt"):
        with pytest.raises(AvbaseError) as refused:
            read_document(tmp_path / name)
        assert refused.value.field == "file"
