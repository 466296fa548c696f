"""Subtitle files in every encoding a Chinese user meets, imported the same way from the web page, the API
and the CLI, and refused with the line at fault when they cannot be read."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.errors import AvbaseError
from avbase.kit.text import decode_text as decode
from avbase.media import service
from avbase.media.subtitles import read_subtitle_file
from tests.conftest import init_with_studio, login, run_cli
from tests.media.synthetic import hevc_clip

SIMPLIFIED = ("数字人主播正在播报新闻，欢迎收看！", "马栏山视频文创园")
TRADITIONAL = ("數位人主播正在播報新聞，歡迎收看！", "影視產業協作網")


def srt(lines: tuple[str, str]) -> str:
    return f"1\n00:00:01,000 --> 00:00:02,500\n{lines[0]}\n\n2\n00:00:03,000 --> 00:00:04,200\n{lines[1]}\n"


def vtt(lines: tuple[str, str]) -> str:
    return f"WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n{lines[0]}\n\n00:03.000 --> 00:04.200\n{lines[1]}\n"


def ass(lines: tuple[str, str]) -> str:
    return (
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        f"Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{{\\b1}}{lines[0]}\n"
        f"Dialogue: 0,0:00:03.00,0:00:04.20,Default,,0,0,0,,{lines[1]}\n"
    )


# (how the bytes are written, what is reported, whether a byte order mark is reported, the text)
ENCODINGS = [
    ("utf-8", "utf-8", False, SIMPLIFIED),
    ("utf-8-sig", "utf-8", True, SIMPLIFIED),
    ("utf-16", "utf-16-le", True, SIMPLIFIED),  # Python writes little-endian with a mark, as Windows does
    ("utf-16-be", "utf-16-be", False, SIMPLIFIED),
    ("utf-16-le", "utf-16-le", False, TRADITIONAL),
    ("gb18030", "gb18030", False, SIMPLIFIED),
    ("gbk", "gb18030", False, SIMPLIFIED),
    ("gb2312", "gb18030", False, SIMPLIFIED),
    ("gbk", "gb18030", False, TRADITIONAL),  # traditional characters in GBK stay GBK
    ("big5", "big5", False, TRADITIONAL),
    ("cp950", "big5", False, TRADITIONAL),
]


@pytest.mark.parametrize("maker", [srt, vtt, ass], ids=["srt", "webvtt", "ass"])
@pytest.mark.parametrize(("written", "reported", "marked", "lines"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_every_encoding_of_every_format_is_read_and_named(
    tmp_path: Path,
    maker: Callable[[tuple[str, str]], str],
    written: str,
    reported: str,
    marked: bool,
    lines: tuple[str, str],
) -> None:
    path = tmp_path / "a.sub"
    path.write_bytes(maker(lines).encode(written))
    read = read_subtitle_file(path)
    assert (read.encoding, read.byte_order_mark) == (reported, marked)
    assert [(cue.start, cue.end, cue.text) for cue in read.cues] == [
        (1.0, 2.5, lines[0]),
        (3.0, 4.2, lines[1]),
    ]


def test_big5_and_gbk_of_a_longer_file_are_told_apart() -> None:
    """Big5 bytes also decode as GB18030 (into nonsense): the reading with common characters wins."""
    simplified = "".join(srt((f"第{n}句：{SIMPLIFIED[0]}", SIMPLIFIED[1])) for n in range(20))
    traditional = "".join(srt((f"第{n}句：{TRADITIONAL[0]}", TRADITIONAL[1])) for n in range(20))
    assert decode(simplified.encode("gbk"))[:2] == (simplified, "gb18030")
    assert decode(traditional.encode("big5"))[:2] == (traditional, "big5")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("1\n00:00:01,000 --> 00:00:02,500\n好\n\n2\n00:00:03,000 --> 00:0x:04,200\n坏\n".encode(), 6, "times"),
        (ass(SIMPLIFIED).replace("0:00:03.00,", "3 seconds,").encode("gbk"), 7, "dialogue"),
        (b"1\n00:00:01,000 --> 00:00:02,500\nok\n\n2\n00:00:03,000 --> 00:00:04,200\n\xff\xfe\x80\x80\n", 7,
         "cannot be read as text"),
        ("\ufeff1\n00:00:01,000 --> 00:00:02,500\n好\n".encode() + b"\xff\n", 4, "not valid UTF-8"),
    ],
    ids=["srt-times", "ass-dialogue", "no-encoding", "broken-utf8-with-mark"],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_naming_the_line(
    tmp_path: Path, content: bytes, line: int, message: str
) -> None:
    (tmp_path / "bad.srt").write_bytes(content)
    with pytest.raises(AvbaseError) as refused:
        read_subtitle_file(tmp_path / "bad.srt")
    assert refused.value.field == "file" and refused.value.params["line"] == line
    assert message in refused.value.message.format(**refused.value.params)


def test_the_web_page_and_the_api_import_any_encoding_through_one_service(
    client: TestClient,
    db: Session,
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
    tmp_path: Path,
) -> None:
    owner = make_user(role=Role.enterprise_staff)
    stranger = make_user(role=Role.enterprise_staff)
    asset, _ = service.ingest(db, Principal.of(owner), hevc_clip(tmp_path / "c.mp4", transfer="arib-std-b67"),
                              file_name="c.mp4", move=False)  # fmt: skip
    db.commit()
    imported = client.post(f"/api/v1/media/assets/{asset.id}/subtitles", headers=api_token(owner),
                           files={"file": ("tw.srt", srt(TRADITIONAL).encode("big5"))}, data={"language": "zh-Hant"})  # fmt: skip
    assert imported.status_code == 200
    assert imported.json() == {
        "track": "tw.srt (zh-Hant)",
        "cues": 2,
        "encoding": "big5",
        "language": "zh-Hant",
    }
    bad_language = client.post(f"/api/v1/media/assets/{asset.id}/subtitles", headers=api_token(owner),
                               files={"file": ("tw.srt", srt(TRADITIONAL).encode())}, data={"language": "中文"})  # fmt: skip
    assert bad_language.status_code == 400 and bad_language.json()["errors"][0]["field"] == "language"
    refused = client.post(f"/api/v1/media/assets/{asset.id}/subtitles", headers=api_token(stranger),
                          files={"file": ("x.srt", srt(SIMPLIFIED).encode("gbk"))})  # fmt: skip
    assert refused.status_code == 404

    csrf = login(client, owner.username)
    page_import = client.post(f"/media/{asset.id}/subtitles", data={"csrf_token": csrf, "language": "zh"},
                              files={"file": ("zh.ass", ass(SIMPLIFIED).encode("gb18030"))},
                              follow_redirects=False)  # fmt: skip
    assert page_import.status_code == 303
    page = client.get(f"/media/{asset.id}").text
    assert SIMPLIFIED[1] in page and TRADITIONAL[1] in page
    assert (
        'data-testid="subtitle-encoding">GB18030<' in page and 'data-testid="subtitle-encoding">BIG5<' in page
    )
    broken = client.post(f"/media/{asset.id}/subtitles", data={"csrf_token": csrf},
                         files={"file": ("zh.srt", b"1\n00:00:01,000 --> 00:00:02\n\xd6\xd0\n")})  # fmt: skip
    assert broken.status_code == 422 and "第 2 行" in broken.text  # in the user's language
    db.expire_all()
    events = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "media.subtitles").order_by(AuditEntry.id)
    ).all()
    assert [e.after for e in events] == [
        {"track": "tw.srt (zh-Hant)", "cues": 2, "encoding": "big5"},
        {"track": "zh.ass (zh)", "cues": 2, "encoding": "gb18030"},
    ]


def test_the_cli_imports_a_gbk_file_as_the_page_does(tmp_path: Path) -> None:
    def avbase(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(tmp_path / "var", *args)

    init_with_studio(tmp_path / "var")
    clip = hevc_clip(tmp_path / "clip.mp4", transfer="arib-std-b67")
    asset_id = json.loads(avbase("media", "ingest", str(clip), "--org", "Studio", "--json").stdout)[0]["id"]
    (tmp_path / "zh.srt").write_bytes(srt(SIMPLIFIED).encode("gbk"))
    done = avbase("media", "subtitles", str(asset_id), str(tmp_path / "zh.srt"), "--language", "zh", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "asset": asset_id, "track": "zh.srt (zh)", "cues": 2, "encoding": "gb18030", "language": "zh",
    }  # fmt: skip
    shown = json.loads(avbase("media", "show", str(asset_id), "--json").stdout)
    assert [(row["track"], row["text"]) for row in shown["text"]] == [
        ("zh.srt (zh)", SIMPLIFIED[0]), ("zh.srt (zh)", SIMPLIFIED[1]),
    ]  # fmt: skip
    plain = avbase("media", "subtitles", str(asset_id), str(tmp_path / "zh.srt"))
    assert plain.returncode == 0 and "GB18030" in plain.stdout
    (tmp_path / "bad.srt").write_bytes(b"1\n00:00:01,000 --> soon\nx\n")
    bad = avbase("media", "subtitles", str(asset_id), str(tmp_path / "bad.srt"), "--json")
    assert bad.returncode == 2 and "Line 2" in bad.stderr
    missing = avbase("media", "subtitles", "999", str(tmp_path / "zh.srt"), "--json")
    assert missing.returncode == 1 and "not found" in missing.stderr
