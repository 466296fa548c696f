"""The fields each industry import stores: their exact titles (the export writes the first) and the words
other organisations' forms use for them, from which unknown columns are matched for the user to confirm."""

from __future__ import annotations

import re

from avbase.kit.sheets import FieldSpec, Vocabulary

# Columns a form numbers its rows by; read and never stored.
SERIAL_TITLES = frozenset({"序号", "行次", "编号", "no", "no.", "#"})

NAME = FieldSpec(
    "name", ("企业名称", "名称"), ("单位名称", "单位详细名称", "公司名称", "企业"), required=True
)
CREDIT_CODE = FieldSpec(
    "credit_code",
    ("统一社会信用代码",),
    ("信用代码", "社会信用代码", "统一代码", "组织机构代码", "纳税人识别号", "企业代码"),
    required=True,
)
REGION_CODE = FieldSpec(
    "region_code", ("行政区划代码",), ("区划代码", "行政区划", "地区代码", "所在地区代码")
)
PARK = FieldSpec("park", ("园区",), ("所在园区", "产业基地", "基地", "所属园区"))

ENTERPRISES = Vocabulary(
    fields=(
        NAME,
        CREDIT_CODE,
        REGION_CODE,
        FieldSpec("cluster", ("产业集群",), ("集群", "产业类别", "所属集群")),
        FieldSpec("category_code", ("细分领域代码",), ("细分领域", "行业代码", "领域代码")),
        PARK,
        FieldSpec("tier", ("梯度",), ("企业梯度", "培育梯度", "梯度培育")),
        FieldSpec("specialised", ("专精特新",), ("是否专精特新", "专精特新企业")),
        FieldSpec("provincial_key", ("省级重点企业",), ("重点企业", "是否省级重点企业")),
    ),
    ignored=SERIAL_TITLES,
)

REPORTS = Vocabulary(
    fields=(
        CREDIT_CODE,
        FieldSpec(
            "period",
            ("期间",),
            ("报告期", "统计期", "统计期间", "年度", "期别", "所属期", "报表期"),
            required=True,
        ),
        FieldSpec(
            "revenue_content",
            ("视听内容生产收入",),
            ("内容生产收入", "视听内容", "内容收入", "内容生产", "内容", "营业收入", "主营业务收入", "收入"),
            kind="money",
        ),
        FieldSpec(
            "revenue_electronics",
            ("视听电子产品收入",),
            ("电子产品收入", "视听电子", "电子产品", "电子", "硬件收入"),
            kind="money",
        ),
        FieldSpec(
            "revenue_services",
            ("视听文化服务收入",),
            ("文化服务收入", "文化服务", "服务收入", "服务"),
            kind="money",
        ),
        FieldSpec(
            "rnd_expense",
            ("研发费用",),
            ("研发投入", "研发经费", "研究开发费用", "研发支出", "r&d"),
            kind="money",
        ),
        FieldSpec("exports", ("出口额",), ("出口", "出口收入", "出口交货值", "出口金额"), kind="money"),
        FieldSpec("investment", ("投资额",), ("投资", "固定资产投资", "完成投资", "投资金额"), kind="money"),
        FieldSpec(
            "employees",
            ("从业人员",),
            ("从业人数", "员工人数", "职工人数", "年末从业人员", "人数"),
            kind="number",
        ),
        FieldSpec("titles", ("作品数",), ("作品", "作品数量", "出品数量", "节目数量"), kind="number"),
        FieldSpec("content_hours", ("内容时长",), ("时长", "节目时长", "内容小时"), kind="number"),
        FieldSpec("note", ("备注",), ("说明", "更正说明")),
        # What the export writes for the reader; an import reads them and stores nothing from them.
        FieldSpec("name", ("企业名称",), ("单位名称", "单位详细名称", "公司名称")),
        FieldSpec("region_code", ("行政区划代码",)),
        FieldSpec("version", ("版本",)),
    ),
    ignored=SERIAL_TITLES,
)

PARKS = Vocabulary(
    fields=(
        FieldSpec("name", ("名称", "园区名称"), ("基地名称", "园区", "基地"), required=True),
        FieldSpec("level", ("级别",), ("园区级别", "等级", "基地级别")),
        REGION_CODE,
        FieldSpec("status", ("状态",), ("园区状态", "运营状态")),
        FieldSpec("operator", ("运营机构",), ("运营单位", "管理机构", "运营主体")),
        FieldSpec("established_year", ("设立年份",), ("成立年份", "设立时间", "认定年份"), kind="number"),
    ),
    ignored=SERIAL_TITLES,
)

PROJECTS = Vocabulary(
    fields=(
        FieldSpec("name", ("项目名称", "名称"), ("项目",), required=True),
        FieldSpec("tier", ("项目类型",), ("项目类别", "类型", "项目层级")),
        FieldSpec("year_selected", ("入选年份",), ("入选年度", "年份", "年度"), kind="number"),
        REGION_CODE,
        FieldSpec(
            "lead_credit_code", ("牵头企业信用代码",), ("牵头企业代码", "牵头单位信用代码", "信用代码")
        ),
        PARK,
        FieldSpec("status", ("状态",), ("项目状态", "进展")),
        FieldSpec("planned_total", ("计划总投资",), ("总投资", "计划投资", "投资总额"), kind="money"),
        FieldSpec("description", ("项目简介",), ("简介", "建设内容", "描述")),
    ),
    # planned_2025 / completed_2025: a column per year of the plan.
    patterns=((re.compile(r"^(planned|completed)_\d{4}$"), "money"),),
    ignored=SERIAL_TITLES,
)

VOCABULARIES = {"enterprises": ENTERPRISES, "reports": REPORTS, "parks": PARKS, "projects": PROJECTS}


def field_title(kind: str, key: str) -> str:
    """The Chinese title of a field (the one the export writes), or the key where it has none."""
    spec = VOCABULARIES[kind].spec(key)
    return spec.titles[0] if spec and spec.titles else key
