"""PDF documents (review opinions, certificates, evidence reports, call sheets, bulletins): one renderer.

WeasyPrint lays out the same Jinja templates as the pages, with a print stylesheet (A4, page numbers) and
Debian's CJK fonts. Documents load only what the template embeds: data URIs and files under our static
folder; nothing is fetched over the network.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi.responses import Response

from avbase.core.i18n import get_locale
from avbase.web.templating import environment

STATIC_DIR = Path(__file__).resolve().parent / "static"


class ResourceRefused(ValueError):
    pass


def check_resource(url: str) -> None:
    """Data URIs and our static files only; anything else is refused before it is opened."""
    if url.startswith("data:"):
        return
    if url.startswith("file://"):
        path = Path(unquote(url.removeprefix("file://").split("?")[0])).resolve()
        if path.is_relative_to(STATIC_DIR):
            return
    raise ResourceRefused(f"a PDF may not load {url[:80]}")


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            check_resource(url)
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=("data", "file"))


def data_uri(content: bytes, mime: str = "image/jpeg") -> str:
    """An image embedded in the document itself (frames, thumbnails, charts as SVG)."""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def render_html(template: str, context: dict[str, Any]) -> str:
    values = {"locale": get_locale(), "data_uri": data_uri, **context}
    return environment.get_template(template).render(values)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A template that extends ``pdf/base.html`` rendered to PDF bytes (``title`` names the document)."""
    from weasyprint import HTML

    html = render_html(template, context)
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher())
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"},
    )
