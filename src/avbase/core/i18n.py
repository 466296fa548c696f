"""Translations from Babel message catalogues (``locale/<lang>/LC_MESSAGES/messages.po``).

Message ids are English. The active locale lives in a context variable set per request (or per CLI run),
so services, templates and error handlers all translate alike. Params use ``str.format`` syntax.
"""

from __future__ import annotations

import io
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_Hans", "en")
DEFAULT_LOCALE = "zh_Hans"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: ContextVar[str] = ContextVar("avbase_locale", default=DEFAULT_LOCALE)


@cache
def catalogue(locale: str) -> Translations:
    """Compile the .po in memory, so the catalogue has one source of truth and no build step."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale.replace("_Hans", ""))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> Token[str]:
    return _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def reset_locale(token: Token[str]) -> None:
    _current.reset(token)


def gettext(msgid: str, /, **params: object) -> str:
    text = catalogue(get_locale()).gettext(msgid)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    text = catalogue(get_locale()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


_ = gettext


def negotiate(
    *, requested: str | None, stored: str | None, accept_language: str | None, default: str = DEFAULT_LOCALE
) -> str:
    """Pick a locale: an explicit choice, then the user's saved one, then the browser's, then the default."""
    for candidate in (requested, stored):
        if candidate in LOCALES:
            return candidate
    if accept_language:
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().lower()
            if tag.startswith("zh"):
                return "zh_Hans"
            if tag.startswith("en"):
                return "en"
    return default


def N_(msgid: str) -> str:
    """Mark a msgid for extraction without translating it now (it is translated where it is shown)."""
    return msgid


def label(value: object) -> str:
    """Translate an enum value (role, kind, state, action): its msgid is ``enum:<value>``."""
    raw = getattr(value, "value", value)
    key = f"enum:{raw}"
    text = gettext(key)
    return str(raw) if text == key else text
