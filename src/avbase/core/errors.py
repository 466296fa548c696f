"""Errors that carry a message for the user, raised by services and shown by web, API and CLI."""

from __future__ import annotations


class AvbaseError(Exception):
    """A failure the user can act on. ``message`` is an English msgid, translated when shown."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(AvbaseError):
    status_code = 404


class Forbidden(AvbaseError):
    status_code = 403


class Conflict(AvbaseError):
    status_code = 409


class Unauthenticated(AvbaseError):
    status_code = 401


class RateLimited(AvbaseError):
    status_code = 429


class InvalidValue(ValueError):
    """Raised by validators: a msgid with parameters, translated where it is shown (form, API, import)."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params
