"""The shared resource catalogue (资源共享): datasets, models, code, apps, content packs and public service
platforms, with versions whose files are in the content-addressed store, open or on-request access
(request → the owner's approval → download), every download audited, and a DCAT export (JSON-LD).

The catalogue is read by every signed-in user; a resource is changed by its publisher and the staff of the
publishing organisation.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from avbase.core import audit, storage
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.core.i18n import N_
from avbase.ecosystem.models import (
    Access,
    AccessRequest,
    Download,
    Rating,
    RequestState,
    Resource,
    ResourceFile,
    ResourceKind,
    ResourceVersion,
)

KIND_LABELS = {
    ResourceKind.dataset: N_("Dataset"),
    ResourceKind.model: N_("Model"),
    ResourceKind.code: N_("Code"),
    ResourceKind.app: N_("App"),
    ResourceKind.content_pack: N_("Content pack"),
    ResourceKind.platform: N_("Public service platform"),
}
DCAT_TYPES = {
    ResourceKind.dataset: "dcat:Dataset",
    ResourceKind.model: "dcat:Dataset",
    ResourceKind.code: "dcat:Dataset",
    ResourceKind.content_pack: "dcat:Dataset",
    ResourceKind.app: "dcat:DataService",
    ResourceKind.platform: "dcat:DataService",
}


def _text(value: str, field: str, *, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise AvbaseError(N_("This field is required."), field=field)
    if len(value) > limit:
        raise AvbaseError(N_("At most {limit} characters."), field=field, limit=limit)
    return value


def _kind(value: str) -> ResourceKind:
    try:
        return ResourceKind(value)
    except ValueError:
        raise AvbaseError(N_("Unknown kind {value}."), field="kind", value=value) from None


def _access(value: str) -> Access:
    try:
        return Access(value)
    except ValueError:
        raise AvbaseError(N_("Access is open or on_request."), field="access") from None


def publish(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    title: str,
    description: str,
    licence: str,
    access: str = "open",
    keywords: list[str] | None = None,
    landing_url: str | None = None,
    media_asset_id: int | None = None,
) -> Resource:
    """A new resource of the principal's organisation (creators publish too: what they make is theirs)."""
    if not principal.user_id:
        raise Forbidden(N_("Resources are published by users; sign in as one (--as)."))
    resource = Resource(
        kind=_kind(kind),
        title=_text(title, "title", limit=200),
        description=_text(description, "description", limit=10_000, required=False),
        licence=_text(licence, "licence", limit=100),
        access=_access(access),
        keywords=[word.strip() for word in keywords or [] if word.strip()][:20],
        landing_url=_text(landing_url or "", "landing_url", limit=300, required=False) or None,
        org_id=principal.org_id,
        publisher_id=principal.user_id,
        media_asset_id=media_asset_id,
    )
    session.add(resource)
    session.flush()
    return resource


def list_resources(session: Session, *, kind: str | None = None, query: str | None = None) -> list[Resource]:
    stmt: Select[Any] = select(Resource).order_by(Resource.downloads.desc(), Resource.id.desc())
    if kind:
        stmt = stmt.where(Resource.kind == _kind(kind))
    if query:
        stmt = stmt.where(Resource.title.contains(query.strip()))
    return list(session.scalars(stmt))


def get_resource(session: Session, resource_id: int) -> Resource:
    found = session.get(Resource, resource_id)
    if found is None:
        raise NotFound(N_("Resource not found."))
    return found


def can_manage(principal: Principal, resource: Resource) -> bool:
    """The publisher, the staff of the publishing organisation and the administrator."""
    if principal.is_admin or (principal.user_id and principal.user_id == resource.publisher_id):
        return True
    return principal.role not in READ_ONLY_ROLES and principal.org_id == resource.org_id


def _require_manager(principal: Principal, resource: Resource) -> None:
    if not can_manage(principal, resource):
        raise Forbidden(N_("Only the resource's publisher and its organisation may change it."))


def add_version(
    session: Session,
    principal: Principal,
    resource_id: int,
    *,
    version: str,
    notes: str = "",
    files: list[tuple[Path, str]],
) -> ResourceVersion:
    """A new version with its files (each moved into the store; the caller's paths are consumed)."""
    resource = get_resource(session, resource_id)
    _require_manager(principal, resource)
    version = _text(version, "version", limit=40)
    if any(v.version == version for v in resource.versions):
        raise Conflict(N_("Version {version} exists already."), field="version", version=version)
    made = ResourceVersion(resource_id=resource.id, version=version, notes=notes.strip())
    session.add(made)
    session.flush()
    for path, name in files:
        size = path.stat().st_size
        sha256, _ = storage.keep(path)
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        session.add(
            ResourceFile(version_id=made.id, name=name[:200], sha256=sha256, size=size, media_type=media_type)
        )
    session.flush()
    session.refresh(resource)
    return made


