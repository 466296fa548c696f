"""Bulk import of enterprises, reports, parks and projects from CSV or Excel: all rows or none.

The sheet is read by :mod:`avbase.kit.sheets` (header found below title and unit rows, two-row headers,
money units, totals, column matching); a column matched only by similarity waits for the user's word (a
confirmed mapping, a saved template, or ``accept_guesses``). Every row is then validated; one bad row rejects
the file with a list of (row, column, reason), and nothing is written. Enum cells may hold the value
(``content``) or its Chinese label (视听内容生产).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from avbase.core import audit
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal, require_steward
from avbase.core.errors import AvbaseError, Forbidden, InvalidValue
from avbase.core.i18n import N_, _, catalogue
from avbase.industry import import_templates, registry
from avbase.industry.import_fields import VOCABULARIES, field_title
from avbase.industry.models import Enterprise, Park, Project, ProjectYear, Report
from avbase.industry.reports import (
    FLOWS,
    BulkRow,
    check_period_closed,
    file_reports_bulk,
    may_file_reports,
)
from avbase.industry.schemas import EnterpriseIn, EnterprisePatch, ParkIn, ProjectIn, ReportIn, parse_period
from avbase.kit import sheets
from avbase.kit.cells import CsvWriter
from avbase.kit.sheets import Match, Table
from avbase.web.validation import field_errors

Progress = Callable[[float, str], None]
KINDS = ("enterprises", "reports", "parks", "projects")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "√"}
FALSE_WORDS = {"0", "false", "no", "n", "否", ""}
PREVIEW_ROWS = 10
MATCH_LABELS = {
    Match.known: N_("known title"),
    Match.mapped: N_("mapped"),
    Match.guessed: N_("guessed: confirm"),
    Match.unmatched: N_("no field: map or leave out"),
    Match.ignored: N_("left out"),
}


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


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: which sheet, whose template, the user's confirmed mapping, and what to allow."""

    sheet: str | None = None
    template: str | None = None  # a saved template's name
    mapping: dict[str, str] = field(default_factory=dict)  # header title → field; '' leaves the column out
    accept_guesses: bool = False  # take columns matched by similarity as matched, leave unknown ones out
    use_formula_values: bool = False  # a formula cell's saved result is its value
    unit: str | None = None  # the money unit when the sheet does not say (元, 万元, 亿元 …)
    save_as: str | None = None  # save the mapping as this template once the import succeeds
    source: str | None = None  # the organisation whose forms the saved template reads

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ImportOptions:
        data = data or {}
        return cls(
            sheet=data.get("sheet") or None,
            template=data.get("template") or None,
            mapping={str(k): str(v) for k, v in (data.get("mapping") or {}).items()},
            accept_guesses=bool(data.get("accept_guesses")),
            use_formula_values=bool(data.get("use_formula_values")),
            unit=data.get("unit") or None,
            save_as=data.get("save_as") or None,
            source=data.get("source") or None,
        )


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int = 0  # rows equal to what is stored already (an exported file imported back)
    sheet: str = ""
    unit: str = "元"
    totals: int = 0  # total and subtotal rows checked against the rows above
    template: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Preview:
    """What an import would do, before it does it: the mapping, the unit, the first rows, every problem."""

    kind: str
    table: Table
    template: str | None
    errors: list[RowError]
    result: ImportResult | None  # None when the file would be rejected

    @property
    def first_rows(self) -> list[sheets.DataRow]:
        return self.table.rows[:PREVIEW_ROWS]

    @property
    def fields(self) -> list[str]:
        """The fields of the mapped columns, in the sheet's order."""
        return [c.field for c in self.table.columns if c.field]

    def to_json(self) -> dict[str, Any]:
        table = self.table
        return {
            "kind": self.kind,
            "sheet": table.sheet,
            "sheets": list(table.sheets),
            "header_rows": list(table.header_rows),
            "unit": table.unit.label,
            "unit_source": table.unit_source,
            "template": self.template,
            "columns": [
                {
                    "column": c.letter,
                    "title": c.title,
                    "field": c.field,
                    "match": c.match.value,
                    "unit": c.unit.label if c.unit else None,
                    "alternatives": list(c.alternatives),
                }
                for c in table.columns
            ],
            "rows": [
                {"row": r.number, "values": {k: _json_value(v) for k, v in r.values.items()}}
                for r in self.first_rows
            ],
            "row_count": len(table.rows),
            "totals": [{"row": t.number, "kind": t.kind, "rows": t.rows} for t in table.totals],
            "skipped_rows": table.skipped,
            "errors": [asdict(e) for e in self.errors],
            "result": self.result.to_json() if self.result else None,
        }


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# --- reading ---------------------------------------------------------------------------------------------


