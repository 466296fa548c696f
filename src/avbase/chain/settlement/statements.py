"""Statement imports: box-office reports and platform statements, all or nothing, each file once.

Read through the shared reader (``kit/sheets.py``) and the import templates of ``industry`` (a saved
mapping per source), so a platform's own column names are learned once. A file whose SHA-256 the
organisation imported before is recognised and refused, so nothing is counted twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from avbase.chain.settlement.models import StatementImport, StatementLine
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import Conflict, Forbidden
from avbase.core.i18n import _
from avbase.industry.import_fields import VOCABULARIES
from avbase.industry.imports import ImportOptions, ImportRejected, RowError, read_table
from avbase.kit.sheets import FieldSpec, Match, Vocabulary

KIND = "statements"

STATEMENTS = Vocabulary(
    fields=(
        FieldSpec(
            "title",
            ("title", "片名"),
            ("影片名称", "剧名", "节目名称", "作品名称", "影片", "内容名称"),
            required=True,
        ),
        FieldSpec(
            "period",
            ("period", "期间"),
            ("结算周期", "结算月份", "月份", "日期", "账期", "统计日期"),
            required=True,
        ),
        FieldSpec("metric", ("metric", "指标"), ("项目", "类型", "收入类型", "结算项"), required=True),
        FieldSpec(
            "quantity",
            ("quantity", "数量"),
            ("时长", "播放量", "人次", "观看时长", "有效播放"),
            kind="number",
        ),
        FieldSpec(
            "amount",
            ("amount", "金额"),
            ("票房", "收入", "分账金额", "结算金额", "分账收益"),
            kind="money",
            required=True,
        ),
    )
)
# The statement import reads through the same template store as industry's imports.
VOCABULARIES.setdefault(KIND, STATEMENTS)

# Metric names as statements write them → the names the revenue models read.
METRIC_NAMES = {
    "票房": "box_office",
    "综合票房": "box_office",
    "分账票房": "box_office",
    "会员观看时长": "member_hours",
    "会员有效观看时长": "member_hours",
    "有效播放": "effective_views",
    "有效观看": "effective_views",
    "会员拉新": "new_members",
    "拉新会员": "new_members",
    "会员收入": "member_revenue",
    "会员分账": "member_revenue",
    "广告收入": "ad_revenue",
    "广告分账": "ad_revenue",
}
_PERIOD = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})(?:[-/.月]?(\d{1,2})日?)?月?$")


def metric_name(text: str) -> str:
    cleaned = text.strip()
    return METRIC_NAMES.get(cleaned, cleaned.lower().replace(" ", "_"))


def period_of(value: Any) -> str:
    """2024-11, 2024/11, 2024年11月, 202411 → 2024-11; a day (2024-11-03, a date cell) keeps its day."""
    if isinstance(value, datetime | date):
        return f"{value.year}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, int | float | Decimal):
        value = str(int(value))
    text = str(value).strip()
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    if not 1 <= month <= 12:
        raise ValueError(text)
    if day is None:
        return f"{year}-{month:02d}"
    date(year, month, int(day))  # a real day
    return f"{year}-{month:02d}-{int(day):02d}"


@dataclass(frozen=True)
class ImportSummary:
    id: int
    file_name: str
    rows: int
    amount: Decimal
    template: str | None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_statements(
    session: Session,
    principal: Principal,
    path: Path,
    *,
    source: str,
    template: str | None = None,
    file_name: str | None = None,
) -> ImportSummary:
    """Every row or none: a row with a problem rejects the file with each row's reason."""
    if principal.role in READ_ONLY_ROLES or principal.org_id == 0:
        raise Forbidden("Statements are imported by an organisation's staff.")
    sha = file_sha256(path)
    earlier = session.scalar(
        select(StatementImport).where(
            StatementImport.org_id == principal.org_id, StatementImport.sha256 == sha
        )
    )
    if earlier is not None:
        raise Conflict(
            "This file was imported already on {at} as import {id} ({name}); it is not counted twice.",
            field="file",
            at=earlier.at.date().isoformat(),
            id=earlier.id,
            name=earlier.file_name,
        )
    table, used = read_table(session, principal, KIND, path, ImportOptions(template=template))
    errors = [RowError(p.row, p.column, _(p.msgid, **p.params)) for p in table.problems]
    for column in table.unconfirmed:
        errors.append(
            RowError(
                table.header_rows[0],
                column.letter,
                _(
                    "Column {column} ({title}) is no statement field: use a template that maps it.",
                    column=column.letter,
                    title=column.title,
                ),
            )
        )
    mapped = {c.field for c in table.columns if c.field and c.match is not Match.ignored}
    for field in STATEMENTS.required:
        if field not in mapped:
            errors.append(RowError(table.header_rows[0], field, _("No column holds {field}.", field=field)))
    lines: list[dict[str, Any]] = []
    for row in table.rows:
        values = row.values
        line, problems = _line(values)
        errors.extend(RowError(row.number, column, reason) for column, reason in problems)
        if not problems:
            lines.append(line | {"row": row.number})
    if errors or not lines:
        raise ImportRejected(
            errors or [RowError(1, "file", _("The file has no data rows."))], len(table.rows)
        )
    total = sum((line["amount"] for line in lines), Decimal(0))
    record = StatementImport(
        org_id=principal.org_id,
        source=source.strip() or "-",
        file_name=(file_name or path.name)[:200],
        sha256=sha,
        template=used,
        rows=len(lines),
        amount=total,
        by_id=principal.user_id or None,
    )
    session.add(record)
    session.flush()
    store_lines(session, record.id, principal.org_id, lines)
    return ImportSummary(record.id, record.file_name, len(lines), total, used)


def store_lines(session: Session, import_id: int, org_id: int, lines: list[dict[str, Any]]) -> None:
    """Bulk insert (one statement per thousand rows) through the columns' types."""
    rows = [line | {"import_id": import_id, "org_id": org_id} for line in lines]
    for start in range(0, len(rows), 1000):
        session.execute(insert(StatementLine), rows[start : start + 1000])


def _line(values: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    title = str(values.get("title") or "").strip()
    if not title:
        problems.append(("title", _("A title is required.")))
    try:
        period = period_of(values.get("period") or "")
    except ValueError:
        period = ""
        problems.append(
            ("period", _("Not a period (2024-11 or 2024-11-03): {value}", value=values.get("period")))
        )
    metric = metric_name(str(values.get("metric") or ""))
    if not metric:
        problems.append(("metric", _("A metric is required.")))
    quantity = values.get("quantity")
    if quantity in (None, ""):
        quantity = Decimal(0)
    if not isinstance(quantity, Decimal | int):
        try:
            quantity = Decimal(str(quantity).replace(",", ""))
        except ArithmeticError:
            problems.append(("quantity", _("Not a number: {value}", value=quantity)))
            quantity = Decimal(0)
    amount = values.get("amount")
    if not isinstance(amount, Decimal):
        problems.append(("amount", _("Not an amount: {value}", value=amount)))
    return {
        "title": title[:200],
        "period": period,
        "metric": metric[:40],
        "quantity": Decimal(quantity),
        "amount": amount,
    }, problems
