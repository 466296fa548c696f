"""GB/T 2260 administrative division codes: every province, city and county of the mainland with its Chinese
name and an English one (hand-written for the provinces and the seed provinces' cities, pinyin otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, true


@dataclass(frozen=True)
class Region:
    code: str
    zh: str
    en: str

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "city"
        return "county"


DATA = Path(__file__).parent / "data" / "regions.tsv"  # generated from the civil affairs ministry's codes


def _load() -> dict[str, Region]:
    regions = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, zh, en = line.split("\t")
            regions[code] = Region(code, zh, en)
    return regions


REGIONS: dict[str, Region] = _load()


def region_name(code: str, locale: str) -> str:
    region = REGIONS.get(code)
    if region is None:
        return code
    return region.en if locale == "en" else region.zh


def region_path(code: str, locale: str) -> str:
    """From the province down: 浙江省杭州市拱墅区, or Zhejiang · Hangzhou · Gongshu District."""
    levels = dict.fromkeys(c for c in (code[:2] + "0000", code[:4] + "00", code) if c != "000000")
    names = [REGIONS[c].en if locale == "en" else REGIONS[c].zh for c in levels if c in REGIONS]
    if not names:
        return code
    return " · ".join(names) if locale == "en" else "".join(names)


def within_prefix(column: Any, prefix: str) -> Any:
    """``column`` starts with the GB/T 2260 ``prefix``, as a range (``>= '33' AND < '34'``) that an index
    can serve, unlike LIKE with a bound pattern."""
    if not prefix:
        return true()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)
