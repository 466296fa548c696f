"""The script exchange: deposit (SHA-256, time, the rights registry's certificate), a public catalogue of
loglines and synopses, full text only for readers the author admits (a watermarked PDF per reader, every read
audited), expert coverage with aggregates and recommendation lists, producers' interest, and literary works
matched to producers for adaptation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.chain.scripts.breakdown import breakdown_file, script_lines
from avbase.chain.scripts.deposit import issue_certificate
from avbase.chain.scripts.models import (
    COVERAGE_CRITERIA,
    Coverage,
    Interest,
    InterestKind,
    ProducerBrief,
    ReadRequest,
    ReadStatus,
    Recommendation,
    Script,
    WorkKind,
)
from avbase.core import storage
from avbase.core.accounts.models import Organisation, Role
from avbase.core.accounts.principal import Principal
from avbase.core.audit import record
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound


def author_side(principal: Principal, script: Script) -> bool:
    return (
        principal.is_admin
        or principal.user_id == script.author_id
        or (principal.org_id == script.org_id and principal.role is Role.enterprise_staff)
    )


def deposit(
    session: Session, principal: Principal, path: Path, *, title: str, file_name: str | None = None,
    kind: WorkKind = WorkKind.script, genre: str | None = None, logline: str | None = None,
    synopsis: str | None = None, listed: bool = True,
) -> tuple[Script, dict[str, Any]]:  # fmt: skip
    """Store the file by content, record its SHA-256 and time, and have the rights registry certify it."""
    title = title.strip()
    if not title or len(title) > 200:
        raise AvbaseError("A title of 1 to 200 characters is required.", field="title")
    if principal.role in (Role.reviewer, Role.authority_officer) or not principal.org_id:
        raise Forbidden("Only authors and companies deposit scripts.")
    script_lines(path)  # refuses what is not text, Word or PDF before anything is stored
    try:
        eighths: int | None = breakdown_file(path).eighths if kind is WorkKind.script else None
    except AvbaseError:
        eighths = None  # a treatment or a novel: deposited all the same
    name = file_name or path.name
    sha256, _known = storage.keep_copy(path)
    script = Script(
        org_id=principal.org_id, author_id=principal.user_id or None, author_name=principal.display_name,
        kind=kind, title=title, genre=(genre or "").strip()[:40] or None,
        logline=(logline or "")[:300] or None,
        synopsis=synopsis, file_name=name[:300], sha256=sha256, size=path.stat().st_size,
        deposited_at=datetime.now(UTC), eighths=eighths, listed=listed,
    )  # fmt: skip
    session.add(script)
    session.flush()
    certificate = issue_certificate(
        session, org_id=principal.org_id, org_name=principal.org_name, author=principal.display_name,
        user_id=principal.user_id or None, script_id=script.id, title=title, path=path, file_name=name,
    )  # fmt: skip
    script.certificate_number = certificate[0]
    session.flush()
    return script, certificate[1]


def get_script(session: Session, script_id: int) -> Script:
    script = session.get(Script, script_id)
    if script is None:
        raise NotFound("No script has the id {id}.", field="script_id", id=script_id)
    return script


def visible_script(session: Session, principal: Principal, script_id: int) -> Script:
    """Listed scripts are public to every signed-in user (logline and synopsis); unlisted ones to their
    author's side only."""
    script = get_script(session, script_id)
    if not script.listed and not author_side(principal, script):
        raise NotFound("No script has the id {id}.", field="script_id", id=script_id)
    return script


def verify_file(session: Session, script_id: int, path: Path) -> tuple[bool, Script, str]:
    """Whether the file is the deposited one (same SHA-256), the script, and the file's SHA-256."""
    script = get_script(session, script_id)
    sha256 = storage.sha256_of(path)
    return sha256 == script.sha256, script, sha256


@dataclass(frozen=True)
class CatalogueEntry:
    script: Script
    coverage_count: int
    overall: float | None
    interest: int


