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
from tests.industry.conftest import make_enterprise, officer, officer_user  # noqa: F401  (fixtures)
from tests.industry.test_pages import province  # noqa: F401

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


def raw_codes(text: str, *, chinese: bool) -> list[str]:
    found = [m.group(0) for m in IDENTIFIER.finditer(text) if m.group(0) not in ALLOWED]
    if chinese:
        words = re.findall(r"(?<![A-Za-z_./-])[a-z][a-z_]+(?![A-Za-z_./-])", text)
        found += [word for word in words if word in ENUM_WORDS]
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
    page = "<p>状态 done · 事实 recognition_level · hn2023.1.innovation-platforms · 1.86e+11</p><script>a_b</script>"
    assert raw_codes(visible_text(page), chinese=True) == [
        "recognition_level",
        "hn2023.1.innovation-platforms",
        "1.86e+11",
        "done",
    ]


def test_an_officers_pages_show_no_raw_codes(
    client: TestClient, officer_user: User, province: dict[str, int]  # noqa: F811
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
        "/industry/imports",
        "/industry/index",
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
    client: TestClient, make_user: Callable[..., User], province: dict[str, int]  # noqa: F811
) -> None:
    staff = make_user()
    login(client, staff.username)
    assert scan(client, ["/", "/policy", "/policy/applications", "/media", "/search", "/notifications", "/account"]) == {}
