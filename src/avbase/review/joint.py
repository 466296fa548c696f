"""Joint review (联审联办): a work its owner submits, routed by an authority officer to a lead department and
co-reviewing departments through ``core.routing`` (scope ``review``), time-coded comments, one decision per
department, the consolidated state, versions N+1 after a return and what changed between versions.

Who sees a work: its owner organisation; the departments it is routed to; the authority officers whose
jurisdiction holds the owner while it waits to be routed (and the one who routed it); administrators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from avbase.core import routing
from avbase.core.accounts.models import Organisation, Role
from avbase.core.accounts.principal import READ_ONLY_ROLES, STEWARDS, Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.core.i18n import N_
from avbase.kit.timecode import frame_timecode
from avbase.media.models import Asset
from avbase.review.models import (
    AWAITING_VERSION,
    ChangeState,
    Decision,
    Finding,
    QCReport,
    ReviewWork,
    WorkChange,
    WorkComment,
    WorkDepartment,
    WorkState,
    WorkVersion,
)

SCOPE = "review"  # the routing scope of joint-review departments
UNITS = ("宣传部门", "广电部门", "网信部门")  # the usual ones; any unit routed in the scope may be assigned
OPEN_STATES = (WorkState.routed, WorkState.in_review)
DEPARTMENT_ROLES = (Role.authority_officer, Role.reviewer)  # a department's staff who comment and decide
DEFAULT_FPS = 25.0
MAX_CHANGES = 50  # listed by one department on one version
STATE_LABELS = {
    WorkState.submitted: N_("Waiting to be routed"),
    WorkState.routed: N_("Routed"),
    WorkState.in_review: N_("In review"),
    WorkState.passed: N_("Passed"),
    WorkState.passed_with_changes: N_("Passed with changes"),
    WorkState.returned: N_("Returned for changes"),
    WorkState.rejected: N_("Rejected"),
}
DECISION_LABELS = {
    Decision.approve: N_("Pass"),
    Decision.with_changes: N_("Pass with changes"),
    Decision.reject: N_("Reject"),
}
CHANGE_LABELS = {
    ChangeState.asked: N_("to check"),
    ChangeState.done: N_("made"),
    ChangeState.not_made: N_("not made (accepted)"),
}


# ---- who sees what -----------------------------------------------------------------------------------


def visible_works(principal: Principal) -> Select[ReviewWork]:
    stmt = select(ReviewWork)
    if principal.is_admin:
        return stmt
    routed_here = ReviewWork.id.in_(
        select(WorkDepartment.work_id).where(WorkDepartment.org_id == principal.org_id)
    )
    if principal.is_authority:
        to_route = (ReviewWork.state == WorkState.submitted) & ReviewWork.org_id.in_(
            principal.visible_org_ids()
        )
        return stmt.where(or_(routed_here, to_route, ReviewWork.routed_by_id == principal.user_id))
    if principal.role is Role.reviewer:
        return stmt.where(or_(routed_here, ReviewWork.org_id == principal.org_id))
    return stmt.where(ReviewWork.org_id == principal.org_id)


def works(session: Session, principal: Principal, *, state: str | None = None) -> list[ReviewWork]:
    stmt = visible_works(principal)
    if state:
        try:
            stmt = stmt.where(ReviewWork.state == WorkState(state))
        except ValueError as exc:
            raise AvbaseError("Unknown state {state}.", field="state", state=state) from exc
    return list(session.scalars(stmt.order_by(ReviewWork.id.desc())))


def get_work(session: Session, principal: Principal, work_id: int) -> ReviewWork:
    found = session.scalar(visible_works(principal).where(ReviewWork.id == work_id))
    if found is None:
        raise NotFound("Work not found.")
    return found


def departments(session: Session, work: ReviewWork) -> list[WorkDepartment]:
    return list(
        session.scalars(
            select(WorkDepartment)
            .where(WorkDepartment.work_id == work.id)
            .order_by(WorkDepartment.lead.desc(), WorkDepartment.id)
        )
    )


def versions(session: Session, work: ReviewWork) -> list[WorkVersion]:
    return list(
        session.scalars(
            select(WorkVersion).where(WorkVersion.work_id == work.id).order_by(WorkVersion.version)
        )
    )


def version_of(session: Session, work: ReviewWork, number: int | None = None) -> WorkVersion:
    number = work.version if number is None else number
    found = session.scalar(
        select(WorkVersion).where(WorkVersion.work_id == work.id, WorkVersion.version == number)
    )
    if found is None:
        raise NotFound("Version {version} not found.", field="version", version=number)
    return found


def comments(session: Session, work: ReviewWork, version: int | None = None) -> list[WorkComment]:
    stmt = select(WorkComment).where(WorkComment.work_id == work.id)
    if version is not None:
        stmt = stmt.where(WorkComment.version == version)
    return list(
        session.scalars(stmt.order_by(WorkComment.version, WorkComment.asset_id, WorkComment.seconds))
    )


def assets_of(session: Session, version: WorkVersion) -> list[Asset]:
    found = {row.id: row for row in session.scalars(select(Asset).where(Asset.id.in_(version.asset_ids)))}
    return [found[asset_id] for asset_id in version.asset_ids if asset_id in found]


def is_owner(principal: Principal, work: ReviewWork) -> bool:
    return principal.owns(work.org_id)


def my_departments(session: Session, principal: Principal, work: ReviewWork) -> list[WorkDepartment]:
    """The departments of ``work`` the principal acts for (every one for an administrator)."""
    rows = departments(session, work)
    if principal.is_admin:
        return rows
    if principal.role not in DEPARTMENT_ROLES:
        return []
    return [row for row in rows if row.org_id == principal.org_id]


def can_route(principal: Principal, work: ReviewWork, owner: Organisation) -> bool:
    return (
        principal.role in STEWARDS
        and principal.can_read(owner)
        and work.state
        in (
            WorkState.submitted,
            WorkState.routed,
        )
    )


# ---- the owner's side --------------------------------------------------------------------------------


def _own_assets(session: Session, principal: Principal, asset_ids: Sequence[int]) -> list[int]:
    chosen = list(dict.fromkeys(int(asset_id) for asset_id in asset_ids))
    if not chosen:
        raise AvbaseError("Choose at least one asset of the work.", field="asset_ids")
    found = set(
        session.scalars(select(Asset.id).where(Asset.id.in_(chosen), Asset.org_id == principal.org_id))
    )
    missing = [asset_id for asset_id in chosen if asset_id not in found]
    if missing:
        raise AvbaseError(
            "Asset {asset} is not one of your organisation's media.", field="asset_ids", asset=missing[0]
        )
    return chosen


def submit(
    session: Session,
    principal: Principal,
    *,
    title: str,
    asset_ids: Sequence[int],
    due_on: date | None = None,
    note: str = "",
) -> ReviewWork:
    """The owner submits a work (version 1) for joint review."""
    if principal.role in READ_ONLY_ROLES or principal.is_authority:
        raise Forbidden("Only a work's owner organisation submits it for review.")
    title = title.strip()
    if not title or len(title) > 300:
        raise AvbaseError("Give the work a title of at most 300 characters.", field="title")
    chosen = _own_assets(session, principal, asset_ids)
    work = ReviewWork(
        org_id=principal.org_id,
        title=title,
        version=1,
        state=WorkState.submitted,
        due_on=due_on,
        created_by_id=principal.user_id or None,
    )
    session.add(work)
    session.flush()
    session.add(WorkVersion(work_id=work.id, version=1, asset_ids=chosen, note=note.strip(), decisions=[]))
    session.flush()
    return work


def resubmit(
    session: Session, principal: Principal, work_id: int, *, asset_ids: Sequence[int], note: str = ""
) -> WorkVersion:
    """A work passed with changes comes back as version N+1 with the changes made; the same departments
    check it against the changes they listed and decide again."""
    work = get_work(session, principal, work_id)
    if not is_owner(principal, work) or principal.is_authority:
        raise Forbidden("Only the work's owner sends a new version.")
    if work.state not in AWAITING_VERSION:
        raise Conflict("Only a work passed with changes takes a new version; this one is {state}.",
                       field="state", state=work.state.value)  # fmt: skip
    chosen = _own_assets(session, principal, asset_ids)
    current = version_of(session, work)
    current.decisions = [
        {"unit": row.unit, "org_id": row.org_id, "lead": row.lead, "decision": row.decision.value,
         "reasons": row.reasons, "decided_at": row.decided_at.isoformat() if row.decided_at else None}
        for row in departments(session, work) if row.decision is not None
    ]  # fmt: skip
    for row in departments(session, work):
        row.decision = None
        row.reasons = ""
        row.decided_version = None
        row.decided_by_id = None
        row.decided_at = None
    work.version += 1
    work.state = WorkState.routed
    work.decided_at = None
    added = WorkVersion(
        work_id=work.id, version=work.version, asset_ids=chosen, note=note.strip(), decisions=[]
    )
    session.add(added)
    session.flush()
    return added


# ---- the authority's side ----------------------------------------------------------------------------


def route(
    session: Session, principal: Principal, work_id: int, *, lead: str, co: Sequence[str] = ()
) -> list[WorkDepartment]:
    """An authority officer assigns the lead department and the co-reviewing ones: each unit must be routed
    to an authority organisation in ``core.routing`` under the scope ``review``."""
    if principal.role not in STEWARDS:
        raise Forbidden("Only administrators and authority officers route works to departments.")
    work = get_work(session, principal, work_id)
    owner = session.get(Organisation, work.org_id)
    assert owner is not None
    if not principal.can_read(owner):
        raise Forbidden("The work's owner is outside your jurisdiction.")
    if work.state not in (WorkState.submitted, WorkState.routed):
        raise Conflict(
            "The work is {state}; it can no longer be routed.", field="state", state=work.state.value
        )
    lead = lead.strip()
    units = [lead, *dict.fromkeys(unit.strip() for unit in co if unit.strip() and unit.strip() != lead)]
    if not lead:
        raise AvbaseError("Name the lead department.", field="lead")
    table = routing.routes(session, SCOPE)
    for unit in units:
        if unit not in table:
            raise Conflict("No authority organisation is routed for {unit}.",
                           field="lead" if unit == lead else "co", unit=unit)  # fmt: skip
    for change in changes_to_check(session, work):
        if not change.settled and (change.unit not in units or table[change.unit] != change.org_id):
            raise Conflict("{unit} asked for changes on version {version}: it stays routed to check them.",
                           field="co", unit=change.unit, version=change.version)  # fmt: skip
    for row in departments(session, work):
        session.delete(row)
    session.flush()
    rows = [WorkDepartment(work_id=work.id, unit=unit, org_id=table[unit], lead=unit == lead, reasons="")
            for unit in units]  # fmt: skip
    session.add_all(rows)
    work.state = WorkState.routed
    work.routed_by_id = principal.user_id or None
    session.flush()
    return rows


def _acting_department(
    session: Session, principal: Principal, work: ReviewWork, unit: str | None
) -> WorkDepartment:
    mine = my_departments(session, principal, work)
    if unit:
        mine = [row for row in mine if row.unit == unit]
    if not mine:
        raise Forbidden("Only the departments the work is routed to review it.")
    return mine[0]


def add_comment(
    session: Session,
    principal: Principal,
    work_id: int,
    *,
    asset_id: int,
    seconds: float,
    text: str,
    unit: str | None = None,
) -> WorkComment:
    work = get_work(session, principal, work_id)
    department = _acting_department(session, principal, work, unit)
    if work.state not in OPEN_STATES:
        raise Conflict("The work is {state}; comments are closed.", field="state", state=work.state.value)
    version = version_of(session, work)
    if asset_id not in version.asset_ids:
        raise AvbaseError("Asset {asset} is not part of version {version}.", field="asset_id", asset=asset_id,
                          version=work.version)  # fmt: skip
    asset = session.get(Asset, asset_id)
    assert asset is not None
    if seconds < 0 or (asset.duration is not None and seconds > asset.duration):
        raise AvbaseError("The time is outside the asset (0 to {duration} s).", field="seconds",
                          duration=asset.duration)  # fmt: skip
    text = text.strip()
    if not text:
        raise AvbaseError("Write the comment.", field="text")
    comment = WorkComment(
        work_id=work.id,
        version=work.version,
        asset_id=asset_id,
        seconds=seconds,
        timecode=frame_timecode(seconds, frame_rate(asset)),
        text=text,
        org_id=department.org_id,
        author_id=principal.user_id or None,
        resolved=False,
    )
    session.add(comment)
    work.state = WorkState.in_review
    session.flush()
    return comment


def set_resolved(session: Session, principal: Principal, comment_id: int, resolved: bool) -> WorkComment:
    """The owner (answering it) or the department that wrote it marks a comment resolved or open again."""
    comment = session.get(WorkComment, comment_id)
    if comment is None:
        raise NotFound("Comment not found.")
    work = get_work(session, principal, comment.work_id)
    department = principal.role in DEPARTMENT_ROLES and principal.org_id == comment.org_id
    if not (principal.is_admin or department or (is_owner(principal, work) and not principal.is_authority)):
        raise Forbidden("Only the work's owner and the department that wrote it mark a comment resolved.")
    comment.resolved = resolved
    session.flush()
    return comment


def decide(
    session: Session,
    principal: Principal,
    work_id: int,
    *,
    decision: str,
    reasons: str = "",
    changes: Sequence[str] = (),
    unit: str | None = None,
) -> WorkDepartment:
    """A department's decision on the current version. Passing with changes lists the changes (``changes``,
    or else each line of the reasons); passing a version after the one it asked changes on needs each of
    those changes settled first: ticked off as made, or accepted as not made with the reason."""
    work = get_work(session, principal, work_id)
    department = _acting_department(session, principal, work, unit)
    if work.state not in OPEN_STATES:
        raise Conflict(
            "The work is {state}; it takes no decision now.", field="state", state=work.state.value
        )
    try:
        chosen = Decision(decision)
    except ValueError as exc:
        raise AvbaseError("Decide pass, pass_with_changes or reject.", field="decision") from exc
    reasons = reasons.strip()
    if chosen is not Decision.approve and not reasons:
        raise AvbaseError("Give the reasons for the changes or the rejection.", field="reasons")
    listed = [text.strip() for text in (changes or reasons.splitlines()) if text.strip()][:MAX_CHANGES]
    if chosen is Decision.approve:
        waiting = [row for row in changes_to_check(session, work) if row.org_id == department.org_id
                   and row.unit == department.unit and not row.settled]  # fmt: skip
        if waiting:
            raise Conflict("Settle the changes your department asked for first: tick each off as made or "
                           "accept it as not made with the reason ({count} open).",
                           field="changes", count=len(waiting))  # fmt: skip
    for row in changes_asked(session, work, work.version):
        if row.org_id == department.org_id and row.unit == department.unit:
            session.delete(row)  # a department deciding again replaces its list
    if chosen is Decision.with_changes:
        session.add_all(
            WorkChange(work_id=work.id, version=work.version, unit=department.unit, org_id=department.org_id,
                       text=text[:4000], state=ChangeState.asked, note="",
                       created_by_id=principal.user_id or None)
            for text in listed
        )  # fmt: skip
    department.decision = chosen
    department.reasons = reasons
    department.decided_version = work.version
    department.decided_by_id = principal.user_id or None
    department.decided_at = utcnow()
    consolidate(session, work)
    session.flush()
    return department


def consolidated_state(decisions: Sequence[Decision | None]) -> WorkState:
    """All passed → passed; any reject → rejected; otherwise any pass with changes → passed with changes
    (the owner sends version N+1); while one is missing → in review."""
    if not decisions or any(decision is None for decision in decisions):
        return WorkState.in_review
    if Decision.reject in decisions:
        return WorkState.rejected
    if Decision.with_changes in decisions:
        return WorkState.passed_with_changes
    return WorkState.passed


def consolidate(session: Session, work: ReviewWork) -> WorkState:
    """The work's state from its departments' decisions on the current version; a work does not pass while
    a change asked on the version before is neither made nor accepted as not made."""
    rows = departments(session, work)
    state = consolidated_state(
        [row.decision if row.decided_version == work.version else None for row in rows]
    )
    if state is WorkState.passed and any(not row.settled for row in changes_to_check(session, work)):
        state = WorkState.in_review
    work.state = state
    work.decided_at = utcnow() if state is not WorkState.in_review else None
    return state


# ---- the listed changes (修改后通过) --------------------------------------------------------------------


def changes_asked(session: Session, work: ReviewWork, version: int) -> list[WorkChange]:
    """The changes the departments listed when they passed ``version`` with changes."""
    return list(
        session.scalars(
            select(WorkChange)
            .where(WorkChange.work_id == work.id, WorkChange.version == version)
            .order_by(WorkChange.id)
        )
    )


def changes_to_check(session: Session, work: ReviewWork) -> list[WorkChange]:
    """The changes asked on the version before the current one: what the current one is checked against."""
    return changes_asked(session, work, work.version - 1) if work.version > 1 else []


def get_change(session: Session, principal: Principal, change_id: int) -> WorkChange:
    """A listed change of a work the principal sees."""
    change = session.get(WorkChange, change_id)
    if change is None:
        raise NotFound("Change not found.")
    get_work(session, principal, change.work_id)
    return change


def set_change_state(
    session: Session, principal: Principal, change_id: int, state: str, note: str = ""
) -> WorkChange:
    """The department that listed a change settles it on the next version, while that version is in review:
    ``done`` (made), ``not_made`` (not made, and the department accepts it: the reason is required) or
    ``asked`` (open again, unless the department has already passed the version on the strength of it)."""
    change = get_change(session, principal, change_id)
    work = get_work(session, principal, change.work_id)
    mine = [row for row in my_departments(session, principal, work)
            if row.org_id == change.org_id and row.unit == change.unit]  # fmt: skip
    if not mine:
        raise Forbidden("Only the department that asked for a change settles it.")
    try:
        chosen = ChangeState(state)
    except ValueError as exc:
        raise AvbaseError("A change is asked, done or not_made.", field="state") from exc
    if change.version != work.version - 1 or work.state not in OPEN_STATES:
        raise Conflict("A change is settled on the next version while it is in review.", field="state")
    reason = note.strip()
    if chosen is ChangeState.not_made and not reason:
        raise AvbaseError("Give the reason the change was not made.", field="note")
    department = mine[0]
    passed = department.decision is Decision.approve and department.decided_version == work.version
    if chosen is ChangeState.asked and passed:
        raise Conflict("Your department has passed version {version}: decide again before opening a change "
                       "it passed on.", field="state", version=work.version)  # fmt: skip
    settled = chosen is not ChangeState.asked
    change.state = chosen
    change.note = reason[:4000] if chosen is ChangeState.not_made else ""
    change.checked_version = work.version if settled else None
    change.checked_by_id = (principal.user_id or None) if settled else None
    change.checked_at = utcnow() if settled else None
    session.flush()
    return change


def set_change_done(session: Session, principal: Principal, change_id: int, done: bool) -> WorkChange:
    """Ticks a change off as made (or opens it again): ``set_change_state`` with done or asked."""
    return set_change_state(session, principal, change_id, "done" if done else "asked")


def is_overdue(work: ReviewWork, on: date) -> bool:
    return work.due_on is not None and work.due_on < on and work.state in (WorkState.submitted, *OPEN_STATES)


# ---- findings and the diff between versions ----------------------------------------------------------


def frame_rate(asset: Asset) -> float:
    for video in (asset.probe or {}).get("video", []):
        if video.get("frame_rate"):
            return float(video["frame_rate"])
    return DEFAULT_FPS


def findings_of_asset(session: Session, asset_id: int) -> list[Finding]:
    """The findings of the asset's newest QC report (the review module's reports), empty without one."""
    report_id = session.scalar(
        select(QCReport.id).where(QCReport.asset_id == asset_id).order_by(QCReport.id.desc()).limit(1)
    )
    if report_id is None:
        return []
    return list(
        session.scalars(
            select(Finding).where(Finding.report_id == report_id).order_by(Finding.start, Finding.id)
        )
    )


def version_findings(session: Session, version: WorkVersion) -> list[tuple[int, Finding]]:
    """(position of the asset in the version, finding) for every asset of the version."""
    return [
        (position, finding)
        for position, asset_id in enumerate(version.asset_ids)
        for finding in findings_of_asset(session, asset_id)
    ]


def _finding_key(position: int, finding: Finding) -> tuple[int, str, str, str, int]:
    return (position, finding.kind, finding.source, finding.term, round(finding.start))


@dataclass
class VersionDiff:
    old: int
    new: int
    fixed: list[Finding] = field(default_factory=list)  # in the old version, gone from the new
    added: list[Finding] = field(default_factory=list)  # new in the new version
    kept: list[Finding] = field(default_factory=list)  # still there
    resolved: list[WorkComment] = field(default_factory=list)  # comments on the old version
    still_open: list[WorkComment] = field(default_factory=list)


def diff(session: Session, work: ReviewWork, old: int | None = None, new: int | None = None) -> VersionDiff:
    new = work.version if new is None else new
    old = new - 1 if old is None else old
    if old < 1 or old >= new:
        raise AvbaseError("Compare an earlier version with a later one.", field="old")
    before = version_findings(session, version_of(session, work, old))
    after = version_findings(session, version_of(session, work, new))
    before_keys = {_finding_key(*pair) for pair in before}
    after_keys = {_finding_key(*pair) for pair in after}
    result = VersionDiff(old=old, new=new)
    result.fixed = [
        finding for pair in before if _finding_key(*pair) not in after_keys for finding in [pair[1]]
    ]
    for pair in after:
        (result.kept if _finding_key(*pair) in before_keys else result.added).append(pair[1])
    for comment in comments(session, work, old):
        (result.resolved if comment.resolved else result.still_open).append(comment)
    return result


# ---- JSON --------------------------------------------------------------------------------------------


def work_json(session: Session, work: ReviewWork, on: date | None = None) -> dict[str, Any]:
    version = version_of(session, work)
    return {
        "id": work.id,
        "title": work.title,
        "org_id": work.org_id,
        "version": work.version,
        "asset_ids": list(version.asset_ids),
        "state": work.state.value,
        "due_on": work.due_on.isoformat() if work.due_on else None,
        "overdue": is_overdue(work, on or date.today()),
        "departments": [department_json(row) for row in departments(session, work)],
        "changes_asked": [change_json(row) for row in changes_asked(session, work, work.version)],
        "changes_to_check": [change_json(row) for row in changes_to_check(session, work)],
    }


def change_json(row: WorkChange) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "unit": row.unit,
        "org_id": row.org_id,
        "text": row.text,
        "state": row.state.value,  # asked | done | not_made
        "done": row.done,
        "note": row.note,  # why it was not made
        "checked_version": row.checked_version,
        "checked_by_id": row.checked_by_id,
        "checked_at": row.checked_at.isoformat() if row.checked_at else None,
    }


def department_json(row: WorkDepartment) -> dict[str, Any]:
    return {
        "unit": row.unit,
        "org_id": row.org_id,
        "lead": row.lead,
        "decision": row.decision.value if row.decision else None,
        "reasons": row.reasons,
        "decided_version": row.decided_version,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }


def comment_json(row: WorkComment) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "asset_id": row.asset_id,
        "seconds": row.seconds,
        "timecode": row.timecode,
        "text": row.text,
        "org_id": row.org_id,
        "resolved": row.resolved,
    }


def finding_brief(finding: Finding) -> dict[str, Any]:
    return {"asset_id": finding.asset_id, "kind": finding.kind, "start": finding.start, "end": finding.end,
            "source": finding.source, "term": finding.term, "detail": finding.detail}  # fmt: skip


def diff_json(result: VersionDiff) -> dict[str, Any]:
    return {
        "old": result.old,
        "new": result.new,
        "fixed": [finding_brief(row) for row in result.fixed],
        "added": [finding_brief(row) for row in result.added],
        "kept": [finding_brief(row) for row in result.kept],
        "comments_resolved": [comment_json(row) for row in result.resolved],
        "comments_open": [comment_json(row) for row in result.still_open],
    }
