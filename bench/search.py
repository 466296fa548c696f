"""Search benchmark: relevance on a set with known answers, and latency at a million segments against a plain
SQLite FTS5 index over the same segments, in the same run.

    .venv/bin/python bench/search.py [--segments 1000000] [--queries 300]

1. Relevance: 3,000 synthetic caption, subtitle and transcript segments in 300 assets, written from a fixed
   vocabulary of industry words (fixed seed); a query is the Chinese words of one segment (a place, a subject,
   an action: two or three segments of 3,000 hold the same three), in simplified or traditional characters,
   or with its English word in another inflection; every segment holding all the words is a right answer.
   A second index holds the same segments with one character misread in one on-screen (OCR) segment of
   five, as OCR does. Sub-word queries ask for two or three Chinese characters from inside the text: part
   of a longer word (栏山 of 马栏山, 短剧 of 微短剧) or across two words (湖夜 of 西湖夜景); every segment
   holding them is a right answer.
   recall@10 (share of right answers in the first ten) and MRR (1 / rank of the first right answer),
   averaged over queries.
2. Scale: N synthetic Chinese segments (words drawn from jieba's dictionary with Zipf-like frequencies,
   5–14 words each) in 500 organisations. Latency of two-word Chinese queries with a filter (video only, in
   50 organisations: what a permission filter does), p50 and p95 over the queries after a warm-up, for the
   avbase engine (Tantivy, BM25 with per-source boosts, facet counts included) and for FTS5 over the same
   pre-segmented words (BM25, no facets). Indexing throughput for both engines from the same analysed
   words; text analysis (jieba, OpenCC, stemming) is timed on its own.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from itertools import accumulate
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import opencc  # noqa: E402

from avbase.search.analysis import Term, analyse  # noqa: E402
from avbase.search.engine import Filters, SegmentDoc, TantivyEngine  # noqa: E402
from avbase.search.query import parse  # noqa: E402

PLACES = [
    "西湖",
    "马栏山",
    "横店",
    "钱塘江",
    "乌镇",
    "良渚",
    "长沙",
    "杭州",
    "湘江",
    "岳麓山",
    "洞庭湖",
    "千岛湖",
]
SUBJECTS = [
    "夜景",
    "航拍",
    "纪录片",
    "微短剧",
    "动画",
    "直播",
    "演唱会",
    "发布会",
    "电视剧",
    "综艺",
    "电影",
    "游戏",
]
ACTIONS = ["拍摄", "首映", "剪辑", "制作", "上线", "播出", "调色", "配音", "发行", "评审", "获奖", "签约"]
ENGLISH = [
    ("editing", "edited"),
    ("filming", "filmed"),
    ("premiere", "premieres"),
    ("studios", "studio"),
    ("animations", "animation"),
    ("shooting", "shoots"),
]
SOURCES = ["ocr", "subtitle", "transcript"]


def holds(text: str, needle: str | tuple[str, ...]) -> bool:
    """A word, or one of several inflections, is in the text."""
    return any(v in text for v in needle) if isinstance(needle, tuple) else needle in text


def misread(text: str, rng: random.Random) -> str:
    """One Chinese character of the text read wrongly, as OCR does now and then."""
    places = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    at = rng.choice(places)
    return (
        text[:at]
        + rng.choice("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要")
        + text[at + 1 :]
    )


def relevance(folder: Path) -> dict[str, tuple[float, float, int]]:
    rng = random.Random(2027)
    engine = TantivyEngine(folder / "relevance")
    noisy = TantivyEngine(folder / "noisy")
    docs: list[SegmentDoc] = []
    for asset in range(300):
        for number in range(10):
            words = [rng.choice(PLACES), rng.choice(SUBJECTS), rng.choice(ACTIONS)]
            if rng.random() < 0.3:
                words.append(rng.choice(ENGLISH)[rng.randrange(2)])
            rng.shuffle(words)
            text = "".join(w if "\u4e00" <= w[0] <= "\u9fff" else f" {w} " for w in words).strip()
            docs.append(
                SegmentDoc(asset, asset % 7, rng.choice(SOURCES), text, number * 4.0, number * 4.0 + 3)
            )
    engine.replace(range(300), docs)
    noise = random.Random(5)
    noisy.replace(
        range(300), [replace(d, text=misread(d.text, noise)) if noise.random() < 0.2 else d for d in docs]
    )
    to_traditional = opencc.OpenCC("s2t")
    results: dict[str, list[tuple[float, float]]] = {
        "simplified": [],
        "traditional": [],
        "english": [],
        "simplified, 1 in 5 OCR segments misread": [],
        "sub-words: 2–3 characters from inside the text": [],
    }
    for kind in results:
        for _ in range(100):
            doc = rng.choice(
                [d for d in docs if kind != "english" or any(e in d.text for p in ENGLISH for e in p)]
            )
            if kind.startswith("sub-words"):
                chinese = max(re.findall(r"[\u4e00-\u9fff]+", doc.text), key=len)
                length = rng.choice((2, 3))
                at = rng.randrange(len(chinese) - length + 1)
                query, needles = chinese[at : at + length], [chinese[at : at + length]]
            elif kind == "english":
                pair = next(p for p in ENGLISH if p[0] in doc.text or p[1] in doc.text)
                used = pair[0] if pair[0] in doc.text else pair[1]
                other = pair[1] if used == pair[0] else pair[0]
                chinese = [w for w in PLACES + SUBJECTS if w in doc.text]
                query, needles = " ".join([*chinese, other]), [*chinese, pair]
            else:
                chosen = [w for w in PLACES + SUBJECTS + ACTIONS if w in doc.text]
                query = " ".join(chosen)
                query = to_traditional.convert(query) if kind == "traditional" else query
                needles = chosen
            relevant = {(d.asset_id, d.start) for d in docs if all(holds(d.text, n) for n in needles)}
            node = parse(query)
            assert node is not None
            searched = noisy if "misread" in kind else engine
            found = searched.search(node, Filters(), sort="relevance", offset=0, limit=10).hits
            ranked = [(h.asset_id, h.start) for h in found]
            hits = [r for r in ranked if r in relevant]
            first = next((i for i, r in enumerate(ranked) if r in relevant), None)
            recall = len(hits) / min(len(relevant), 10)
            results[kind].append((recall, 0.0 if first is None else 1 / (first + 1)))
    return {
        k: (statistics.mean(r for r, _ in v), statistics.mean(m for _, m in v), len(v))
        for k, v in results.items()
    }


def vocabulary() -> tuple[list[str], list[float]]:
    import jieba

    jieba.initialize()
    chinese = [
        (word, count)
        for word, count in jieba.dt.FREQ.items()
        if count > 0 and 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word)
    ]
    words = sorted(chinese, key=lambda pair: -pair[1])[:20000]
    return [w for w, _ in words], [1 / (rank + 10) for rank in range(len(words))]


def make_texts(count: int, seed: int) -> list[str]:
    words, weights = vocabulary()
    cumulative = list(accumulate(weights))  # computed once: choices() would sum 20,000 weights per call
    rng = random.Random(seed)
    return ["".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(5, 14))) for _ in range(count)]


def analysed(texts: list[str]) -> list[list[Term]]:
    return [analyse(text) for text in texts]


def scale(folder: Path, count: int, queries: int) -> None:
    chunks = 16
    started = time.perf_counter()
    with Pool(2) as pool:
        texts = [
            t
            for part in pool.starmap(make_texts, [(count // chunks, s) for s in range(chunks)])
            for t in part
        ]
    print(f"generated {len(texts):,} segments in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    sample = texts[:20000]
    analysed(sample)
    per_second = len(sample) / (time.perf_counter() - started)
    with Pool(2) as pool:
        terms = [t for part in pool.map(analysed, [texts[i::chunks] for i in range(chunks)]) for t in part]
    order = [i for c in range(chunks) for i in range(c, len(texts), chunks)]  # pool.map kept chunk order
    by_text = {order[n]: terms[n] for n in range(len(order))}
    rng = random.Random(7)
    docs = [
        SegmentDoc(
            i // 20,
            (i // 20) % 500,
            rng.choice(SOURCES),
            text,
            float(i % 20),
            float(i % 20) + 2,
            kind="video" if rng.random() < 0.8 else "audio",
        )
        for i, text in enumerate(texts)
    ]
    lookup = {id(doc.text): by_text[n] for n, doc in enumerate(docs)}

    engine = TantivyEngine(folder / "scale")
    started = time.perf_counter()
    batch = 100_000
    for start in range(0, len(docs), batch):
        part = docs[start : start + batch]
        engine.replace([], part, analyser=lambda text: lookup[id(text)])
    tantivy_rate = len(docs) / (time.perf_counter() - started)

    database = sqlite3.connect(folder / "fts.db")
    database.execute("CREATE VIRTUAL TABLE fts USING fts5(body, kind UNINDEXED, org_id UNINDEXED)")
    started = time.perf_counter()
    rows = (
        (" ".join(t.text for t in by_text[n] if not t.part), d.kind, d.org_id) for n, d in enumerate(docs)
    )
    database.executemany("INSERT INTO fts(body, kind, org_id) VALUES (?, ?, ?)", rows)
    database.commit()
    fts_rate = len(docs) / (time.perf_counter() - started)

    words, _ = vocabulary()
    orgs = tuple(range(0, 500, 10))
    asks = [(words[rng.randint(100, 3000)], words[rng.randint(100, 3000)]) for _ in range(queries)]
    scope = Filters(org_ids=orgs, kind="video")
    product, core = (
        "avbase (Tantivy): misread pass when needed, facets",
        "avbase (Tantivy): exact terms, no facets",
    )
    timings: dict[str, list[float]] = {product: [], core: [], "SQLite FTS5": []}
    second_pass = 0
    org_list = ",".join(str(o) for o in orgs)
    fts_query = (
        "SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ? AND kind = 'video' "
        f"AND org_id IN ({org_list}) ORDER BY bm25(fts) LIMIT 10"
    )
    for warm, (first, second) in enumerate(asks * 2):
        node = parse(f"{first} {second}")
        assert node is not None
        started = time.perf_counter()
        engine.search(node, scope, sort="relevance", offset=0, limit=10)
        tantivy_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        exact = engine.search(node, scope, sort="relevance", offset=0, limit=10, misreads=False, facets=False)
        core_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        database.execute(fts_query, (f'"{first}" AND "{second}"',)).fetchall()
        fts_ms = (time.perf_counter() - started) * 1000
        if warm >= len(asks):  # the second round: caches warm for all
            timings[product].append(tantivy_ms)
            timings[core].append(core_ms)
            timings["SQLite FTS5"].append(fts_ms)
            second_pass += exact.total < 10
    print(f"| engine, {len(docs):,} segments | index docs/s | query p50 ms | query p95 ms |")
    print("|---|---|---|---|")
    for name, rate in ((product, tantivy_rate), (core, tantivy_rate), ("SQLite FTS5", fts_rate)):
        values = sorted(timings[name])
        p50, p95 = values[len(values) // 2], values[int(len(values) * 0.95)]
        print(f"| {name} | {rate:,.0f} | {p50:.1f} | {p95:.1f} |")
    print(
        f"\nqueries that fill less than a page of 10 with exact terms (so take the misread pass): "
        f"{second_pass} of {len(asks)}"
    )
    print(f"text analysis (jieba, OpenCC, stemming, sub-words), one core: {per_second:,.0f} segments/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="avbase-bench-search-"))
    print("| queries (known answers) | queries | recall@10 | MRR |")
    print("|---|---|---|---|")
    for kind, (recall, mrr, count) in relevance(folder).items():
        print(f"| {kind} | {count} | {recall:.3f} | {mrr:.3f} |")
    print()
    scale(folder, args.segments, args.queries)


if __name__ == "__main__":
    main()
