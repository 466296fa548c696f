"""Bulk import of enterprises, reports, parks and projects from CSV or Excel: all rows or none.

Every row is validated first; one bad row rejects the file with a list of (row, column, reason), and nothing
is written. Headers may be the English field names or their Chinese column titles; enum cells may hold the
value (``content``) or its Chinese label (视听内容生产).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core import audit
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal, require_steward
from avbase.core.errors import AvbaseError, InvalidValue
from avbase.core.i18n import N_, _, catalogue
from avbase.industry import registry
from avbase.industry.models import Enterprise, Park, Project, ProjectYear
from avbase.industry.reports import BulkRow, check_period_closed, file_reports_bulk, may_file_reports
from avbase.industry.schemas import EnterpriseIn, EnterprisePatch, ParkIn, ProjectIn, ReportIn, parse_period
from avbase.kit.cells import CsvWriter
from avbase.web.validation import field_errors

Progress = Callable[[float, str], None]
KINDS = ("enterprises", "reports", "parks", "projects")

# Chinese column titles accepted as headers (the export writes these too).
ZH_HEADERS = {
    "企业名称": "name",
    "名称": "name",
    "统一社会信用代码": "credit_code",
    "行政区划代码": "region_code",
    "产业集群": "cluster",
    "细分领域代码": "category_code",
    "园区": "park",
    "梯度": "tier",
    "专精特新": "specialised",
    "省级重点企业": "provincial_key",
    "期间": "period",
    "视听内容生产收入": "revenue_content",
    "视听电子产品收入": "revenue_electronics",
    "视听文化服务收入": "revenue_services",
    "研发费用": "rnd_expense",
    "出口额": "exports",
    "投资额": "investment",
    "从业人员": "employees",
    "作品数": "titles",
    "内容时长": "content_hours",
    "备注": "note",
    "版本": "version",
    "级别": "level",
    "状态": "status",
    "运营机构": "operator",
    "设立年份": "established_year",
    "项目类型": "tier",
    "入选年份": "year_selected",
    "牵头企业信用代码": "lead_credit_code",
    "计划总投资": "planned_total",
    "项目名称": "name",
}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "√"}
FALSE_WORDS = {"0", "false", "no", "n", "否", ""}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


class ImportRejected(AvbaseError):
    status_code = 422

    def __init__(self, errors: list[RowError], rows: int) -> None:
        super().__init__(
            N_("The file was rejected: {count} problems in {rows} rows. Nothing was imported."),
            count=len(errors),
            rows=rows,
        )
        self.errors = errors


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    rows: int
    created: int
    updated: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- reading ---------------------------------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Header (field names) and (spreadsheet row number, values) for CSV, XLSX."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise AvbaseError(
        "Unsupported file type {suffix}: use .csv or .xlsx.", field="file", suffix=suffix or "?"
    )


def _field(header: object) -> str:
    text = str(header or "").strip().lstrip("\ufeff")
    return ZH_HEADERS.get(text, text.lower())


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AvbaseError("The CSV file is neither UTF-8 nor GB18030 text.", field="file")
    reader = csv.reader(io.StringIO(text))
    header = [_field(h) for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(reader, start=2):
            if any(v.strip() for v in values):
                yield number, dict(zip(header, values, strict=False))

    return header, rows()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise AvbaseError(
            "The Excel file cannot be read: {error}", field="file", error=str(exc)[:200]
        ) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [_field(h) for h in next(values, ())]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for number, cells in enumerate(values, start=2):
                if any(c not in (None, "") for c in cells):
                    yield number, {key: _cell(cell) for key, cell in zip(header, cells, strict=False) if key}
        finally:
            book.close()

    return header, rows()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, date):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- cell helpers ---------------------------------------------------------------------------------------


def enum_value(enum_cls: type[StrEnum], text: object) -> str:
    """Accepts an enum value or its Chinese or English label."""
    cleaned = str(text or "").strip()
    for member in enum_cls:
        if cleaned == member.value:
            return member.value
        for locale in ("zh_Hans", "en"):
            if cleaned == catalogue(locale).gettext(f"enum:{member.value}"):
                return member.value
    return cleaned  # Pydantic reports it with the allowed values


def boolean(text: object) -> bool:
    cleaned = str(text if text is not None else "").strip().lower()
    if cleaned in TRUE_WORDS:
        return True
    if cleaned in FALSE_WORDS:
        return False
    raise InvalidValue("Must be yes or no (是/否).")


# Columns a report export carries for the reader; an import of that file back ignores them.
REPORT_CONTEXT_COLUMNS = ("name", "region_code", "version")
TEXT_COLUMNS = {"name", "credit_code", "region_code", "category_code", "period", "lead_credit_code", "note"}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    # Excel gives numbers for code-like cells (330106, 2025); those columns are text.
    cleaned = {}
    for key, value in values.items():
        if key in TEXT_COLUMNS and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        cleaned[key] = value.strip() if isinstance(value, str) else value
    return {key: value for key, value in cleaned.items() if key}


def _name_to_id(
    values: dict[str, Any], column: str, target: str, known: dict[str, int], message: str
) -> str | None:
    """Replaces a name cell (park, operator) by its id; returns the error reason when the name is unknown."""
    name = values.pop(column, None)
    if not name:
        return None
    if name not in known:
        return _(message, name=name)
    values[target] = known[name]
    return None


def _enums(values: dict[str, Any], columns: dict[str, type[StrEnum]]) -> None:
    for column, enum_cls in columns.items():
        if values.get(column):
            values[column] = enum_value(enum_cls, values[column])


def _reject_if_any(errors: list[RowError], count: int) -> None:
    if errors or not count:
        raise ImportRejected(errors or [RowError(1, "file", _("The file has no data rows."))], count)


def _validate(model: type[BaseModel], number: int, values: dict[str, Any], errors: list[RowError]) -> Any:
    cleaned = {key: value for key, value in values.items() if value not in ("", None)}
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        for item in field_errors(exc.errors()):
            # A rule across fields (R&D ≤ revenue) has no single column: it is the row's.
            column = "row" if item["field"] == "body" else item["field"]
            errors.append(RowError(number, column, item["message"]))
        return None


def _error(errors: list[RowError], number: int, column: str, exc: AvbaseError | InvalidValue) -> None:
    if isinstance(exc, InvalidValue):
        errors.append(RowError(number, column, _(exc.msgid, **exc.params)))
    else:
        errors.append(RowError(number, exc.field or column, _(exc.message, **exc.params)))


# --- the importers -----------------------------------------------------------------------------------------


def run_import(
    session: Session,
    principal: Principal,
    kind: str,
    path: Path,
    *,
    file_name: str | None = None,
    progress: Progress | None = None,
    on: date | None = None,
) -> ImportResult:
    """Validates every row, then writes them all; raises :class:`ImportRejected` on any error.

    The caller owns the transaction and rolls it back on error, so a rejected file leaves nothing behind.
    """
    if kind not in KINDS:
        raise AvbaseError("Unknown import kind {kind}.", field="kind", kind=kind)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    _header, rows = read_rows(path)
    report = progress or (lambda _fraction, _message: None)
    importer = {
        "enterprises": _import_enterprises,
        "reports": _import_reports,
        "parks": _import_parks,
        "projects": _import_projects,
    }[kind]
    created, updated, count = importer(session, principal, rows, report, sha256, on)
    result = ImportResult(kind, file_name or path.name, sha256, count, created, updated)
    audit.record(
        session,
        action="import",
        entity_type=f"industry_{kind}",
        org_id=principal.org_id,
        after=result.to_json(),
        note=file_name or path.name,
    )
    session.flush()
    return result


def _import_reports(
    session: Session,
    principal: Principal,
    rows: Iterator[tuple[int, dict[str, Any]]],
    progress: Progress,
    batch: str,
    on: date | None,
) -> tuple[int, int, int]:
    errors: list[RowError] = []
    seen: dict[tuple[int, str, date], int] = {}
    valid: list[BulkRow] = []
    cleaned = [(number, _clean(raw)) for number, raw in rows]
    count = len(cleaned)
    codes = sorted({str(values.get("credit_code") or "").upper() for _, values in cleaned})
    # Plain (id, org_id) rows, not ORM objects: a 50,000-row file names up to 50,000 enterprises.
    enterprises: dict[str, tuple[int, int]] = {}
    for offset in range(0, len(codes), 2000):
        stmt = (
            registry.visible_enterprises(principal)
            .with_only_columns(Enterprise.credit_code, Enterprise.id, Enterprise.org_id)
            .where(Enterprise.credit_code.in_(codes[offset : offset + 2000]))
        )
        enterprises.update((code, (eid, org_id)) for code, eid, org_id in session.execute(stmt))
    # Whoever sees an enterprise may file for it, unless their role only reads (reviewers, creators).
    may_file = may_file_reports(principal)
    for position, (number, values) in enumerate(cleaned, start=1):
        if position % 5000 == 0:
            progress(0.8 * position / count, _("Checked {count} rows", count=position))
        code = str(values.pop("credit_code", "") or "").upper()
        for column in REPORT_CONTEXT_COLUMNS:
            values.pop(column, None)
        found = enterprises.get(code)
        if found is None:
            errors.append(
                RowError(
                    number,
                    "credit_code",
                    _("No enterprise you may see has the credit code {code}.", code=code),
                )
            )
            continue
        if not may_file:
            errors.append(RowError(number, "credit_code", _("You may not file reports for this enterprise.")))
            continue
        enterprise_id, org_id = found
        data = _validate(ReportIn, number, values, errors)
        if data is None:
            continue
        kind, start = parse_period(data.period)
        try:
            check_period_closed(kind, start, on=on)
        except AvbaseError as exc:
            _error(errors, number, "period", exc)
            continue
        key = (enterprise_id, kind.value, start)
        if key in seen:
            errors.append(
                RowError(
                    number, "period", _("Row {other} has the same enterprise and period.", other=seen[key])
                )
            )
            continue
        seen[key] = number
        valid.append(BulkRow(enterprise_id, org_id, kind, start, data.model_dump(exclude={"period"})))
    _reject_if_any(errors, count)
    progress(0.8, _("Writing {count} reports", count=count))
    created, corrected = file_reports_bulk(
        session, valid, submitted_by_id=principal.user_id or None, batch=batch[:64]
    )
    return created, corrected, count


def _import_enterprises(
    session: Session,
    principal: Principal,
    rows: Iterator[tuple[int, dict[str, Any]]],
    progress: Progress,
    batch: str,
    on: date | None,
) -> tuple[int, int, int]:
    from avbase.industry.models import Cluster, Tier

    errors: list[RowError] = []
    parks = {park.name: park.id for park in session.scalars(select(Park))}
    parsed: list[tuple[int, EnterpriseIn]] = []
    seen_codes: dict[str, int] = {}
    count = 0
    for number, raw in rows:
        count += 1
        values = _clean(raw)
        if reason := _name_to_id(values, "park", "park_id", parks, "Unknown park {name}."):
            errors.append(RowError(number, "park", reason))
            continue
        _enums(values, {"cluster": Cluster, "tier": Tier})
        try:
            for column in ("specialised", "provincial_key"):
                if column in values:
                    values[column] = boolean(values[column])
        except InvalidValue as exc:
            _error(errors, number, column, exc)
            continue
        data = _validate(EnterpriseIn, number, values, errors)
        if data is None:
            continue
        if data.credit_code in seen_codes:
            errors.append(
                RowError(
                    number,
                    "credit_code",
                    _("Row {other} has the same credit code.", other=seen_codes[data.credit_code]),
                )
            )
            continue
        seen_codes[data.credit_code] = number
        parsed.append((number, data))
    _reject_if_any(errors, count)
    progress(0.5, _("Writing {count} enterprises", count=count))
    created = updated = 0
    codes = sorted(seen_codes)
    existing = {
        e.credit_code: e
        for offset in range(0, len(codes), 500)
        for e in session.scalars(
            select(Enterprise).where(Enterprise.credit_code.in_(codes[offset : offset + 500]))
        )
    }
    for number, data in parsed:
        try:
            if data.credit_code in existing:
                patch = EnterprisePatch(**data.model_dump(exclude={"credit_code"}))
                registry.update_enterprise(session, principal, existing[data.credit_code].id, patch)
                updated += 1
            else:
                registry.create_enterprise(session, principal, data)
                created += 1
        except AvbaseError as exc:
            _error(errors, number, "name", exc)
    if errors:
        raise ImportRejected(errors, count)
    return created, updated, count


def _import_parks(
    session: Session,
    principal: Principal,
    rows: Iterator[tuple[int, dict[str, Any]]],
    progress: Progress,
    batch: str,
    on: date | None,
) -> tuple[int, int, int]:
    from avbase.industry.models import ParkLevel, ParkStatus

    require_steward(principal)
    errors: list[RowError] = []
    operators = {name: org_id for org_id, name in session.execute(select(Organisation.id, Organisation.name))}
    parsed: list[tuple[int, ParkIn]] = []
    count = 0
    for number, raw in rows:
        count += 1
        values = _clean(raw)
        reason = _name_to_id(values, "operator", "operator_org_id", operators, "Unknown organisation {name}.")
        if reason:
            errors.append(RowError(number, "operator", reason))
            continue
        _enums(values, {"level": ParkLevel, "status": ParkStatus})
        data = _validate(ParkIn, number, values, errors)
        if data is not None:
            parsed.append((number, data))
    _reject_if_any(errors, count)
    existing = {park.name: park for park in session.scalars(select(Park))}
    created = updated = 0
    for number, data in parsed:
        try:
            if data.name in existing:
                park = existing[data.name]
                if not registry.in_jurisdiction(principal, data.region_code):
                    raise AvbaseError("You may not register parks in this region.", field="region_code")
                for key, value in data.model_dump().items():
                    setattr(park, key, value)
                updated += 1
            else:
                existing[data.name] = registry.create_park(session, principal, data)
                created += 1
        except AvbaseError as exc:
            _error(errors, number, "name", exc)
    if errors:
        raise ImportRejected(errors, count)
    return created, updated, count


def _import_projects(
    session: Session,
    principal: Principal,
    rows: Iterator[tuple[int, dict[str, Any]]],
    progress: Progress,
    batch: str,
    on: date | None,
) -> tuple[int, int, int]:
    from avbase.industry.models import ProjectStatus, ProjectTier

    require_steward(principal)
    errors: list[RowError] = []
    parks = {park.name: park.id for park in session.scalars(select(Park))}
    parsed: list[tuple[int, ProjectIn]] = []
    count = 0
    for number, raw in rows:
        count += 1
        values = _clean(raw)
        if reason := _name_to_id(values, "park", "park_id", parks, "Unknown park {name}."):
            errors.append(RowError(number, "park", reason))
            continue
        _enums(values, {"tier": ProjectTier, "status": ProjectStatus})
        years: dict[int, dict[str, Any]] = {}
        for column in [c for c in values if c.startswith(("planned_", "completed_")) and c[-4:].isdigit()]:
            amount = values.pop(column)
            if amount not in ("", None):
                years.setdefault(int(column[-4:]), {"year": int(column[-4:])})[column.split("_")[0]] = amount
        values["years"] = list(years.values())
        data = _validate(ProjectIn, number, values, errors)
        if data is not None:
            parsed.append((number, data))
    _reject_if_any(errors, count)
    created = updated = 0
    for number, data in parsed:
        try:
            existing = session.scalar(
                select(Project).where(Project.name == data.name, Project.year_selected == data.year_selected)
            )
            if existing is None:
                registry.create_project(session, principal, data)
                created += 1
                continue
            existing.tier, existing.status, existing.planned_total = (
                data.tier,
                data.status,
                data.planned_total,
            )
            by_year = {y.year: y for y in existing.years}
            for plan in data.years:
                row = by_year.get(plan.year)
                if row is None:
                    existing.years.append(
                        ProjectYear(year=plan.year, planned=plan.planned, completed=plan.completed)
                    )
                else:
                    row.planned, row.completed = plan.planned, plan.completed
            updated += 1
        except AvbaseError as exc:
            _error(errors, number, "name", exc)
    if errors:
        raise ImportRejected(errors, count)
    return created, updated, count


def errors_csv(errors: list[dict[str, Any]]) -> str:
    """The rejection report a user downloads: row, column, reason."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow([_("Row"), _("Column"), _("Reason")])
    for error in errors:
        writer.writerow([error["row"], error["column"], error["reason"]])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens UTF-8 CSV correctly
