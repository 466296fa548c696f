"""Term packs: the file format, folding of variants and disguises, the whitelist, hits mapped back."""

from __future__ import annotations

import pytest

from avbase.review.terms import PackLineError, Term, TermMatcher, fold, parse_pack

TERMS = [Term("赌博", "涉赌", "high"), Term("口交", "低俗", "high"), Term("最佳", "广告法禁用语", "low")]
PACK = TermMatcher([*TERMS, Term("casino", "涉赌", "medium")], whitelist=["路口交通"])


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("这里可以网上赌博吗", "赌博"),
        ("這裡可以網上賭博嗎", "賭博"),  # traditional
        ("来赌.博吧", "赌.博"),  # a symbol inside
        ("来赌 博吧", "赌 博"),  # a space inside
        ("来赌赌博吧", "赌赌博"),  # a repeated character
        ("来赌　—　博吧", "赌　—　博"),  # full-width space and a dash
        ("Best CASINO online", "CASINO"),  # case
        ("Ｃａｓｉｎｏ night", "Ｃａｓｉｎｏ"),  # full width
    ],
)
def test_variants_and_disguises_hit_and_map_back(text: str, matched: str) -> None:
    hits = PACK.find(text)
    assert [hit.matched for hit in hits] == [matched]
    assert text[hits[0].start : hits[0].end] == matched
    assert hits[0].term in ("赌博", "casino")


def test_whitelisted_phrase_hides_the_term_inside_it_but_not_elsewhere() -> None:
    assert PACK.find("前方路口交通管制") == []
    hits = PACK.find("路口交通管制，另有口交内容")
    assert [(hit.term, hit.start) for hit in hits] == [("口交", 9)]
    assert "另有口交内容" in hits[0].context


def test_latin_terms_stand_as_words() -> None:
    assert PACK.find("casinos and the occasion") == []
    assert [hit.category for hit in PACK.find("a casino.")] == ["涉赌"]


def test_several_hits_in_order_with_their_category_and_severity() -> None:
    hits = PACK.find("最佳赌博平台")
    assert [(hit.term, hit.category, hit.severity) for hit in hits] == [
        ("最佳", "广告法禁用语", "low"),
        ("赌博", "涉赌", "high"),
    ]


def test_fold_keeps_positions() -> None:
    folded = fold("Ａ, 賭 賭博!")
    assert folded.text == "a赌博"
    assert folded.positions.tolist() == [0, 3, 6]


def test_pack_file_format() -> None:
    data = "# 涉赌\n赌博,涉赌,高\n\n博彩,涉赌\n刷单\n最佳,广告法禁用语,low\n".encode()
    assert parse_pack(data) == [
        Term("赌博", "涉赌", "high"),
        Term("博彩", "涉赌", "high"),
        Term("刷单", "", "high"),
        Term("最佳", "广告法禁用语", "low"),
    ]


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        ("赌博\n博彩,涉赌,urgent\n".encode(), 2, "severity"),
        ("赌博\n,涉赌\n".encode(), 2, "empty"),
        (b"a,b,high,x\n", 1, "three fields"),
        ("赌博\n\n賭博\n".encode(), 3, "line 1"),
        ("赌博\n...\n".encode(), 2, "no letters"),
        ("赌博\n".encode() + "博彩".encode("gbk"), 2, "UTF-8"),
    ],
)
def test_bad_lines_are_named(data: bytes, line: int, message: str) -> None:
    with pytest.raises(PackLineError) as raised:
        parse_pack(data)
    assert raised.value.line == line
    assert message in str(raised.value)
