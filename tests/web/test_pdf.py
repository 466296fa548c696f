"""The one PDF renderer: Chinese text laid out with embedded CJK fonts, nothing fetched from outside."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from avbase.web import pdf
from avbase.web.templating import add_template_dir


@pytest.fixture
def template(tmp_path: Path) -> str:
    (tmp_path / "pdf_sample.html").write_text(
        '{% extends "pdf/base.html" %}{% block body %}<p>{{ text }}</p><img src="{{ image }}">{% endblock %}',
        encoding="utf-8",
    )
    add_template_dir(tmp_path)
    return "pdf_sample.html"


def test_chinese_text_is_embedded_and_extractable(template: str) -> None:
    content = pdf.render_pdf(template, {"title": "审查意见", "text": "联审联办：同意播出", "image": ""})
    reader = PdfReader(io.BytesIO(content))
    text = reader.pages[0].extract_text()
    assert "联审联办" in text and "审查意见" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), fonts


def test_remote_resources_are_never_fetched(template: str) -> None:
    # WeasyPrint logs and skips a resource its fetcher refuses: the document renders without it.
    content = pdf.render_pdf(template, {"title": "t", "text": "x", "image": "http://127.0.0.1:9/x.png"})
    assert content.startswith(b"%PDF")
    with pytest.raises(pdf.ResourceRefused):
        pdf.check_resource("http://127.0.0.1:9/x.png")
    with pytest.raises(pdf.ResourceRefused):
        pdf.check_resource("file:///etc/passwd")


def test_pdf_response_names_the_file() -> None:
    response = pdf.pdf_response(b"%PDF-1.7", "审查意见 1.pdf")
    assert response.media_type == "application/pdf"
    assert "filename*=UTF-8''%E5%AE%A1" in response.headers["content-disposition"]