def catalogue(
    session: Session, *, kind: WorkKind | None = None, genre: str | None = None, text: str | None = None,
    order: str = "recent", limit: int = 100,
) -> list[CatalogueEntry]:  # fmt: skip
    """Listed scripts with their coverage count and mean score and the producers interested; ``order``
    "score" makes the recommendation list (covered scripts by mean score)."""
    coverage = (
        select(Coverage.script_id, func.count().label("n"), func.avg(Coverage.overall).label("mean"))
        .group_by(Coverage.script_id)
        .subquery()
    )
    interest = (
        select(Interest.script_id, func.count(func.distinct(Interest.org_id)).label("n"))
        .group_by(Interest.script_id)
        .subquery()
    )
    query = (
        select(Script, coverage.c.n, coverage.c.mean, interest.c.n)
        .outerjoin(coverage, coverage.c.script_id == Script.id)
        .outerjoin(interest, interest.c.script_id == Script.id)
        .where(Script.listed.is_(True))
    )
    if kind is not None:
        query = query.where(Script.kind == kind)
    if genre:
        query = query.where(Script.genre == genre)
    if text:
        query = query.where(
            Script.title.contains(text, autoescape=True) | Script.logline.contains(text, autoescape=True)
        )
    if order == "score":
        query = query.where(coverage.c.n > 0).order_by(coverage.c.mean.desc(), Script.id.desc())
    else:
        query = query.order_by(Script.id.desc())
    return [
        CatalogueEntry(
            row[0], row[1] or 0, round(float(row[2]), 2) if row[2] is not None else None, row[3] or 0
        )
        for row in session.execute(query.limit(limit))
    ]


# --- reading ----------------------------------------------------------------------------------------------


def request_read(
    session: Session, principal: Principal, script_id: int, message: str | None = None
) -> ReadRequest:
    script = visible_script(session, principal, script_id)
    if author_side(principal, script):
        raise Conflict("You may read your own script already.", field="script_id")
    existing = session.scalar(
        select(ReadRequest).where(
            ReadRequest.script_id == script.id, ReadRequest.reader_id == principal.user_id
        )
    )
    if existing is not None:
        raise Conflict(
            "You asked to read this script already ({status}).",
            field="script_id",
            status=existing.status.value,
        )
    request = ReadRequest(
        script_id=script.id,
        reader_id=principal.user_id,
        org_id=principal.org_id,
        message=(message or "")[:500] or None,
    )
    session.add(request)
    session.flush()
    return request


def decide_read(session: Session, principal: Principal, request_id: int, admit: bool) -> ReadRequest:
    request = session.get(ReadRequest, request_id)
    script = session.get(Script, request.script_id) if request else None
    if request is None or script is None or not author_side(principal, script):
        raise NotFound("No read request has the id {id}.", field="request_id", id=request_id)
    request.status = ReadStatus.admitted if admit else ReadStatus.refused
    session.flush()
    return request


def read_requests(session: Session, principal: Principal, script_id: int) -> list[ReadRequest]:
    """The author sees every request for a script; a reader sees their own."""
    script = visible_script(session, principal, script_id)
    query = select(ReadRequest).where(ReadRequest.script_id == script.id).order_by(ReadRequest.id)
    if not author_side(principal, script):
        query = query.where(ReadRequest.reader_id == principal.user_id)
    return list(session.scalars(query))


def may_read(session: Session, principal: Principal, script: Script) -> bool:
    if author_side(principal, script):
        return True
    return (
        session.scalar(
            select(ReadRequest.id).where(
                ReadRequest.script_id == script.id,
                ReadRequest.reader_id == principal.user_id,
                ReadRequest.status == ReadStatus.admitted,
            )
        )
        is not None
    )


def full_text(session: Session, principal: Principal, script_id: int) -> tuple[Script, list[str]]:
    """The full text for an admitted reader (or the author's side); the read is audited."""
    script = visible_script(session, principal, script_id)
    if not may_read(session, principal, script):
        raise Forbidden("The author has not admitted you to read this script.")
    stored = storage.path_of(script.sha256)
    lines = script_lines(stored) if stored.exists() else []
    record(
        session, action="chain.script.read", entity_type="chain_scripts", entity_id=script.id,
        org_id=script.org_id,
        note=f"{principal.username} ({principal.org_name})",
    )  # fmt: skip
    session.flush()
    return script, lines