def publish_media_asset(
    session: Session, principal: Principal, asset_id: int, *, licence: str, access: str = "open"
) -> Resource:
    """A library asset shared as a content pack: its file (already in the store) becomes version 1."""
    from avbase.media import service as media

    asset = media.get_asset(session, principal, asset_id)
    if not principal.owns(asset.org_id):
        raise Forbidden(N_("Only the asset's own organisation may share it."))
    resource = publish(
        session,
        principal,
        kind=ResourceKind.content_pack.value,
        title=asset.title,
        description=asset.description or "",
        licence=licence,
        access=access,
        keywords=list(asset.tags or []),
        media_asset_id=asset.id,
    )
    version = ResourceVersion(resource_id=resource.id, version="1", notes="")
    session.add(version)
    session.flush()
    media_type = mimetypes.guess_type(asset.file_name)[0] or "application/octet-stream"
    session.add(
        ResourceFile(version_id=version.id, name=asset.file_name[:200], sha256=asset.sha256, size=asset.size,
                     media_type=media_type)
    )  # fmt: skip
    session.flush()
    session.refresh(resource)
    return resource


# --- access -------------------------------------------------------------------------------------------


def my_request(session: Session, principal: Principal, resource: Resource) -> AccessRequest | None:
    return session.scalar(
        select(AccessRequest)
        .where(AccessRequest.resource_id == resource.id, AccessRequest.user_id == principal.user_id)
        .order_by(AccessRequest.id.desc())
    )


def may_download(session: Session, principal: Principal, resource: Resource) -> bool:
    if resource.access is Access.open or can_manage(principal, resource):
        return True
    found = my_request(session, principal, resource)
    return found is not None and found.state is RequestState.approved


def request_access(
    session: Session, principal: Principal, resource_id: int, *, purpose: str
) -> AccessRequest:
    resource = get_resource(session, resource_id)
    if resource.access is Access.open:
        raise Conflict(N_("This resource is open: download it without a request."))
    if not principal.user_id:
        raise Forbidden(N_("Requests are made by users; sign in as one (--as)."))
    existing = my_request(session, principal, resource)
    if existing is not None and existing.state is not RequestState.refused:
        raise Conflict(N_("You have asked already; the request is {state}."), state=existing.state.value)
    made = AccessRequest(
        resource_id=resource.id, user_id=principal.user_id, purpose=_text(purpose, "purpose", limit=2000)
    )
    session.add(made)
    session.flush()
    return made


def pending_requests(session: Session, principal: Principal, resource: Resource) -> list[AccessRequest]:
    if not can_manage(principal, resource):
        return []
    return list(
        session.scalars(
            select(AccessRequest)
            .where(AccessRequest.resource_id == resource.id, AccessRequest.state == RequestState.pending)
            .order_by(AccessRequest.id)
        )
    )


def decide(
    session: Session, principal: Principal, request_id: int, *, approve: bool, remark: str = ""
) -> AccessRequest:
    found = session.get(AccessRequest, request_id)
    if found is None:
        raise NotFound(N_("Request not found."))
    _require_manager(principal, get_resource(session, found.resource_id))
    if found.state is not RequestState.pending:
        raise Conflict(N_("The request has been decided already."))
    found.state = RequestState.approved if approve else RequestState.refused
    found.decided_by_id, found.decided_at, found.note = principal.user_id or None, utcnow(), remark[:300]
    session.flush()
    return found


@dataclass(frozen=True)
class FileToSend:
    path: Path
    name: str
    media_type: str


