"""A file made in memory, sent as a download."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response


def attachment(body: bytes, *, media_type: str, name: str) -> Response:
    # filename* carries non-ASCII names (Chinese titles) the way RFC 6266 asks.
    disposition = (
        f"attachment; filename=\"{name.encode('ascii', 'replace').decode()}\"; filename*=UTF-8''{quote(name)}"
    )
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