def read_table(
    session: Session, principal: Principal, kind: str, path: Path, options: ImportOptions
) -> tuple[Table, str | None]:
    """The sheet read with the named template (or the organisation's one that fits) and the user's mapping."""
    vocabulary = VOCABULARIES[kind]
    mapping: dict[str, str] = {}
    unit = options.unit
    template_name = options.template
    if options.template:
        template = import_templates.find_template(session, principal, kind=kind, name=options.template)
        mapping.update(template.mapping)
        unit = unit or template.unit
    mapping.update(import_templates.clean_mapping(kind, options.mapping))

    def read(with_mapping: dict[str, str], with_unit: str | None) -> Table:
        return sheets.read_table(
            path,
            vocabulary,
            mapping=with_mapping,
            sheet=options.sheet,
            unit=with_unit,
            use_formula_values=options.use_formula_values,
        )

    try:
        table: Table | None = read(mapping, unit)
    except AvbaseError:
        if options.template:
            raise
        table = None
    if options.template or (table is not None and not table.unconfirmed):
        assert table is not None
        return table, template_name
    # A form from a source whose template the organisation saved before is read with it: the newest
    # template that names every column the importer does not know (or, where no header was found at all,
    # the newest with which one is found and every column is known).
    wanted = {sheets.normalise_title(c.title) for c in table.unconfirmed} if table is not None else set()
    for template in sorted(
        import_templates.list_templates(session, principal, kind=kind),
        key=lambda t: t.updated_at,
        reverse=True,
    )[:20]:
        if wanted and not wanted <= set(template.mapping):
            continue
        try:
            fitted = read({**template.mapping, **mapping}, unit or template.unit)
        except AvbaseError:
            continue
        if not fitted.unconfirmed:
            return fitted, template.name
    if table is None:
        table = read(mapping, unit)  # raises the reader's error (no header, no such sheet)
    return table, None


def _sheet_errors(kind: str, table: Table, options: ImportOptions) -> list[RowError]:
    errors = [RowError(p.row, p.column, _(p.msgid, **p.params)) for p in table.problems]
    if options.accept_guesses:
        return errors
    header = table.header_rows[0]
    for column in table.unconfirmed:
        if column.match is Match.guessed and column.field:
            errors.append(
                RowError(
                    header,
                    column.field,
                    _(
                        "Column {column} ({title}) looks like {field} ({label}): confirm the mapping in the "
                        "preview, or import with a template.",
                        column=column.letter,
                        title=column.title,
                        field=column.field,
                        label=field_title(kind, column.field),
                    ),
                )
            )
        else:
            errors.append(
                RowError(
                    header,
                    column.letter,
                    _(
                        "Column {column} ({title}) matches no field: map it or leave it out in the preview, "
                        "or import with a template.",
                        column=column.letter,
                        title=column.title,
                    ),
                )
            )
    return errors


def _row_values(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _cell(value) for key, value in values.items()}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
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

Rows = Iterator[tuple[int, dict[str, Any]]]
Counts = tuple[int, int, int]  # created, updated, unchanged


