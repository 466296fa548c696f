"""Script breakdown: a Chinese screenplay's lines in, its scenes out (number, time of day, interior or
exterior, location, the characters who speak and the cast listed under 人物, length in eighths of a page).

Pure: no database, no web. The heading styles Chinese scripts use are recognised:

- ``1-1 日 外 江边``, ``12 江边 夜 内``, ``3、江边码头（日/外）`` — a number, then time, setting and
  location in any order (a bare number needs a time or a setting to count as a heading, so numbered lists
  stay text);
- ``第1场 江边 日 外``, ``第十二场：江边``;
- ``场景一：江边`` (with ``时间：日``, ``地点：江边``, ``内外：外`` lines under it when the heading names
  no more).

A page is :data:`PAGE_LINES` lines of :data:`LINE_COLUMNS` full-width characters (an A4 page in a Chinese
screenplay layout); each paragraph takes the lines it wraps to, a heading one more for the space before it.
A scene's length is rounded to eighths of a page, at least one eighth, as stripboards count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_

PAGE_LINES = 50
LINE_COLUMNS = 35
MAX_HEADING_CHARS = 60

TIMES = ("day", "night", "dawn", "dusk")
SETTINGS = ("int", "ext", "int/ext")

# Longest first, so 清晨 wins over 晨 and 内外景 over 内.
_TIME_WORDS = {
    "白天": "day", "白日": "day", "日间": "day", "上午": "day", "中午": "day", "下午": "day", "午后": "day",
    "日": "day", "昼": "day", "day": "day",
    "夜晚": "night", "夜间": "night", "深夜": "night", "午夜": "night", "晚上": "night", "半夜": "night",
    "夜": "night", "晚": "night", "night": "night",
    "清晨": "dawn", "黎明": "dawn", "凌晨": "dawn", "拂晓": "dawn", "破晓": "dawn", "早晨": "dawn",
    "早上": "dawn", "晨": "dawn", "dawn": "dawn", "morning": "dawn",
    "黄昏": "dusk", "傍晚": "dusk", "日落": "dusk", "薄暮": "dusk", "暮": "dusk", "dusk": "dusk",
    "evening": "dusk",
}  # fmt: skip
_SETTING_WORDS = {
    "内外景": "int/ext", "内外": "int/ext", "int/ext": "int/ext", "i/e": "int/ext",
    "内景": "int", "室内": "int", "内": "int", "int": "int", "int.": "int",
    "外景": "ext", "室外": "ext", "外": "ext", "ext": "ext", "ext.": "ext",
}  # fmt: skip
_WORDS = sorted(
    [(w, "time", v) for w, v in _TIME_WORDS.items()] + [(w, "setting", v) for w, v in _SETTING_WORDS.items()],
    key=lambda item: -len(item[0]),
)
_CN_DIGIT_GROUPS = ("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九")
_CN_DIGITS = {char: value for value, chars in enumerate(_CN_DIGIT_GROUPS) for char in chars}
_CN_NUMBER = "[零〇一二两三四五六七八九十百]+"

_NUMBERED = re.compile(
    r"^(?P<number>\d{1,4}(?:[-－—_.]\d{1,4})?[A-Za-z]?)(?:[、.．:：\s]+|(?=[^\d\s]))(?P<rest>.+)$"
)
_DI_CHANG = re.compile(rf"^第\s*(?P<number>\d{{1,4}}|{_CN_NUMBER})\s*[场場](?P<rest>.*)$")
_CHANGJING = re.compile(
    rf"^(?:场景|場景|场次|場次|场|場)\s*(?P<number>\d{{1,4}}(?:-\d{{1,4}})?|{_CN_NUMBER})\s*(?P<rest>.*)$"
)
_TOKEN_SPLIT = re.compile(r"[\s/／|｜,，、·•・:：;；()（）\[\]【】<>《》—–-]+")
_CAST = re.compile(r"^(?:出场)?(?:人物|人員|人员|角色|出场人物)\s*[:：]\s*(?P<names>.*)$")
_FIELD = re.compile(r"^(?P<key>时间|時間|地点|地點|场景|内外|内/外|景别)\s*[:：]\s*(?P<value>.+)$")
_DIALOGUE = re.compile(
    r"^(?P<name>[^:：△▲【\[（(]{1,12}?)\s*(?:[（(](?P<note>[^）)]{0,20})[）)])?\s*[:：](?P<line>.*)$"
)
_PARENTHETICAL = re.compile(r"[（(][^）)]*[）)]")
_VOICE_SUFFIX = re.compile(
    r"\s*(?:画外音|畫外音|旁白|内心独白|独白|o\.?s\.?|v\.?o\.?|\(cont'd\))\s*$", re.IGNORECASE
)
_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z0-9·•. ]{0,9}$")
_CAST_SPLIT = re.compile(r"[、，,；;\s/／]+")
# Labels that sit before a colon but are not people.
_NOT_NAMES = frozenset(
    [
        "人物", "人员", "角色", "时间", "地点", "场景", "内外", "景别", "字幕", "画外音", "旁白", "注",
        "备注", "道具", "服装", "化妆", "内容", "镜头", "特写", "闪回", "叠化", "切", "音乐", "音效",
        "黑场", "转场", "同期声", "字幕卡", "提示", "说明", "梗概", "剧情", "简介", "作者", "编剧",
        "导演", "片名", "剧名", "主题", "插曲", "歌词", "OS", "VO",
    ]
)  # fmt: skip
_VERB_ENDINGS = ("说", "道", "问", "答", "喊", "叫", "想", "骂", "笑", "唱", "写着", "念")
_PRONOUNS = ("他", "她", "它", "我", "你", "大家", "众人", "有人", "这", "那")


@dataclass(frozen=True)
class Scene:
    number: str
    heading: str
    time: str | None
    setting: str | None
    location: str
    cast: tuple[str, ...]
    speaking: tuple[str, ...]
    eighths: int
    first_line: int

    @property
    def characters(self) -> tuple[str, ...]:
        """The listed cast, then those who speak without being listed, each once."""
        return tuple(dict.fromkeys(self.cast + self.speaking))

    @property
    def pages(self) -> str:
        return eighths_label(self.eighths)

    def as_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "time": self.time,
            "setting": self.setting,
            "location": self.location,
            "characters": list(self.characters),
            "cast": list(self.cast),
            "speaking": list(self.speaking),
            "eighths": self.eighths,
            "pages": self.pages,
            "heading": self.heading,
            "line": self.first_line,
        }


@dataclass(frozen=True)
class Breakdown:
    scenes: tuple[Scene, ...]

    @property
    def characters(self) -> tuple[str, ...]:
        """Everyone in any scene, most scenes first (ties in order of first appearance)."""
        counts: dict[str, int] = {}
        for scene in self.scenes:
            for name in scene.characters:
                counts[name] = counts.get(name, 0) + 1
        order = {name: i for i, name in enumerate(counts)}
        return tuple(sorted(counts, key=lambda name: (-counts[name], order[name])))

    @property
    def eighths(self) -> int:
        return sum(scene.eighths for scene in self.scenes)

    def as_dict(self) -> dict[str, object]:
        return {
            "scenes": [scene.as_dict() for scene in self.scenes],
            "characters": list(self.characters),
            "eighths": self.eighths,
            "pages": eighths_label(self.eighths),
        }


def eighths_label(eighths: int) -> str:
    """``11`` eighths as ``1 3/8``, the way stripboards write page counts."""
    whole, part = divmod(eighths, 8)
    if not part:
        return str(whole)
    return f"{whole} {part}/8" if whole else f"{part}/8"


def _cn_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105."""
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _CN_DIGITS[char] if current else _CN_DIGITS[char]
    return total + current


