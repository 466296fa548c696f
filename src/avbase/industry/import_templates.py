"""Saved column mappings: how one source organisation's forms map to import fields, reused next time.

A template belongs to the organisation that saved it, and only that organisation's users see or use it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.industry.import_fields import VOCABULARIES
from avbase.industry.models import ImportTemplate
from avbase.kit.sheets import MONEY_UNITS, normalise_title


def _is_operator(principal: Principal) -> bool:
    """The CLI acting as the platform operator belongs to no organisation."""
    return principal.user_id == 0 and principal.org_id == 0


def list_templates(
    session: Session, principal: Principal, *, kind: str | None = None
) -> list[ImportTemplate]:
    stmt = select(ImportTemplate).order_by(ImportTemplate.kind, ImportTemplate.name)
    if not _is_operator(principal):
        stmt = stmt.where(ImportTemplate.org_id == principal.org_id)
    if kind:
        stmt = stmt.where(ImportTemplate.kind == kind)
    return list(session.scalars(stmt))


def get_template(session: Session, principal: Principal, template_id: int) -> ImportTemplate:
    found = session.get(ImportTemplate, template_id)
    if found is None or (found.org_id != principal.org_id and not _is_operator(principal)):
        raise NotFound("Import template not found.")
    return found


def find_template(session: Session, principal: Principal, *, kind: str, name: str) -> ImportTemplate:
    """The template of this name for this kind of import, among those the principal's organisation keeps."""
    found = [t for t in list_templates(session, principal, kind=kind) if t.name == name]
    if not found:
        raise NotFound("No {kind} import template is called {name}.", field="template", kind=kind, name=name)
    if len(found) > 1:  # only the operator sees several organisations' templates
        raise Conflict(
            "Several organisations have an import template called {name}; act as one of their users (--as).",
            field="template",
            name=name,
        )
    return found[0]


def clean_mapping(kind: str, mapping: dict[str, str]) -> dict[str, str]:
    """Titles normalised as the reader keys them; every target a field of this kind of import, or ''."""
    vocabulary = VOCABULARIES[kind]
    cleaned: dict[str, str] = {}
    for title, target in mapping.items():
        key = normalise_title(title)
        if not key:
            continue
        if target and not vocabulary.is_field(target):
            raise AvbaseError(
                "{target} is not a field of this import (column {title}).",
                field="mapping",
                title=title,
                target=target,
            )
        cleaned[key] = target
    return cleaned


def save_template(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    name: str,
    source: str,
    mapping: dict[str, str],
    unit: str | None = None,
) -> ImportTemplate:
    """Creates the template, or replaces the mapping of the organisation's template of the same name."""
    if kind not in VOCABULARIES:
        raise AvbaseError("Unknown import kind {kind}.", field="kind", kind=kind)
    if principal.role in READ_ONLY_ROLES:
        raise Forbidden("You may not import industry data.")
    if _is_operator(principal):
        raise AvbaseError(
            "A template belongs to an organisation: save it as one of its users (--as).", field="template"
        )
    name, source = name.strip(), source.strip()
    if not 1 <= len(name) <= 80:
        raise AvbaseError("A template's name has 1 to 80 characters.", field="name")
    if not 1 <= len(source) <= 200:
        raise AvbaseError("Name the source organisation in 1 to 200 characters.", field="source")
    if unit and unit not in MONEY_UNITS:
        raise AvbaseError("Unknown unit {unit}: use 元, 千元, 万元, 百万元 or 亿元.", field="unit", unit=unit)
    cleaned = clean_mapping(kind, mapping)
    if not cleaned:
        raise AvbaseError("The template maps no columns.", field="mapping")
    existing = session.scalar(
        select(ImportTemplate).where(
            ImportTemplate.org_id == principal.org_id,
            ImportTemplate.kind == kind,
            ImportTemplate.name == name,
        )
    )
    if existing is None:
        existing = ImportTemplate(
            org_id=principal.org_id, kind=kind, name=name, created_by_id=principal.user_id or None
        )
        session.add(existing)
    existing.source, existing.mapping, existing.unit = source, cleaned, unit or None
    session.flush()
    return existing


def delete_template(session: Session, principal: Principal, template_id: int) -> None:
    found = get_template(session, principal, template_id)
    if principal.role in READ_ONLY_ROLES:
        raise Forbidden("You may not import industry data.")
    session.delete(found)
    session.flush()
