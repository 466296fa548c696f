"""GB/T 2260 administrative division codes: every province, the cities of the two seed provinces and the
counties the demo uses. Extend ``REGIONS`` when a module needs more."""

from __future__ import annotations

from dataclasses import dataclass
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


_ROWS = """
110000 北京市 Beijing
120000 天津市 Tianjin
130000 河北省 Hebei
140000 山西省 Shanxi
150000 内蒙古自治区 Inner Mongolia
210000 辽宁省 Liaoning
220000 吉林省 Jilin
230000 黑龙江省 Heilongjiang
310000 上海市 Shanghai
320000 江苏省 Jiangsu
330000 浙江省 Zhejiang
330100 杭州市 Hangzhou
330106 西湖区 Xihu District
330108 滨江区 Binjiang District
330110 余杭区 Yuhang District
330200 宁波市 Ningbo
330212 鄞州区 Yinzhou District
330300 温州市 Wenzhou
330400 嘉兴市 Jiaxing
330500 湖州市 Huzhou
330600 绍兴市 Shaoxing
330700 金华市 Jinhua
330782 义乌市 Yiwu
330783 东阳市 Dongyang
330800 衢州市 Quzhou
330900 舟山市 Zhoushan
331000 台州市 Taizhou
331100 丽水市 Lishui
340000 安徽省 Anhui
350000 福建省 Fujian
360000 江西省 Jiangxi
370000 山东省 Shandong
410000 河南省 Henan
420000 湖北省 Hubei
430000 湖南省 Hunan
430100 长沙市 Changsha
430104 岳麓区 Yuelu District
430105 开福区 Kaifu District
430200 株洲市 Zhuzhou
430300 湘潭市 Xiangtan
430400 衡阳市 Hengyang
430500 邵阳市 Shaoyang
430600 岳阳市 Yueyang
430700 常德市 Changde
430800 张家界市 Zhangjiajie
430900 益阳市 Yiyang
431000 郴州市 Chenzhou
431100 永州市 Yongzhou
431200 怀化市 Huaihua
431300 娄底市 Loudi
433100 湘西土家族苗族自治州 Xiangxi Prefecture
440000 广东省 Guangdong
450000 广西壮族自治区 Guangxi
460000 海南省 Hainan
500000 重庆市 Chongqing
510000 四川省 Sichuan
520000 贵州省 Guizhou
530000 云南省 Yunnan
540000 西藏自治区 Tibet
610000 陕西省 Shaanxi
620000 甘肃省 Gansu
630000 青海省 Qinghai
640000 宁夏回族自治区 Ningxia
650000 新疆维吾尔自治区 Xinjiang
710000 台湾省 Taiwan
810000 香港特别行政区 Hong Kong
820000 澳门特别行政区 Macao
"""

REGIONS: dict[str, Region] = {}
for _line in _ROWS.strip().splitlines():
    _code, _zh, _en = _line.split(" ", 2)
    REGIONS[_code] = Region(_code, _zh, _en)


def region_name(code: str, locale: str) -> str:
    region = REGIONS.get(code)
    if region is None:
        return code
    return region.en if locale == "en" else region.zh


def within_prefix(column: Any, prefix: str) -> Any:
    """``column`` starts with the GB/T 2260 ``prefix``, as a range (``>= '33' AND < '34'``) that an index
    can serve, unlike LIKE with a bound pattern."""
    if not prefix:
        return true()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)