def run_import(
    session: Session,
    principal: Principal,
    kind: str,
    path: Path,
    *,
    options: ImportOptions | None = None,
    file_name: str | None = None,
    progress: Progress | None = None,
    on: date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Validates every row, then writes them all; raises :class:`ImportRejected` on any error.

    The caller owns the transaction and rolls it back on error, so a rejected file leaves nothing behind.
    With ``dry_run`` nothing is written: the result says what an import would do.
    """
    return _run(session, principal, kind, path, options or ImportOptions(), file_name, progress, on, dry_run)[
        0
    ]


def preview(
    session: Session,
    principal: Principal,
    kind: str,
    path: Path,
    *,
    options: ImportOptions | None = None,
    file_name: str | None = None,
    on: date | None = None,
) -> Preview:
    """Reads and checks the file as an import would, writing nothing; problems are listed, not raised."""
    options = options or ImportOptions()
    if kind not in KINDS:
        raise AvbaseError("Unknown import kind {kind}.", field="kind", kind=kind)
    table, template = read_table(session, principal, kind, path, options)
    try:
        result, _table, _template = _run(
            session, principal, kind, path, options, file_name, None, on, True, read=(table, template)
        )
    except ImportRejected as rejected:
        return Preview(kind, table, template, rejected.errors, None)
    return Preview(kind, table, template, [], result)


def _run(
    session: Session,
    principal: Principal,
    kind: str,
    path: Path,
    options: ImportOptions,
    file_name: str | None,
    progress: Progress | None,
    on: date | None,
    dry_run: bool,
    read: tuple[Table, str | None] | None = None,
) -> tuple[ImportResult, Table, str | None]:
    if kind not in KINDS:
        raise AvbaseError("Unknown import kind {kind}.", field="kind", kind=kind)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    table, template = read or read_table(session, principal, kind, path, options)
    report = progress or (lambda _fraction, _message: None)
    importer = {
        "enterprises": _import_enterprises,
        "reports": _import_reports,
        "parks": _import_parks,
        "projects": _import_projects,
    }[kind]
    errors = _sheet_errors(kind, table, options)
    # A row with a refused cell (a formula) is reported once, not again as the row that cell leaves short.
    refused = {error.row for error in errors}
    rows = ((r.number, _row_values(r.values)) for r in table.rows if r.number not in refused)
    try:
        created, updated, unchanged = importer(session, principal, rows, report, sha256, on, errors, dry_run)
    except ImportRejected as rejected:
        raise ImportRejected(sorted(rejected.errors, key=lambda e: e.row), len(table.rows)) from None
    result = ImportResult(
        kind,
        file_name or path.name,
        sha256,
        len(table.rows),
        created,
        updated,
        unchanged,
        sheet=table.sheet,
        unit=table.unit.label,
        totals=len(table.totals),
        template=template,
    )
    if dry_run:
        return result, table, template
    if options.save_as:
        import_templates.save_template(
            session,
            principal,
            kind=kind,
            name=options.save_as,
            source=options.source or options.save_as,
            mapping=table.mapping,
            unit=options.unit,
        )
        result.template = options.save_as
    audit.record(
        session,
        action="import",
        entity_type=f"industry_{kind}",
        org_id=principal.org_id,
        after=result.to_json(),
        note=file_name or path.name,
    )
    session.flush()
    return result, table, template


def _import_reports(
    session: Session,
    principal: Principal,
    rows: Rows,
    progress: Progress,
    batch: str,
    on: date | None,
    errors: list[RowError],
    dry_run: bool,
) -> Counts:
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
    changed, corrections, unchanged = _corrections(session, valid, seen, errors)
    _reject_if_any(errors, count)
    if dry_run:
        return len(changed) - corrections, corrections, unchanged
    progress(0.8, _("Writing {count} reports", count=count))
    created, corrected = (
        file_reports_bulk(session, changed, submitted_by_id=principal.user_id or None, batch=batch[:64])
        if changed
        else (0, 0)
    )
    return created, corrected, unchanged


COMPARED = (*FLOWS, "employees", "titles", "content_hours")


def _current_reports(session: Session, rows: list[BulkRow]) -> dict[tuple[int, str, date], dict[str, Any]]:
    """The current report of each (enterprise, period) in ``rows`` that has one: its figures and note."""
    keys = {(row.enterprise_id, row.kind.value, row.start) for row in rows}
    found: dict[tuple[int, str, date], dict[str, Any]] = {}
    ids = sorted({row.enterprise_id for row in rows})
    starts = sorted({row.start for row in rows})
    columns = [getattr(Report, name) for name in (*COMPARED, "note")]
    for offset in range(0, len(ids), 500):
        for record in session.execute(
            select(Report.enterprise_id, Report.period_kind, Report.period_start, *columns).where(
                Report.enterprise_id.in_(ids[offset : offset + 500]),
                Report.period_start.in_(starts),
                Report.is_current,
            )
        ):
            key = (
                record.enterprise_id,
                str(getattr(record.period_kind, "value", record.period_kind)),
                record.period_start,
            )
            if key in keys:
                found[key] = {name: getattr(record, name) for name in (*COMPARED, "note")}
    return found


def _corrections(
    session: Session, rows: list[BulkRow], numbers: dict[tuple[int, str, date], int], errors: list[RowError]
) -> tuple[list[BulkRow], int, int]:
    """The rows that file something, how many of them are corrections, and how many repeat what is filed.

    A row for a period that has a report is a correction, and a correction needs a note that says why, as it
    does in the form and the API. A row equal to the current report corrects nothing: an exported file
    imported back unchanged is no correction, and it is skipped.
    """
    if not rows:
        return [], 0, 0
    current = _current_reports(session, rows)
    changed: list[BulkRow] = []
    corrections = unchanged = 0
    for row in rows:
        key = (row.enterprise_id, row.kind.value, row.start)
        filed = current.get(key)
        if filed is None:
            changed.append(row)
            continue
        if all(_same(row.values.get(name), filed[name]) for name in COMPARED):
            unchanged += 1
            continue
        if not row.values.get("note"):
            errors.append(RowError(numbers[key], "note", _("A correction needs a note that says why.")))
            continue
        corrections += 1
        changed.append(row)
    return changed, corrections, unchanged


def _same(new: Any, old: Any) -> bool:
    if isinstance(new, Decimal) or isinstance(old, Decimal):
        return Decimal(str(new or 0)) == Decimal(str(old or 0))
    return bool(new == old)


def _import_enterprises(
    session: Session,
    principal: Principal,
    rows: Rows,
    progress: Progress,
    batch: str,
    on: date | None,
    errors: list[RowError],
    dry_run: bool,
) -> Counts:
    from avbase.industry.models import Cluster, Tier

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
    codes = sorted(seen_codes)
    # Only enterprises the importer may see are updated. A code registered where they cannot see is
    # answered exactly as a code they may not register: the import must not tell whether it exists.
    existing = _by_credit_code(session, registry.visible_enterprises(principal), codes)
    elsewhere = set(_by_credit_code(session, select(Enterprise), codes)) - set(existing)
    if dry_run:
        return len(parsed) - len(existing), len(existing), 0
    progress(0.5, _("Writing {count} enterprises", count=count))
    created = updated = 0
    for number, data in parsed:
        unseen = _("No enterprise you may see has the credit code {code}, and you may not register it.",
                   code=data.credit_code)  # fmt: skip
        try:
            if data.credit_code in existing:
                patch = EnterprisePatch(**data.model_dump(exclude={"credit_code"}))
                registry.update_enterprise(session, principal, existing[data.credit_code].id, patch)
                updated += 1
            elif data.credit_code in elsewhere:
                errors.append(RowError(number, "credit_code", unseen))
            else:
                registry.create_enterprise(session, principal, data)
                created += 1
        except Forbidden:
            errors.append(RowError(number, "credit_code", unseen))
        except AvbaseError as exc:
            _error(errors, number, "name", exc)
    if errors:
        raise ImportRejected(errors, count)
    return created, updated, 0


def _by_credit_code(session: Session, stmt: Select[Any], codes: list[str]) -> dict[str, Enterprise]:
    found: dict[str, Enterprise] = {}
    for offset in range(0, len(codes), 500):
        batch = stmt.where(Enterprise.credit_code.in_(codes[offset : offset + 500]))
        found.update((enterprise.credit_code, enterprise) for enterprise in session.scalars(batch))
    return found


def _import_parks(
    session: Session,
    principal: Principal,
    rows: Rows,
    progress: Progress,
    batch: str,
    on: date | None,
    errors: list[RowError],
    dry_run: bool,
) -> Counts:
    from avbase.industry.models import ParkLevel, ParkStatus

    require_steward(principal)
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
    if dry_run:
        known = sum(1 for _number, data in parsed if data.name in existing)
        return len(parsed) - known, known, 0
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
    return created, updated, 0


def _import_projects(
    session: Session,
    principal: Principal,
    rows: Rows,
    progress: Progress,
    batch: str,
    on: date | None,
    errors: list[RowError],
    dry_run: bool,
) -> Counts:
    from avbase.industry.models import ProjectStatus, ProjectTier

    require_steward(principal)
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
    if dry_run:
        known = sum(
            1
            for _number, data in parsed
            if session.scalar(
                select(Project.id).where(
                    Project.name == data.name, Project.year_selected == data.year_selected
                )
            )
        )
        return len(parsed) - known, known, 0
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
    return created, updated, 0


def errors_csv(errors: list[dict[str, Any]]) -> str:
    """The rejection report a user downloads: row, column, reason."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow([_("Row"), _("Column"), _("Reason")])
    for error in errors:
        writer.writerow([error["row"], error["column"], error["reason"]])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens UTF-8 CSV correctly
