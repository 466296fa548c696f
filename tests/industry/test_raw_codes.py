"""No raw code reaches a reader: the pages a newcomer visits, rendered in Chinese and in English, are scanned
for identifier-like strings (snake_case names, dotted job kinds and measure slugs, enum values shown as is,
scientific notation, bare region codes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from avbase.core.accounts.models import User
from avbase.i18n_labels import label_values
from tests.conftest import login

IDENTIFIER = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b"  # snake_case: recognition_level, speech_model_path
    r"|\b[a-z]+[0-9]*\.[a-z0-9]+(?:[._-][a-z0-9]+)+\b"  # dotted: media.analyse, hn2023.1.innovation-platforms
    r"|\b\d\.\d+e[+-]\d+\b"  # scientific notation
)
# Enum values that read as English words in a Chinese page when shown untranslated.
ENUM_WORDS = {value for value in label_values() if re.fullmatch(r"[a-z][a-z_]+", value)}
ALLOWED = {"avbase"}


class VisibleText(HTMLParser):
    """Text a reader sees: no scripts, styles, attributes or code samples."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre", "template"):
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre", "template") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


# What looks like code but is the user's own data: file names, web and e-mail addresses.
NOT_CODE = re.compile(
    r"\S+\.(?:json|csv|xlsx?|pdf|docx?|txt|srt|ass|vtt|mp4|webm|mov|mkv|mxf|wav|mp3|png|jpe?g|zip)\b"
    r"|https?://\S+|\S+@\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:cn|com|org|net)\b"
)


def raw_codes(text: str, *, chinese: bool) -> list[str]:
    text = NOT_CODE.sub(" ", text)
    found = [m.group(0) for m in IDENTIFIER.finditer(text) if m.group(0) not in ALLOWED]
    found += re.findall(r"(?<![\d,.])\b\d{6}\b(?![\d,.])", text)  # a region code: 330106
    if chinese:
        words = re.findall(r"(?<![A-Za-z_./-])[a-z][a-z_]+(?![A-Za-z_./-])", text)
        found += [word for word in words if word in ENUM_WORDS]
        found += re.findall(r"(?<![.\w])[a-z]+[0-9]*-[a-z0-9-]+\b", text)  # a slug: zj-city
    return found


def scan(client: TestClient, paths: list[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for path in paths:
        for lang in ("zh_Hans", "en"):
            url = path + ("&" if "?" in path else "?") + f"lang={lang}"
            response = client.get(url)
            assert response.status_code == 200, url
            codes = raw_codes(visible_text(response.text), chinese=lang == "zh_Hans")
            if codes:
                problems[url] = sorted(set(codes))[:8]
    return problems


def test_the_scanner_finds_what_it_is_for() -> None:
    page = (
        "<p>状态 done · 事实 recognition_level · hn2023.1.innovation-platforms · 1.86e+11 · 区域 330106 · "
        "定义 zj-city · 金额 123,456 · 信用代码 91330106MA2XXXXXX1 · 文件 shots-1.0.json · "
        "网址 https://cloud.example.cn/a_b · data@hunnu.example.cn</p><script>a_b</script>"
    )
    assert raw_codes(visible_text(page), chinese=True) == [
        "recognition_level",
        "hn2023.1.innovation-platforms",
        "1.86e+11",
        "330106",
        "done",
        "zj-city",
    ]


def test_an_officers_pages_show_no_raw_codes(
    client: TestClient,
    officer_user: User,
    province: dict[str, int],
) -> None:
    login(client, officer_user.username)
    paths = [
        "/",
        "/industry",
        "/industry?by=park",
        "/industry?by=county&region=3301",
        "/industry/enterprises",
        f"/industry/enterprises/{province['a']}",
        f"/industry/enterprises/{province['a']}/report",
        "/industry/index",
        "/industry/imports",
        "/industry/rankings",
        "/industry/parks",
        f"/industry/parks/{province['park']}",
        "/industry/projects",
        f"/industry/projects/{province['project']}",
        "/policy",
        "/policy/applications",
        "/policy/rounds",
        "/media",
        "/search",
        "/jobs",
        "/notifications",
        "/notifications/preferences",
        "/organisations",
        "/account",
    ]
    assert scan(client, paths) == {}


def test_an_enterprises_pages_show_no_raw_codes(
    client: TestClient,
    make_user: Callable[..., User],
    province: dict[str, int],
) -> None:
    staff = make_user()
    login(client, staff.username)
    assert (
        scan(
            client,
            ["/", "/policy", "/policy/applications", "/media", "/search", "/notifications", "/account"],
        )
        == {}
    )


def test_the_built_in_index_notes_are_known_to_the_catalogue() -> None:
    """Bulletins show a definition's note in the reader's language: the built-in notes must stay the strings
    the catalogue translates."""
    import tomllib

    from avbase.industry.index_service import DATA_DIR, DEFAULT_NOTES

    with (DATA_DIR / "index-definitions.toml").open("rb") as handle:
        notes = [d["note"] for d in tomllib.load(handle)["definitions"]]
    assert notes == list(DEFAULT_NOTES)


def test_every_audited_table_has_a_label_for_the_audit_and_activity_lists() -> None:
    """Recent activity and the audit log name what changed by its table: each audited one reads as words."""
    from avbase.core.audit import Audited
    from avbase.core.db import Base
    from avbase.i18n_labels import ENTITY_TYPES

    audited = {m.class_.__tablename__ for m in Base.registry.mappers if issubclass(m.class_, Audited)}
    assert sorted(audited - set(ENTITY_TYPES)) == []
