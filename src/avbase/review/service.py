"""The review assistant: delivery profiles, term packs, QC reports of assets and the reviewer's decisions
on their findings, for the users who may see each asset."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role
from avbase.core.accounts.principal import READ_ONLY_ROLES, STEWARDS, Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.core.i18n import N_
from avbase.core.jobs import enqueue
from avbase.core.jobs.models import Job
from avbase.media.models import Asset, TextSegment, TextSource
from avbase.media.service import get_asset, visible_assets
from avbase.review import qc
from avbase.review.models import (
    Finding,
    FindingStatus,
    OperatorProfile,
    QCReport,
    TermPack,
    TermPackVersion,
)
from avbase.review.profiles import BUILTIN, Profile
from avbase.review.terms import PackLineError, Term, TermMatcher, parse_pack, parse_whitelist
from avbase.review.units import TIME_UNITS, unit_of

CHECK_JOB = "review.check"
DEFAULT_PROFILE = "gy-t-282"  # the one the analysis job checks every programme against
REVIEWERS = (*STEWARDS, Role.reviewer)  # who decide on findings and manage term packs


# ---- profiles ----------------------------------------------------------------------------------------


PROFILE_SCOPES = ("operator", "organisation")


def _visible_profiles(principal: Principal | None) -> Select[OperatorProfile]:
    """The operator's profiles (for everyone) and an organisation's own (for its members; administrators
    see all). Without a principal (a job running a check already allowed): all."""
    stmt = select(OperatorProfile)
    if principal is None or principal.is_admin:
        return stmt
    return stmt.where(or_(OperatorProfile.org_id.is_(None), OperatorProfile.org_id == principal.org_id))


def profile_rows(session: Session, principal: Principal | None) -> list[tuple[Profile, int | None]]:
    """Each profile the principal may use with the organisation it belongs to (None: built-in or the
    operator's), built-in ones first."""
    rows = session.scalars(_visible_profiles(principal))
    stored = [(Profile.from_json(row.params), row.org_id) for row in rows]
    builtin: list[tuple[Profile, int | None]] = [(profile, None) for profile in BUILTIN.values()]
    return [*builtin, *sorted(stored, key=lambda pair: pair[0].key)]


def profiles(session: Session, principal: Principal | None = None) -> list[Profile]:
    return [profile for profile, _org in profile_rows(session, principal)]


def get_profile(session: Session, key: str, principal: Principal | None = None) -> Profile:
    """A profile by key; another organisation's is not found."""
    if key in BUILTIN:
        return BUILTIN[key]
    row = session.scalar(_visible_profiles(principal).where(OperatorProfile.key == key))
    if row is None:
        raise NotFound("No delivery profile is called {key}.", field="profile", key=key)
    return Profile.from_json(row.params)


def may_save_profiles(principal: Principal, scope: str) -> bool:
    """The operator's profiles: administrators and authority officers; an organisation's own: its members
    who may change its data."""
    if scope == "operator":
        return principal.role in STEWARDS
    return principal.role not in READ_ONLY_ROLES and bool(principal.org_id)


def default_scope(principal: Principal) -> str:
    return "operator" if principal.role in STEWARDS else "organisation"


def save_profile(
    session: Session, principal: Principal, params: dict[str, Any], *, scope: str | None = None
) -> Profile:
    """Adds or replaces a profile of the operator's or of the principal's organisation (a built-in one
    cannot be replaced; a key is one profile's, whoever holds it)."""
    scope = scope or default_scope(principal)
    if scope not in PROFILE_SCOPES:
        raise AvbaseError("The scope is operator or organisation.", field="scope")
    if not may_save_profiles(principal, scope):
        raise Forbidden("Only administrators and authority officers change the operator's delivery profiles; "
                        "an organisation's members who may change its data add its own.")  # fmt: skip
    try:
        profile = Profile.from_json(params)
    except ValueError as exc:
        raise AvbaseError("The profile is not valid: {reason}", field="profile", reason=str(exc)) from exc
    if profile.key in BUILTIN:
        raise Conflict("{key} is a built-in profile; give yours another key.", field="key", key=profile.key)
    org_id = None if scope == "operator" else principal.org_id
    row = session.scalar(select(OperatorProfile).where(OperatorProfile.key == profile.key))
    if row is None:
        session.add(
            OperatorProfile(key=profile.key, params=profile.to_json(), org_id=org_id,
                            created_by_id=principal.user_id or None),
        )  # fmt: skip
    elif row.org_id != org_id:
        raise Conflict("The key {key} is taken; give your profile another.", field="key", key=profile.key)
    else:
        row.params = profile.to_json()
    session.flush()
    return profile


def may_delete_profile(principal: Principal, org_id: int | None) -> bool:
    """Who may delete a stored profile: those who may save one of its scope (an organisation's, its own)."""
    if org_id is None:
        return may_save_profiles(principal, "operator")
    return principal.owns(org_id)


def profile_use(session: Session, keys: Sequence[str]) -> dict[str, int]:
    """How many QC reports were checked against each of ``keys``."""
    counts = (
        select(QCReport.profile, func.count()).where(QCReport.profile.in_(keys)).group_by(QCReport.profile)
    )
    return {key: int(count) for key, count in session.execute(counts).all()}


def delete_profile(session: Session, principal: Principal, key: str) -> tuple[Profile, int]:
    """Deletes a stored profile (the operator's, or an organisation's own); a built-in one stays. The QC
    reports checked against it stay as they are: each keeps the profile's key, name and the limits its
    findings were measured against. Returns the profile and the number of those reports."""
    if key in BUILTIN:
        raise Conflict("{key} is a built-in profile; it cannot be deleted.", field="key", key=key)
    row = session.scalar(_visible_profiles(principal).where(OperatorProfile.key == key))
    if row is None:
        raise NotFound("No delivery profile is called {key}.", field="profile", key=key)
    if not may_delete_profile(principal, row.org_id):
        raise Forbidden("Only administrators and authority officers delete the operator's delivery profiles; "
                        "an organisation's members who may change its data delete its own.")  # fmt: skip
    profile = Profile.from_json(row.params)
    session.delete(row)
    session.flush()
    return profile, profile_use(session, [key]).get(key, 0)


# ---- term packs --------------------------------------------------------------------------------------


def load_pack(
    session: Session,
    principal: Principal,
    *,
    name: str,
    data: bytes,
    file_name: str,
    whitelist: bytes | None = None,
) -> TermPackVersion:
    """Loads a pack file as the next version of the pack called ``name`` (a new pack if there is none).
    The whitelist, when not given, stays as it was in the pack's last version."""
    if principal.role not in REVIEWERS:
        raise Forbidden("Only reviewers, administrators and authority officers may load term packs.")
    name = name.strip()
    if not name or len(name) > 100:
        raise AvbaseError("Give the pack a name of at most 100 characters.", field="name")
    try:
        terms = parse_pack(data)
        phrases = parse_whitelist(whitelist) if whitelist is not None else None
    except PackLineError as exc:
        field = "whitelist" if whitelist is not None and "phrase" in exc.message else "file"
        raise AvbaseError("Line {line}: {reason}", field=field, line=exc.line, reason=exc.message) from exc
    if not terms:
        raise AvbaseError("The file holds no terms.", field="file")
    pack = session.scalar(select(TermPack).where(TermPack.name == name))
    previous: TermPackVersion | None = None
    if pack is None:
        pack = TermPack(name=name, current_version=0, active=True)
        session.add(pack)
        session.flush()
    else:
        previous = current_version(session, pack)
    if phrases is None:
        phrases = list(previous.whitelist) if previous else []
    version = TermPackVersion(
        pack_id=pack.id,
        version=pack.current_version + 1,
        terms=[[term.text, term.category, term.severity] for term in terms],
        whitelist=phrases,
        term_count=len(terms),
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name[-300:],
        created_by_id=principal.user_id or None,
    )
    session.add(version)
    pack.current_version = version.version
    session.flush()
    return version


def current_version(session: Session, pack: TermPack) -> TermPackVersion:
    found = session.scalar(
        select(TermPackVersion).where(
            TermPackVersion.pack_id == pack.id, TermPackVersion.version == pack.current_version
        )
    )
    assert found is not None
    return found


def packs(session: Session) -> list[tuple[TermPack, TermPackVersion]]:
    rows = session.scalars(select(TermPack).order_by(TermPack.name)).all()
    return [(pack, current_version(session, pack)) for pack in rows]


def pack_versions(session: Session, pack_id: int) -> list[TermPackVersion]:
    return list(
        session.scalars(
            select(TermPackVersion)
            .where(TermPackVersion.pack_id == pack_id)
            .order_by(TermPackVersion.version.desc())
        )
    )


def get_pack(session: Session, pack_id: int) -> TermPack:
    pack = session.get(TermPack, pack_id)
    if pack is None:
        raise NotFound("Term pack not found.")
    return pack


@functools.lru_cache(maxsize=32)
def _matcher(
    version_id: int, terms: tuple[tuple[str, str, str], ...], whitelist: tuple[str, ...]
) -> TermMatcher:
    """One automaton per pack version, built once per process (versions never change)."""
    return TermMatcher([Term(*term) for term in terms], whitelist)


def matcher_for(version: TermPackVersion) -> TermMatcher:
    return _matcher(version.id, tuple((t[0], t[1], t[2]) for t in version.terms), tuple(version.whitelist))


# ---- checking ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextPiece:
    source: str  # ocr | subtitle | transcript | document | metadata
    track: str
    start: float
    end: float
    text: str
    where: str = ""  # for text without time: "paragraph 3, line 2", "title"


def text_of(session: Session, asset: Asset) -> list[TextPiece]:
    """Everything written in or about the asset that media stores: on-screen text, subtitles,
    transcripts, attached scripts (by paragraph and line) and the descriptive metadata."""
    pieces: list[TextPiece] = []
    paragraphs: dict[str, int] = {}
    for segment in session.scalars(
        select(TextSegment).where(TextSegment.asset_id == asset.id).order_by(TextSegment.id)
    ):
        if segment.source is TextSource.document:
            paragraphs[segment.track] = paragraphs.get(segment.track, 0) + 1
            for number, line in enumerate(segment.text.splitlines(), start=1):
                where = f"¶{paragraphs[segment.track]} L{number}"
                pieces.append(TextPiece("document", segment.track, 0.0, 0.0, line, where))
        else:
            pieces.append(
                TextPiece(segment.source.value, segment.track, segment.start, segment.end, segment.text)
            )
    metadata = [("title", asset.title), ("description", asset.description or ""),
                ("tags", " ".join(asset.tags or [])), ("people", " ".join(asset.people or []))]  # fmt: skip
    for field, text in metadata:
        if text:
            pieces.append(TextPiece("metadata", field, 0.0, 0.0, text, field))
    return pieces


def term_findings(session: Session, asset: Asset) -> tuple[list[qc.Finding], list[str]]:
    """Hits of every active pack's current version in the asset's text, and the packs used."""
    found: list[qc.Finding] = []
    used: list[str] = []
    pieces = text_of(session, asset)
    for pack, version in packs(session):
        if not pack.active:
            continue
        used.append(f"{pack.name} v{version.version}")
        matcher = matcher_for(version)
        for piece, hits in zip(pieces, matcher.find_many([piece.text for piece in pieces]), strict=True):
            for hit in hits:
                found.append(
                    qc.Finding(
                        kind="term",
                        start=piece.start,
                        end=piece.end,
                        value=None,
                        limit=None,
                        severity="error" if hit.severity == "high" else "warning",
                        detail=piece.where or piece.track,
                        source=piece.source,
                        text=hit.context,
                        term=hit.term,
                        category=hit.category,
                        track=piece.track,
                    )
                )
    return found, used


def _key(kind: str, start: float, source: str, term: str, detail: str) -> tuple[str, float, str, str, str]:
    return (kind, round(start, 1), source, term, detail)


def store_report(
    session: Session,
    asset: Asset,
    profile: Profile,
    report: qc.Report,
    *,
    job_id: int | None = None,
    seconds: float | None = None,
    frames: tuple[Path, Path] | None = None,
) -> QCReport:
    """Writes the QC report with the term hits of the asset's text. A reviewer's decision on a finding of
    an earlier report for this asset and profile carries over to the same finding here."""
    terms, used = term_findings(session, asset)
    earlier = {
        _key(row.kind, row.start, row.source, row.term, row.detail): row
        for row in session.scalars(
            select(Finding)
            .join(QCReport, Finding.report_id == QCReport.id)
            .where(QCReport.asset_id == asset.id, QCReport.profile == profile.key)
            .where(Finding.status != FindingStatus.open)
            .order_by(Finding.id)
        )
    }
    findings = sorted([*report.findings, *terms], key=lambda finding: (finding.start, finding.kind))
    verdict = _verdict(findings, earlier)
    thumbnails: dict[float, str] = {}
    if frames is not None and asset.kind == "video" and findings:
        source, folder = frames
        thumbnails = qc.frames_at(source, [finding.start for finding in findings], folder)
    row = QCReport(
        asset_id=asset.id,
        org_id=asset.org_id,
        profile=profile.key,
        profile_name=profile.name[:100],
        verdict=verdict,
        duration=report.duration,
        loudness=report.loudness.to_json() if report.loudness else None,
        packs=used,
        seconds=seconds,
        job_id=job_id,
    )
    session.add(row)
    session.flush()
    for finding in findings:
        decided = earlier.get(_key(finding.kind, finding.start, finding.source, finding.term, finding.detail))
        session.add(
            Finding(
                report_id=row.id,
                asset_id=asset.id,
                kind=finding.kind,
                start=finding.start,
                end=finding.end,
                value=finding.value,
                limit=finding.limit,
                severity=finding.severity,
                detail=finding.detail[:200],
                source=finding.source,
                track=finding.track[:120],
                text=finding.text,
                thumbnail=thumbnails.get(finding.start),
                term=finding.term[:100],
                category=finding.category[:60],
                status=decided.status if decided else FindingStatus.open,
                note=decided.note if decided else "",
                decided_by_id=decided.decided_by_id if decided else None,
                decided_at=decided.decided_at if decided else None,
            )
        )
    session.flush()
    return row


def _verdict(findings: Sequence[qc.Finding], decided: dict[tuple[str, float, str, str, str], Finding]) -> str:
    for finding in findings:
        earlier = decided.get(_key(finding.kind, finding.start, finding.source, finding.term, finding.detail))
        if finding.severity == "error" and not (earlier and earlier.status is FindingStatus.false_positive):
            return "fail"
    return "pass"


def verdict_of(findings: Sequence[Finding]) -> str:
    """A report's verdict after the reviewers' decisions: false positives do not count."""
    failing = [f for f in findings if f.severity == "error" and f.status is not FindingStatus.false_positive]
    return "fail" if failing else "pass"


def request_check(session: Session, principal: Principal, asset_id: int, profile_key: str) -> Job:
    """Queues a check of the asset against the profile (and the active term packs)."""
    asset = get_asset(session, principal, asset_id)
    get_profile(session, profile_key, principal)  # refuse an unknown profile now, not in the job
    if asset.kind not in ("video", "audio"):
        raise Conflict("The asset has not been analysed yet (or is not audio or video).", field="asset")
    return enqueue(
        session,
        kind=CHECK_JOB,
        title=N_("Check against a delivery profile"),
        payload={"asset_id": asset.id, "profile": profile_key},
        principal=principal if principal.user_id else None,
    )


def latest_report(
    session: Session, principal: Principal, asset_id: int, profile: str | None = None
) -> QCReport:
    asset = get_asset(session, principal, asset_id)
    stmt = select(QCReport).where(QCReport.asset_id == asset.id)
    if profile:
        stmt = stmt.where(QCReport.profile == profile)
    found = session.scalar(stmt.order_by(QCReport.id.desc()).limit(1))
    if found is None:
        raise NotFound("The asset has no QC report yet.", field="asset")
    return found


def reports_of(session: Session, principal: Principal, asset_id: int) -> list[QCReport]:
    """The newest report of each profile the asset was checked against."""
    asset = get_asset(session, principal, asset_id)
    newest: dict[str, QCReport] = {}
    for row in session.scalars(select(QCReport).where(QCReport.asset_id == asset.id).order_by(QCReport.id)):
        newest[row.profile] = row
    return sorted(newest.values(), key=lambda row: row.profile)


def get_report(session: Session, principal: Principal, report_id: int) -> QCReport:
    found = session.scalar(
        select(QCReport).where(
            QCReport.id == report_id,
            QCReport.asset_id.in_(visible_assets(principal).with_only_columns(Asset.id)),
        )
    )
    if found is None:
        raise NotFound("Report not found.")
    return found


def findings_of(session: Session, report: QCReport) -> list[Finding]:
    return list(
        session.scalars(
            select(Finding).where(Finding.report_id == report.id).order_by(Finding.start, Finding.id)
        )
    )


def decide(session: Session, principal: Principal, finding_id: int, status: str, note: str) -> Finding:
    """A reviewer marks a finding accepted or a false positive (or open again), with a note."""
    if principal.role not in REVIEWERS:
        raise Forbidden("Only reviewers, administrators and authority officers decide on findings.")
    finding = session.scalar(
        select(Finding).where(
            Finding.id == finding_id,
            Finding.asset_id.in_(visible_assets(principal).with_only_columns(Asset.id)),
        )
    )
    if finding is None:
        raise NotFound("Finding not found.")
    try:
        chosen = FindingStatus(status)
    except ValueError as exc:
        raise AvbaseError("Status must be open, accepted or false_positive.", field="status") from exc
    if chosen is FindingStatus.false_positive and not note.strip():
        raise AvbaseError("Say why it is a false positive.", field="note")
    finding.status = chosen
    finding.note = note.strip()[:2000]
    finding.decided_by_id = principal.user_id or None
    finding.decided_at = utcnow()
    report = session.get(QCReport, finding.report_id)
    assert report is not None
    session.flush()
    report.verdict = verdict_of(findings_of(session, report))
    session.flush()
    return finding


def review_queue(
    session: Session, principal: Principal, *, limit: int = 200
) -> list[tuple[QCReport, Asset, int]]:
    """The newest reports of the assets the user sees, failing ones first, with their open findings."""
    rows = session.execute(
        select(QCReport, Asset)
        .join(Asset, Asset.id == QCReport.asset_id)
        .where(Asset.id.in_(visible_assets(principal).with_only_columns(Asset.id)))
        .order_by(QCReport.id.desc())
        .limit(limit * 4)
    ).all()
    seen: set[tuple[int, str]] = set()
    queue: list[tuple[QCReport, Asset, int]] = []
    for report, asset in rows:
        if (asset.id, report.profile) in seen:
            continue
        seen.add((asset.id, report.profile))
        open_count = sum(1 for f in findings_of(session, report) if f.status is FindingStatus.open)
        queue.append((report, asset, open_count))
    queue.sort(key=lambda item: (item[0].verdict != "fail", -item[0].id))
    return queue[:limit]


def report_json(session: Session, report: QCReport) -> dict[str, Any]:
    """The report as ``review check --json`` and the API print it."""
    return {
        "id": report.id,
        "asset": report.asset_id,
        "profile": report.profile,
        "profile_name": report.profile_name,  # as it was when checked (the profile may be deleted since)
        "verdict": report.verdict,
        "duration": report.duration,
        "units": TIME_UNITS,
        "loudness": report.loudness,
        "packs": report.packs,
        "created_at": report.created_at.isoformat(),
        "findings": [finding_json(finding) for finding in findings_of(session, report)],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "kind": finding.kind,
        "start": finding.start,
        "end": finding.end,
        "source": finding.source,
        "track": finding.track,
        "text": finding.text,
        "term": finding.term,
        "category": finding.category,
        "value": finding.value,
        "limit": finding.limit,
        "unit": unit_of(finding.kind),  # of value and limit
        "severity": finding.severity,
        "detail": finding.detail,
        "status": finding.status.value,
        "note": finding.note,
        "thumbnail": finding.thumbnail,
    }