def download(session: Session, principal: Principal, file_id: int) -> FileToSend:
    """A file for the principal, when they may have it; counted and written to the audit log."""
    found = session.get(ResourceFile, file_id)
    if found is None:
        raise NotFound(N_("File not found."))
    version = session.get(ResourceVersion, found.version_id)
    assert version is not None
    resource = get_resource(session, version.resource_id)
    if not may_download(session, principal, resource):
        raise Forbidden(N_("This resource is shared on request: ask its publisher first."))
    path = storage.path_of(found.sha256)
    if not path.is_file():
        raise NotFound(N_("File not found."))
    session.add(Download(resource_id=resource.id, file_id=found.id, user_id=principal.user_id or None))
    resource.downloads += 1
    audit.record(
        session,
        action="download",
        entity_type="eco_resource_files",
        entity_id=found.id,
        org_id=resource.org_id,
        after={
            "resource": resource.id,
            "version": version.version,
            "file": found.name,
            "sha256": found.sha256,
        },
    )
    session.flush()
    return FileToSend(path, found.name, found.media_type)


# --- ratings ------------------------------------------------------------------------------------------


def rate(session: Session, principal: Principal, resource_id: int, stars: int) -> Rating:
    resource = get_resource(session, resource_id)
    if not 1 <= stars <= 5:
        raise AvbaseError(N_("Give 1 to 5 stars."), field="stars")
    if not principal.user_id:
        raise Forbidden(N_("Ratings are given by users; sign in as one (--as)."))
    if principal.user_id == resource.publisher_id:
        raise Conflict(N_("Publishers do not rate their own resources."), field="stars")
    found = session.scalar(
        select(Rating).where(Rating.resource_id == resource.id, Rating.user_id == principal.user_id)
    )
    if found is None:
        found = Rating(resource_id=resource.id, user_id=principal.user_id, stars=stars)
        session.add(found)
    else:
        found.stars = stars
    session.flush()
    return found


def rating_of(session: Session, resource_id: int) -> tuple[float | None, int]:
    """Mean stars and how many gave them."""
    mean, count = session.execute(
        select(func.avg(Rating.stars), func.count(Rating.id)).where(Rating.resource_id == resource_id)
    ).one()
    return (float(mean) if mean is not None else None), int(count)


# --- DCAT ---------------------------------------------------------------------------------------------

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def dcat_resource(resource: Resource, base_url: str, publisher: str) -> dict[str, Any]:
    """One resource as a DCAT-AP style dataset (or data service), its versions as distributions."""
    url = f"{base_url}/ecosystem/resources/{resource.id}"
    item: dict[str, Any] = {
        "@id": url,
        "@type": DCAT_TYPES[resource.kind],
        "dct:identifier": str(resource.id),
        "dct:title": resource.title,
        "dct:description": resource.description,
        "dct:license": resource.licence,
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher},
        "dct:issued": {"@value": resource.created_at.date().isoformat(), "@type": "xsd:date"},
        "dct:modified": {"@value": resource.updated_at.date().isoformat(), "@type": "xsd:date"},
        "dct:type": resource.kind.value,
        "dct:accessRights": resource.access.value,
        "dcat:keyword": resource.keywords,
        "dcat:landingPage": resource.landing_url or url,
    }
    if DCAT_TYPES[resource.kind] == "dcat:DataService":
        item["dcat:endpointURL"] = resource.landing_url or url
    item["dcat:distribution"] = [
        {
            "@type": "dcat:Distribution",
            "dct:title": f"{file.name} ({version.version})",
            "dcat:downloadURL": f"{base_url}/ecosystem/files/{file.id}",
            "dcat:mediaType": file.media_type,
            "dcat:byteSize": {"@value": file.size, "@type": "xsd:nonNegativeInteger"},
            "spdx:checksum": {"spdx:algorithm": "sha256", "spdx:checksumValue": file.sha256},
            "dct:hasVersion": version.version,
        }
        for version in resource.versions
        for file in version.files
    ]
    return item


def dcat_catalogue(session: Session, base_url: str) -> dict[str, Any]:
    from avbase.core.accounts.service import organisation_names

    resources = list_resources(session)
    names = organisation_names(session, (r.org_id for r in resources))
    return {
        "@context": {**DCAT_CONTEXT, "spdx": "http://spdx.org/rdf/terms#"},
        "@id": f"{base_url}/ecosystem/resources",
        "@type": "dcat:Catalog",
        "dct:title": "avbase 视听产业资源共享目录",
        "dcat:dataset": [
            dcat_resource(r, base_url, names.get(r.org_id, ""))
            for r in resources
            if DCAT_TYPES[r.kind] == "dcat:Dataset"
        ],
        "dcat:service": [
            dcat_resource(r, base_url, names.get(r.org_id, ""))
            for r in resources
            if DCAT_TYPES[r.kind] == "dcat:DataService"
        ],
    }
