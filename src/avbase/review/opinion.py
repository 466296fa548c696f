"""The consolidated opinion (审查意见) of a joint review as a PDF: the work, each department's decision with
its reasons, the QC findings of the current version with their frames, and the comments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.models import Organisation, User
from avbase.review import joint, units
from avbase.review.models import ReviewWork
from avbase.web.pdf import data_uri, render_pdf
from avbase.web.templating import environment

environment.filters["measured"] = units.measured  # as on the pages, for a document rendered without them
environment.filters["with_unit"] = units.with_unit
MAX_FRAMES = 24  # frames embedded in the document; the table lists every finding


def context(session: Session, work: ReviewWork) -> dict[str, Any]:
    version = joint.version_of(session, work)
    assets = {asset.id: asset for asset in joint.assets_of(session, version)}
    findings = [finding for _position, finding in joint.version_findings(session, version)]
    frames: list[dict[str, Any]] = []
    for finding in findings:
        asset = assets.get(finding.asset_id)
        if len(frames) >= MAX_FRAMES or asset is None or not finding.thumbnail:
            continue
        path = storage.derived_dir(asset.sha256) / finding.thumbnail
        if path.is_file():
            frames.append({"finding": finding, "asset": asset, "src": data_uri(path.read_bytes())})
    owner = session.get(Organisation, work.org_id)
    rows = joint.departments(session, work)
    checked = joint.changes_to_check(session, work)
    checkers = {row.checked_by_id for row in checked if row.checked_by_id}
    ids = {work.org_id, *(row.org_id for row in rows)}
    orgs = dict(
        session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all()
    )
    return {
        "title": work.title,
        "work": work,
        "owner": owner,
        "version": version,
        "assets": assets,
        "departments": rows,
        "findings": findings,
        "frames": frames,
        "comments": joint.comments(session, work, work.version),
        "changes_asked": joint.changes_asked(session, work, work.version),
        "changes_checked": checked,
        "checked_by": dict(
            session.execute(select(User.id, User.display_name).where(User.id.in_(checkers))).all()
        ),
        "change_labels": joint.CHANGE_LABELS,
        "orgs": orgs,
        "state_labels": joint.STATE_LABELS,
        "decision_labels": joint.DECISION_LABELS,
    }


def render(session: Session, work: ReviewWork) -> bytes:
    return render_pdf("review/opinion_pdf.html", context(session, work))


def file_name(work: ReviewWork) -> str:
    return f"opinion-{work.id}-v{work.version}.pdf"
