"""Text analysis and the query language (no index needed)."""

from __future__ import annotations

from avbase.search.analysis import analyse, phrase_of
from avbase.search.query import AllOf, AnyOf, NotQuery, Words, parse


def main_terms(text: str) -> list[str]:
    return [term.text for term in analyse(text) if not term.part]


def test_chinese_is_segmented_traditional_folds_to_simplified_and_english_is_stemmed() -> None:
    assert main_terms("欢迎来到马栏山视频文创园") == ["欢迎", "来到", "马栏山视频文创园"]
    assert {"马栏山", "视频", "文创园"} <= {t.text for t in analyse("马栏山视频文创园") if t.part}
    assert main_terms("馬欄山視頻") == main_terms("马栏山视频")
    assert main_terms("Editing the FILMS, edited!") == ["edit", "the", "film", "edit"]
    assert main_terms("！？…  ") == []


def test_positions_count_characters_and_latin_words_so_phrases_survive_other_segmentations() -> None:
    assert phrase_of("马栏山 视频") == phrase_of("马栏山视频") == [(0, "马栏山"), (3, "视频")]
    assert phrase_of("lake,  at night") == [(0, "lake"), (1, "at"), (2, "night")]


def test_latin_words_run_together_by_ocr_are_found_by_their_pieces() -> None:
    terms = {term.text: term for term in analyse("1024 x 768 25 fpsPhoto JPEG 75%")}
    assert terms["fpsphoto"].part is False  # the word as read stays a word
    assert terms["fps"].part and terms["photo"].part  # and its pieces are found
    assert terms["fps"].position == terms["fpsphoto"].position  # in its place
    assert {"phone", "15"} <= {term.text for term in analyse("iPhone15") if term.part}
    assert not [term for term in analyse("photo fps JPEG") if term.part]  # a word of one piece has none


def test_the_query_language() -> None:
    assert parse("西湖 夜景") == AllOf((Words(("西湖",), offsets=(0,)), Words(("夜景",), offsets=(0,))))
    assert parse("西湖 OR 钱塘江") == AnyOf(
        (Words(("西湖",), offsets=(0,)), Words(("钱塘江",), offsets=(0,)))
    )
    assert parse("西湖 -雷峰塔") == AllOf(
        (Words(("西湖",), offsets=(0,)), NotQuery(Words(("雷峰塔",), offsets=(0,))))
    )
    assert parse('"lake at night"') == Words(("lake", "at", "night"), offsets=(0, 1, 2))
    assert parse("edit*") == Words(("edit",), prefix=True, offsets=(0,))
    grouped = parse("(西湖 OR 钱塘江) 夜景")
    assert isinstance(grouped, AllOf) and isinstance(grouped.parts[0], AnyOf)
    assert parse("-雷峰塔") is None and parse("？！") is None and parse("") is None
