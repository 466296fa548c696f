"""Submitted form fields as text, as typed (uploads and the CSRF token left out)."""

from __future__ import annotations

from fastapi import Request


async def form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}
