"""The query language of the search box.

    西湖 夜景            both words (AND is the default)
    西湖 OR 钱塘江       either (also: |)
    西湖 -雷峰塔         the first without the second (also: NOT 雷峰塔)
    "马栏山 视频"        the words next to each other, in this order
    edit*                a word starting with "edit"

Words are analysed like indexed text (see ``analysis``): a Chinese run that segments into several words must
match as a phrase, so 马栏山视频 finds the two words side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from avbase.search.analysis import phrase_of

_TOKEN = re.compile(r'"([^"]*)"?|(\()|(\))|([^\s()"]+)')


@dataclass(frozen=True)
class Words:
    """Terms that must appear in this order at these distances (one term: anywhere)."""

    terms: tuple[str, ...]
    prefix: bool = False  # the last term may be the start of a longer word
    offsets: tuple[int, ...] = ()  # distance of each term from the first, in units (see analysis)


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class NotQuery:
    part: Node


Node = Words | AllOf | AnyOf | NotQuery


def _lex(text: str) -> list[str]:
    tokens: list[str] = []
    for quoted, opening, closing, bare in _TOKEN.findall(text):
        if opening or closing:
            tokens.append(opening or closing)
        elif bare:
            tokens.append(bare)
        else:
            tokens.append(f'"{quoted}"')
    return tokens


def _words(token: str) -> Node | None:
    prefix = not token.startswith('"') and token.endswith("*") and len(token) > 1
    phrase = phrase_of(token.strip('"').rstrip("*") if not token.startswith('"') else token.strip('"'))
    if not phrase:
        return None
    offsets, terms = zip(*phrase, strict=True)
    return Words(tuple(terms), prefix=prefix, offsets=tuple(offsets))


def parse(text: str) -> Node | None:
    """The query as a tree; None when nothing searchable is left (only punctuation, say)."""
    items = _lex(text.strip()[:500])
    position = 0

    def expression() -> Node | None:
        nonlocal position
        alternatives: list[Node] = []
        current: list[Node] = []
        while position < len(items) and items[position] != ")":
            item = items[position]
            position += 1
            if item in ("OR", "|", "或"):
                if current:
                    alternatives.append(_join(current))
                current = []
                continue
            if item in ("AND", "&", "且"):
                continue
            negate = item in ("NOT", "非")
            if negate:
                if position >= len(items):
                    break
                item = items[position]
                position += 1
            elif item.startswith("-") and len(item) > 1:
                negate, item = True, item[1:]
            if item == "(":
                node = expression()
                position += 1  # the closing parenthesis (or the end)
            else:
                node = _words(item)
            if node is not None:
                current.append(NotQuery(node) if negate else node)
        if current:
            alternatives.append(_join(current))
        if not alternatives:
            return None
        return alternatives[0] if len(alternatives) == 1 else AnyOf(tuple(alternatives))

    result = expression()
    if isinstance(result, NotQuery) or (
        isinstance(result, AllOf) and all(isinstance(part, NotQuery) for part in result.parts)
    ):
        return None  # only exclusions: nothing to look for
    return result


def _join(parts: list[Node]) -> Node:
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def query_terms(node: Node | None) -> set[str]:
    """Every positive term, for highlighting."""
    if node is None or isinstance(node, NotQuery):
        return set()
    if isinstance(node, Words):
        return set(node.terms)
    return set().union(*(query_terms(part) for part in node.parts))


def prefix_terms(node: Node | None) -> set[str]:
    """The terms asked for as word starts (``edit*``), for highlighting."""
    if isinstance(node, Words):
        return {node.terms[-1]} if node.prefix else set()
    if node is None or isinstance(node, NotQuery):
        return set()
    return set().union(*(prefix_terms(part) for part in node.parts))
