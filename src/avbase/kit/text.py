"""Text files in the encodings Chinese users meet: UTF-8 (with or without a byte order mark), UTF-16 and
UTF-32, GB18030 (and so GBK and GB2312) and Big5, told apart by their bytes. One decoder for every text file
avbase reads: subtitles, CSV imports, plain-text scripts."""

from __future__ import annotations

from collections.abc import Callable

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_


class UnreadableText(AvbaseError):
    status_code = 422


# Byte order marks, longest first (UTF-32 LE begins with the UTF-16 LE mark).
_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Without a mark: UTF-8 first (it almost never decodes text in another encoding by chance), then the two
# Chinese double-byte families. Windows writes Big5 as code page 950; Hong Kong files need HKSCS.
_DOUBLE_BYTE = (("gb18030", "gb18030"), ("big5", "cp950"), ("big5", "big5hkscs"))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf16_without_mark(data: bytes) -> str | None:
    """UTF-16 without a byte order mark: subtitle files are mostly ASCII (times, digits, arrows), whose
    high byte is zero, so one half of the byte positions is mostly zeros and the other half is not."""
    head = data[:4096]
    if len(head) < 16 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0) / (len(head) / 2), head[1::2].count(0) / (len(head) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _punctuation(char: str) -> bool:
    return "\u2000" <= char <= "\u206f" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


def _common_simplified(char: str) -> bool:
    """In GB2312, the character set of everyday simplified Chinese."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return "\u4e00" <= char <= "\u9fff"


def _common_traditional(char: str) -> bool:
    """In Big5's first level, its 5,401 frequently used characters (A440–C67E)."""
    try:
        code = char.encode("cp950")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and (0xA4 <= code[0] <= 0xC5 or (code[0] == 0xC6 and code[1] <= 0x7E))


def _plausibility(text: str, common: Callable[[str], bool]) -> float:
    """Share of the non-ASCII characters that are punctuation or common characters of the encoding's
    script. Big5 bytes read as GB18030 (and the other way round) decode without error into kana, box
    drawing, private-use and rare characters; real text does not."""
    wide = [char for char in text if ord(char) > 0x7F]
    if not wide:
        return 1.0
    return sum(1 for char in wide if _punctuation(char) or common(char)) / len(wide)


def decode_text(data: bytes) -> tuple[str, str, bool]:
    """The text of a file, the encoding it was in and whether it began with a byte order mark;
    refused, naming the first line that no encoding reads, when it is not text."""
    for mark, name in _MARKS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(name), name, True
            except UnicodeDecodeError as exc:
                raise UnreadableText(
                    N_("Line {line} is not valid {encoding} text."),
                    field="file", line=_line_of(data, len(mark) + exc.start), encoding=name.upper(),
                ) from exc  # fmt: skip
    wide = _utf16_without_mark(data)
    if wide:
        try:
            return data.decode(wide), wide, False
        except UnicodeDecodeError:
            pass  # zeros by chance: try the byte encodings
    failures = []
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as exc:
        failures.append(exc.start)
    readings: list[tuple[float, int, str, str]] = []
    for rank, (name, codec) in enumerate(_DOUBLE_BYTE):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            failures.append(exc.start)
            continue
        common = _common_simplified if name == "gb18030" else _common_traditional
        readings.append((_plausibility(text, common), -rank, name, text))
    if readings:
        _score, _rank, name, text = max(readings)  # a tie goes to GB18030, the mainland standard
        return text, name, False
    raise UnreadableText(
        N_("Line {line} cannot be read as text in UTF-8, UTF-16, GB18030 or Big5."),
        field="file", line=_line_of(data, max(failures)),
    )  # fmt: skip
