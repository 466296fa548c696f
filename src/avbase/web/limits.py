"""Request body limits, enforced by FastAPI before a body is read.

Every router is included with :data:`DEFAULT_MAX_BODY` (forms and JSON documents); a route that takes a
file declares ``max_body_size=upload_body(limit)``. The limits are set on routes, not on the application:
FastAPI's application-wide limiter sits outside every middleware. A request whose ``Content-Length`` is
over the limit is refused with 413 when the application first reads it, without taking any of it; a body
sent without a length is cut off with 413 as soon as it passes the limit. The handlers still check the
file itself against the same limit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 2 << 20
MULTIPART_SLACK = 64 << 10  # boundaries, part headers and the other fields of an upload form


def upload_body(file_bytes: int) -> int:
    """The body limit of a route that takes one file of up to ``file_bytes``."""
    return file_bytes + MULTIPART_SLACK


class ExplainTooLarge:
    """FastAPI's limiter answers a bare "Content Too Large" in English; this puts the application's own
    answer in its place (JSON for the API, the error page in the user's language for pages). The
    application's own responses are JSON or HTML, so a plain-text 413 can only be the limiter's."""

    def __init__(self, app: ASGIApp, explain: Callable[[Request], Response]) -> None:
        self.app = app
        self.explain = explain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        async def send_explained(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/plain"):
                    replaced = True
                    await self.explain(Request(scope))(scope, nothing, send)
                    return
            if not replaced:
                await send(message)

        await self.app(scope, receive, send_explained)