def _scene_number(raw: str) -> str:
    raw = raw.strip()
    if raw and raw[0] in "零〇一二两三四五六七八九十百":
        return str(_cn_number(raw))
    return re.sub(r"[－—_.]", "-", raw)


def _classify(token: str) -> list[tuple[str, str]] | None:
    """A token made only of time and setting words (日外, 夜内景, 日), as (kind, value) pairs; None when it
    is not."""
    found: list[tuple[str, str]] = []
    rest = token.lower()
    while rest:
        for word, kind, value in _WORDS:
            if rest.startswith(word):
                found.append((kind, value))
                rest = rest[len(word) :]
                break
        else:
            return None
    return found


def _combine_settings(values: list[str]) -> str | None:
    if not values:
        return None
    kinds = set(values)
    if "int/ext" in kinds or {"int", "ext"} <= kinds:
        return "int/ext"
    return values[0]


@dataclass
class _Heading:
    number: str
    times: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)


def _read_heading_rest(heading: _Heading, rest: str) -> None:
    for token in _TOKEN_SPLIT.split(rest):
        if not token:
            continue
        words = _classify(token)
        if words is None:
            heading.places.append(token)
            continue
        for kind, value in words:
            (heading.times if kind == "time" else heading.settings).append(value)


def parse_heading(line: str) -> _Heading | None:
    """The scene heading on this line, or None when the line is not one."""
    text = unicodedata.normalize("NFKC", line).strip()
    if not text or len(text) > MAX_HEADING_CHARS:
        return None
    for pattern, needs_time_or_setting in ((_DI_CHANG, False), (_CHANGJING, False), (_NUMBERED, True)):
        match = pattern.match(text)
        if match is None:
            continue
        heading = _Heading(_scene_number(match["number"]))
        _read_heading_rest(heading, match["rest"])
        if needs_time_or_setting and not (heading.times or heading.settings):
            return None
        if needs_time_or_setting and len(heading.places) > 3:
            return None  # a numbered sentence that happens to hold 日 or 外
        return heading
    return None


