"""Submitted forms, read before the handler runs.

Handlers are plain ``def`` functions, run in the thread pool: they do database work, which must never
block the event loop. The form (an async read) is parsed here, as a dependency, so no handler needs to
be ``async``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from avbase.web.validation import check_form_text


async def read_form(request: Request) -> FormData:
    return check_form_text(await request.form())


async def form_values(request: Request) -> dict[str, str]:
    """Submitted form fields as text, as typed (uploads and the CSRF token left out)."""
    form = check_form_text(await request.form())
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}


FormFields = Annotated[dict[str, str], Depends(form_values)]
RawForm = Annotated[FormData, Depends(read_form)]
