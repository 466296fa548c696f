"""Synthetic Chinese screenplays with a fixed seed, for the demo and the benchmark: scenes in the heading
styles the breakdown reads, cast lines, dialogue with parentheticals and voice-overs, action lines."""

from __future__ import annotations

import random

from avbase.chain.scripts.breakdown import LINE_COLUMNS, PAGE_LINES

_PLACES = (
    "江边码头", "林家堂屋", "渡船", "老街茶馆", "派出所", "县医院走廊", "山顶电视塔", "影视城城门",
    "古镇石桥", "出租车内", "剧组化妆间", "摄影棚", "江堤", "祠堂", "火车站月台", "小学教室", "夜市", "天台",
)  # fmt: skip
_TIMES = ("日", "夜", "清晨", "黄昏", "日", "夜")
_SETTINGS = ("内", "外", "内外")
_PEOPLE = ("林秋", "陈默", "老周", "林母", "赵强", "小满", "许教授", "阿婆", "村长", "周导", "场记")
_LINES = (
    "今天的鱼不多。", "我回来了。", "回来就好。", "那你打算怎么办？", "船是旧的，人是新的。", "我也不知道。",
    "这场戏再来一条。", "天快亮了，收工吧。", "你还记得二十年前吗？", "别说了，先把事情办完。",
)  # fmt: skip
_ACTION = (
    "△薄雾还没有散尽，渔船一条条靠岸，远处传来汽笛声。",
    "△夕阳把江面染成金色，两个人影被拉得很长。",
    "△众人沉默，只有雨水打在瓦片上的声音。",
    "△镜头缓缓推近，她的手在发抖。",
)


def heading(style: str, number: int, place: str, time: str, setting: str, episode: int = 1) -> str:
    if style == "dash":
        return f"{episode}-{number} {time} {setting} {place}"
    if style == "dichang":
        return f"第{number}场 {place} {time} {setting}"
    return f"场景{number}：{place}（{time}/{setting}）"


def screenplay(*, pages: int = 10, seed: int = 18, style: str = "dash", title: str = "江边") -> str:
    """A screenplay of about ``pages`` pages (as the breakdown counts them)."""
    rng = random.Random(seed)
    out = [f"《{title}》", "编剧：林晓", ""]
    budget = pages * PAGE_LINES
    number = 0
    while budget > 0:
        number += 1
        cast = rng.sample(_PEOPLE, rng.randint(1, 4))
        out.append(heading(style, number, rng.choice(_PLACES), rng.choice(_TIMES), rng.choice(_SETTINGS)))
        out.append("人物：" + "、".join(cast))
        used = 3
        for _ in range(rng.randint(4, 30)):
            if rng.random() < 0.3:
                line = rng.choice(_ACTION)
            else:
                who = rng.choice(cast)
                note = rng.choice(("", "", "（低声）", "（画外音）", " OS"))
                line = f"{who}{note}：{rng.choice(_LINES)}"
            out.append(line)
            used += -(-len(line) // LINE_COLUMNS)
        out.append("")
        budget -= used
    return "\n".join(out) + "\n"