def _clean_name(raw: str) -> str | None:
    name = _VOICE_SUFFIX.sub("", _PARENTHETICAL.sub("", raw)).strip()
    if not name or name in _NOT_NAMES or not _NAME.match(name):
        return None
    if name.startswith(_PRONOUNS) or (len(name) > 1 and name.endswith(_VERB_ENDINGS)):
        return None
    return name


def speaker(line: str) -> str | None:
    """The character who speaks on a dialogue line (``张三：…``, ``张三（画外音）：…``, ``张三 OS：…``),
    or None."""
    text = unicodedata.normalize("NFKC", line).strip()
    if text.startswith(("△", "▲", "【", "[")):
        return None
    match = _DIALOGUE.match(text)
    if match is None:
        return None
    return _clean_name(match["name"])


def cast_names(line: str) -> list[str] | None:
    """The names on a ``人物：张三、李四（三十岁）`` line, or None when the line is not a cast list."""
    match = _CAST.match(unicodedata.normalize("NFKC", line).strip())
    if match is None:
        return None
    names = _CAST_SPLIT.split(_PARENTHETICAL.sub("", match["names"]))
    return [name for name in (_clean_name(raw) for raw in names if raw) if name]


def _lines_taken(paragraph: str) -> int:
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in paragraph)
    return max(1, -(-columns // (LINE_COLUMNS * 2)))


@dataclass
class _Open:
    heading: _Heading
    text: str
    first_line: int
    cast: list[str] = field(default_factory=list)
    speaking: list[str] = field(default_factory=list)
    lines: int = 2

    def close(self) -> Scene:
        return Scene(
            number=self.heading.number,
            heading=self.text,
            time=self.heading.times[0] if self.heading.times else None,
            setting=_combine_settings(self.heading.settings),
            location=" ".join(self.heading.places),
            cast=tuple(dict.fromkeys(self.cast)),
            speaking=tuple(dict.fromkeys(self.speaking)),
            eighths=max(1, round(self.lines * 8 / PAGE_LINES)),
            first_line=self.first_line,
        )


def _field_line(scene: _Open, line: str) -> bool:
    """时间：/地点：/内外： lines under a heading that named only the scene number."""
    match = _FIELD.match(unicodedata.normalize("NFKC", line).strip())
    if match is None:
        return False
    key, value = match["key"], match["value"]
    if key in ("地点", "地點", "场景"):
        scene.heading.places.append(value.strip())
    else:
        _read_heading_rest(scene.heading, value)
    return True


def breakdown_lines(lines: Iterable[str]) -> Breakdown:
    """Scenes of a screenplay given as lines (or paragraphs) of text; refused when no line is a scene
    heading."""
    scenes: list[Scene] = []
    current: _Open | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        heading = parse_heading(line)
        if heading is not None:
            if current is not None:
                scenes.append(current.close())
            current = _Open(heading, line, number)
            continue
        if current is None:
            continue  # title page, synopsis, character notes before the first scene
        current.lines += _lines_taken(line)
        names = cast_names(line)
        if names is not None:
            current.cast += names
        elif not _field_line(current, line):
            name = speaker(line)
            if name is not None:
                current.speaking.append(name)
    if current is not None:
        scenes.append(current.close())
    if not scenes:
        raise AvbaseError(
            N_(
                "No scene headings were found (for example “1-1 日 外 江边”, “第1场 江边 日 外” or "
                "“场景一：江边”)."
            ),
            field="file",
        )
    return Breakdown(tuple(scenes))


def script_lines(path: Path) -> list[str]:
    """A screenplay file's lines: plain text in any encoding kit/text.py reads, Word (.docx) or PDF. A PDF's
    text is kept line by line (a heading and the dialogue under it must stay apart), the rest comes from the
    media library's document reader."""
    from avbase.media.documents import DOCUMENT_MAX_BYTES, read_document

    with path.open("rb") as handle:
        head = handle.read(8)
    if not head.startswith(b"%PDF"):
        return read_document(path)
    if path.stat().st_size > DOCUMENT_MAX_BYTES:
        raise AvbaseError("The file is larger than {limit} MB.", field="file", limit=DOCUMENT_MAX_BYTES >> 20)
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise AvbaseError(N_("The PDF could not be read: {reason}"), field="file", reason=str(exc)) from exc
    return [" ".join(line.split()) for page in pages for line in page.splitlines() if line.strip()]


def breakdown_file(path: Path) -> Breakdown:
    return breakdown_lines(script_lines(path))
