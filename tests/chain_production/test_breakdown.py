"""Script breakdown on screenplays written in the heading styles Chinese scripts use, as text, .docx and PDF."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from avbase.chain.scripts.breakdown import (
    PAGE_LINES,
    breakdown_file,
    breakdown_lines,
    cast_names,
    eighths_label,
    parse_heading,
    speaker,
)
from avbase.core.errors import AvbaseError

SCRIPTS = Path(__file__).parent / "scripts"


def rows(path: Path) -> list[tuple[str, str | None, str | None, str, tuple[str, ...]]]:
    return [(s.number, s.time, s.setting, s.location, s.characters) for s in breakdown_file(path).scenes]


def test_dash_numbered_headings_with_cast_lines() -> None:
    assert rows(SCRIPTS / "river_dash.txt") == [
        ("1-1", "day", "ext", "江边码头", ("林秋", "陈默", "老周")),
        ("1-2", "night", "int", "林家堂屋", ("林秋", "林母")),
        ("1-3", "dusk", "int/ext", "渡船", ("陈默", "林秋")),
        ("1-4", "dawn", "ext", "江堤", ("广播",)),
    ]
    result = breakdown_file(SCRIPTS / "river_dash.txt")
    # The character notes before the first heading name nobody; the OS line counts as 陈默 speaking.
    assert result.scenes[2].speaking == ("陈默", "林秋")
    assert result.characters == ("林秋", "陈默", "老周", "林母", "广播")


def test_di_chang_headings_without_cast_lines_in_gb18030(tmp_path: Path) -> None:
    source = tmp_path / "city.txt"
    source.write_bytes((SCRIPTS / "city_dichang.txt").read_text("utf-8").encode("gb18030"))
    assert rows(source) == [
        ("1", "night", "int", "出租车内", ("赵强", "乘客甲")),
        ("2", "night", "ext", "城南路口", ("交警", "赵强", "乘客甲")),
        ("3", "night", "int", "医院急诊室", ("护士", "赵强", "医生")),
        ("12", "dawn", "int", "赵家客厅", ("赵强", "赵妻")),
    ]


def test_changjing_headings_with_time_and_place_lines() -> None:
    assert rows(SCRIPTS / "village_changjing.txt") == [
        ("1", "day", "ext", "村口大榕树下", ("阿婆", "小满", "村长")),
        ("2", "dusk", "int", "小满家厨房", ("阿婆", "小满")),
        ("3", "night", "int/ext", "祠堂", ("村长", "镇干部")),
    ]


def test_mixed_headings_keep_numbered_lists_and_reported_speech_as_text() -> None:
    assert rows(SCRIPTS / "lab_mixed.txt") == [
        ("1", "night", "int", "实验室", ("许教授", "小周")),
        ("2", "day", "ext", "天台", ("小周", "许教授")),
        ("3", "dawn", "int", "走廊", ("保安", "小周")),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1-1 日 外 江边", ("1-1", ["day"], ["ext"], ["江边"])),
        ("1-1 江边 日 外", ("1-1", ["day"], ["ext"], ["江边"])),
        ("5 日外 外滩", ("5", ["day"], ["ext"], ["外滩"])),
        ("第3场 夜总会 夜 内景", ("3", ["night"], ["int"], ["夜总会"])),
        ("第二十一场 日本料理店（傍晚/内）", ("21", ["dusk"], ["int"], ["日本料理店"])),
        ("场景一百零五：内蒙古草原", ("105", [], [], ["内蒙古草原"])),
        ("4.清晨 室外 江堤", ("4", ["dawn"], ["ext"], ["江堤"])),
    ],
)
def test_heading_forms(line: str, expected: tuple[str, list[str], list[str], list[str]]) -> None:
    heading = parse_heading(line)
    assert heading is not None
    assert (heading.number, heading.times, heading.settings, heading.places) == expected


@pytest.mark.parametrize(
    "line", ["1. 一台旧显微镜", "2018年，他回到了江边。", "张三：1-1 日 外", "3、日出之前必须离开"]
)
def test_lines_that_are_not_headings(line: str) -> None:
    assert parse_heading(line) is None


def test_speakers_and_cast_lists() -> None:
    assert speaker("张三（画外音）：你好") == "张三"
    assert speaker("张三(V.O.)：你好") == "张三"
    assert speaker("张三 OS: 你好") == "张三"
    assert speaker("小李（激动地）：") == "小李"
    assert speaker("△桌上写着：禁止入内") is None
    assert speaker("他说：天快变了。") is None
    assert speaker("字幕：三年后") is None
    assert cast_names("人物：林秋、陈默（三十二岁），老周") == ["林秋", "陈默", "老周"]
    assert cast_names("林秋：人物") is None


def test_page_counts_in_eighths() -> None:
    assert [eighths_label(n) for n in (1, 8, 11, 16)] == ["1/8", "1", "1 3/8", "2"]
    # A scene of one full page: the heading's two lines and 48 lines of action.
    lines = ["1-1 日 外 江边"] + ["△" + "江" * 30] * (PAGE_LINES - 2)
    assert breakdown_lines(lines).scenes[0].eighths == 8


def test_a_file_without_headings_is_refused(tmp_path: Path) -> None:
    prose = tmp_path / "novel.txt"
    prose.write_text("第一章\n那一年，江水很大。\n", "utf-8")
    with pytest.raises(AvbaseError) as refused:
        breakdown_file(prose)
    assert refused.value.field == "file"


def _docx(lines: list[str], path: Path) -> Path:
    body = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in lines)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return path


def test_docx_and_pdf_break_down_like_the_text(tmp_path: Path) -> None:
    from weasyprint import HTML

    lines = (SCRIPTS / "village_changjing.txt").read_text("utf-8").splitlines()
    expected = rows(SCRIPTS / "village_changjing.txt")
    assert rows(_docx(lines, tmp_path / "village.docx")) == expected
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    html = f"<html><body style=\"font-family: 'Noto Sans CJK SC', sans-serif\">{paragraphs}</body></html>"
    pdf = tmp_path / "village.pdf"
    pdf.write_bytes(HTML(string=html).write_pdf())
    assert rows(pdf) == expected
