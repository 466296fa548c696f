"""Keep the message catalogues in step with the code.

    python scripts/i18n.py update   # extract msgids, merge them into every locale's messages.po
    python scripts/i18n.py check    # exit 1 if a zh_Hans msgid (or an English enum label) has no translation

Message ids are English; the English catalogue translates only the ``enum:<value>`` labels.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
LOCALE_DIR = SRC / "avbase" / "locale"
KEYWORDS = [
    "_",
    "N_",
    "gettext",
    "ngettext:1,2",
    "AvbaseError",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Unauthenticated",
    "RateLimited",
    "LoginRequired",
    "CsrfFailed",
    "CreditCodeError",
    "InvalidValue",
    "BadCertificate",  # rights: an unreadable deposit certificate
    "IndexRebuilding",  # rights: the fingerprint index could not be read and is being rebuilt
    "FactError",
    "UnsupportedMedia",
    "refuse",  # policy rule traces: Quote.refuse(msgid, ...)
    "note",  # and Quote.note(msgid, ...)
]


def enum_msgids() -> list[str]:
    sys.path.insert(0, str(SRC))
    from avbase.i18n_labels import label_values

    return [f"enum:{value}" for value in label_values()]


def extract() -> Catalog:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        args = [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
        ]
        for keyword in KEYWORDS:
            args += ["-k", keyword]
        subprocess.run([*args, str(SRC)], check=True, capture_output=True)
        with pot.open("rb") as handle:
            template = read_po(handle)
    for msgid in enum_msgids():
        template.add(msgid)
    return template


def load(locale: str) -> Catalog:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale.replace("_Hans", ""))


def save(locale: str, catalog: Catalog) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False, width=120, ignore_obsolete=True)


def update() -> None:
    template = extract()
    for locale in ("zh_Hans", "en"):
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        save(locale, catalog)


def missing() -> list[str]:
    template = extract()
    zh, en = load("zh_Hans"), load("en")
    problems = []
    for message in template:
        if not message.id:
            continue
        zh_message = zh.get(message.id)
        if zh_message is None or not zh_message.string:
            problems.append(f"zh_Hans: {message.id!r}")
        if str(message.id).startswith("enum:"):
            en_message = en.get(message.id)
            if en_message is None or not en_message.string:
                problems.append(f"en: {message.id!r}")
    return problems


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    problems = missing()
    for problem in problems:
        print("untranslated", problem)
    sys.exit(1 if problems and command == "check" else 0)