def watermark(principal: Principal, when: datetime | None = None) -> str:
    moment = (when or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return f"{principal.display_name} · {principal.org_name} · {moment}"


# --- coverage, interest, adaptation ---------------------------------------------------------------------


def write_coverage(
    session: Session, principal: Principal, script_id: int, *, scores: dict[str, int],
    recommendation: Recommendation, comments: str | None = None,
) -> Coverage:  # fmt: skip
    """An expert's coverage (reviewers, or staff of another company who were admitted to read); one per
    expert and script, written again replaces it."""
    script = visible_script(session, principal, script_id)
    if author_side(principal, script):
        raise Forbidden("Authors do not cover their own scripts.")
    if principal.role is not Role.reviewer and not may_read(session, principal, script):
        raise Forbidden("Coverage is written by experts or by readers the author admitted.")
    for criterion in COVERAGE_CRITERIA:
        value = scores.get(criterion)
        if not isinstance(value, int) or not 1 <= value <= 10:
            raise AvbaseError("Score {criterion} from 1 to 10.", field=criterion, criterion=criterion)
    unknown = set(scores) - set(COVERAGE_CRITERIA)
    if unknown:
        raise AvbaseError(
            "Unknown criterion {criterion}.", field=sorted(unknown)[0], criterion=sorted(unknown)[0]
        )
    overall = round(sum(scores[c] for c in COVERAGE_CRITERIA) / len(COVERAGE_CRITERIA), 2)
    coverage = session.scalar(
        select(Coverage).where(Coverage.script_id == script.id, Coverage.expert_id == principal.user_id)
    )
    if coverage is None:
        coverage = Coverage(script_id=script.id, expert_id=principal.user_id, org_id=principal.org_id)
        session.add(coverage)
    coverage.scores = dict(scores)
    coverage.overall = overall
    coverage.recommendation = recommendation
    coverage.comments = comments
    session.flush()
    return coverage


def coverage_of(
    session: Session, principal: Principal, script_id: int
) -> tuple[list[Coverage], dict[str, float]]:
    """Every coverage of a script and the mean of each criterion (and of the overall score)."""
    script = visible_script(session, principal, script_id)
    rows = list(
        session.scalars(select(Coverage).where(Coverage.script_id == script.id).order_by(Coverage.id))
    )
    means: dict[str, float] = {}
    if rows:
        for criterion in COVERAGE_CRITERIA:
            means[criterion] = round(sum(float(r.scores[criterion]) for r in rows) / len(rows), 2)
        means["overall"] = round(sum(r.overall for r in rows) / len(rows), 2)
    return rows, means


def mark_interest(
    session: Session, principal: Principal, script_id: int, kind: InterestKind = InterestKind.interest,
    note: str | None = None,
) -> Interest:  # fmt: skip
    """A producer's interest; an option or purchase is recorded here with the script's rights work id (the
    rights registry's chain of title records it once that module is merged)."""
    script = visible_script(session, principal, script_id)
    if principal.role is not Role.enterprise_staff and not principal.is_admin:
        raise Forbidden("Producers (company staff) mark interest.")
    if principal.org_id == script.org_id:
        raise Conflict("This is your own company's script.", field="script_id")
    if kind is not InterestKind.interest and not may_read(session, principal, script):
        raise Forbidden("Read the script before an option or purchase.")
    existing = session.scalar(
        select(Interest).where(
            Interest.script_id == script.id, Interest.org_id == principal.org_id, Interest.kind == kind
        )
    )
    if existing is not None:
        return existing
    interest = Interest(
        script_id=script.id, org_id=principal.org_id, user_id=principal.user_id or None, kind=kind, note=note
    )
    session.add(interest)
    session.flush()
    return interest


def interested(session: Session, script_id: int) -> list[tuple[Interest, str]]:
    rows = session.execute(
        select(Interest, Organisation.name)
        .join(Organisation, Organisation.id == Interest.org_id)
        .where(Interest.script_id == script_id)
        .order_by(Interest.id)
    )
    return [(row[0], row[1]) for row in rows]


def set_brief(
    session: Session, principal: Principal, genres: list[str], note: str | None = None
) -> ProducerBrief:
    if principal.role is not Role.enterprise_staff and not principal.is_admin:
        raise Forbidden("Producers (company staff) say what they look for.")
    cleaned = sorted({g.strip()[:40] for g in genres if g.strip()})
    if not cleaned:
        raise AvbaseError("Name at least one genre.", field="genres")
    brief = session.scalar(select(ProducerBrief).where(ProducerBrief.org_id == principal.org_id))
    if brief is None:
        brief = ProducerBrief(org_id=principal.org_id)
        session.add(brief)
    brief.genres = cleaned
    brief.note = note
    session.flush()
    return brief


def adaptation_matches(session: Session, principal: Principal, script_id: int) -> list[dict[str, object]]:
    """Producers for a work proposed for adaptation: those whose brief names its genre, then those who showed
    interest in listed works of that genre; strongest first."""
    script = visible_script(session, principal, script_id)
    if not script.genre:
        return []
    scores: dict[int, int] = {}
    for brief in session.scalars(select(ProducerBrief)):
        if script.genre in brief.genres and brief.org_id != script.org_id:
            scores[brief.org_id] = scores.get(brief.org_id, 0) + 3
    same_genre = select(Script.id).where(Script.genre == script.genre, Script.listed.is_(True))
    for org_id, count in session.execute(
        select(Interest.org_id, func.count())
        .where(Interest.script_id.in_(same_genre))
        .group_by(Interest.org_id)
    ):
        if org_id != script.org_id:
            scores[org_id] = scores.get(org_id, 0) + int(count)
    names = dict(
        session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(scores))).all()
    )
    ranked = sorted(scores.items(), key=lambda item: (-item[1], names.get(item[0], "")))
    return [{"org_id": org_id, "name": names.get(org_id, ""), "score": score} for org_id, score in ranked]
