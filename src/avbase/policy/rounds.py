"""Selection rounds as a service: calls, entries, experts, scores, results, publication."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import STEWARDS, Principal, require_steward
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.policy.models import Measure, RoundEntry, RoundExpert, RoundScore, RoundState, SelectionRound
from avbase.policy.selection import ScoreSheet, Standing, rank_entries
from avbase.policy.service import (
    check_applicant_region,
    get_measure,
    region_label,
    stewards_document,
    within_region,
)


def create_round(
    session: Session,
    principal: Principal,
    *,
    measure_id: str,
    year: int,
    title: str,
    criteria: list[dict[str, Any]],
    deadline: date,
    quota: int,
) -> SelectionRound:
    require_steward(principal)
    measure = get_measure(session, measure_id)
    _require_round_steward(principal, measure, field="measure")
    if measure.kind not in ("listing", "capped", "recommendation"):
        raise Conflict(
            "Selection rounds are for lists, awards by selection and recommendations.", field="measure"
        )
    keys = [str(c.get("key", "")) for c in criteria]
    if not criteria or len(set(keys)) != len(keys) or not all(keys):
        raise AvbaseError("Each criterion needs its own key.", field="criteria")
    if any(float(c.get("max", 0)) <= 0 for c in criteria):
        raise AvbaseError("Each criterion needs a maximum above zero.", field="criteria")
    if quota < 1:
        raise AvbaseError("The list takes at least one entry.", field="quota")
    made = SelectionRound(
        measure_id=measure.id,
        year=year,
        title=title.strip(),
        criteria=criteria,
        deadline=deadline,
        quota=quota,
        org_id=principal.org_id or None,
    )
    session.add(made)
    session.flush()
    return made


def visible_entries(selection: SelectionRound, principal: Principal) -> list[RoundEntry]:
    """Until publication, entries are seen by stewards, the panel and each entrant for its own."""
    if selection.state is RoundState.published or principal.role in STEWARDS:
        return list(selection.entries)
    if any(expert.user_id == principal.user_id for expert in selection.experts):
        return list(selection.entries)
    return [entry for entry in selection.entries if entry.org_id == principal.org_id]


def _require_round_steward(principal: Principal, measure: Measure, *, field: str) -> None:
    """A province runs the rounds of its own measures (a Zhejiang officer not Hunan's)."""
    if not stewards_document(principal, measure.document):
        raise Forbidden(
            "Only the authorities of {region} run selection rounds under its measures.",
            field=field,
            region=region_label(measure.document.region_code),
        )


def open_rounds_run_by(session: Session, principal: Principal) -> list[SelectionRound]:
    """The rounds taking entries that this steward may put entries forward to."""
    return [
        r
        for r in list_rounds(session)
        if r.state is RoundState.open and stewards_document(principal, r.measure.document)
    ]


def takes_entries_from(selection: SelectionRound, region_code: str) -> bool:
    """Whether an organisation registered in ``region_code`` may enter: the round's measure applies there."""
    return within_region(region_code, selection.measure.document)


def get_round(session: Session, round_id: int) -> SelectionRound:
    found = session.get(SelectionRound, round_id)
    if found is None:
        raise NotFound("Selection round not found.")
    return found


def submit_entry(
    session: Session, principal: Principal, round_id: int, *, title: str, summary: str | None, on: date
) -> RoundEntry:
    selection = get_round(session, round_id)
    if principal.role not in (Role.enterprise_staff, Role.park_operator, Role.creator):
        raise Forbidden("Entries are submitted by enterprises, park operators and creators.")
    if selection.state is not RoundState.open or on > selection.deadline:
        raise Conflict("The round closed on {date}.", date=selection.deadline.isoformat())
    check_applicant_region(session, selection.measure, principal.org_id)
    if session.scalar(
        select(RoundEntry.id).where(
            RoundEntry.round_id == round_id, RoundEntry.org_id == principal.org_id, RoundEntry.title == title
        )
    ):
        raise Conflict("Your organisation has entered this title already.", field="title")
    entry = RoundEntry(round_id=round_id, org_id=principal.org_id, title=title.strip(), summary=summary)
    session.add(entry)
    session.flush()
    return entry


def nominate_entry(
    session: Session, principal: Principal, round_id: int, *, org_id: int, title: str, summary: str | None
) -> RoundEntry:
    """An entry put forward by a steward on an organisation's behalf (the ecosystem's top-ranked developers
    and creators, say), while the round takes entries."""
    require_steward(principal)
    selection = get_round(session, round_id)
    _require_round_steward(principal, selection.measure, field="round_id")
    if selection.state is not RoundState.open:
        raise Conflict("The round is not taking entries.")
    check_applicant_region(session, selection.measure, org_id)
    if session.scalar(
        select(RoundEntry.id).where(
            RoundEntry.round_id == round_id, RoundEntry.org_id == org_id, RoundEntry.title == title.strip()
        )
    ):
        raise Conflict("This organisation has entered this title already.", field="title")
    entry = RoundEntry(round_id=round_id, org_id=org_id, title=title.strip()[:200], summary=summary)
    session.add(entry)
    session.flush()
    return entry


def add_expert(session: Session, principal: Principal, round_id: int, *, user_id: int) -> RoundExpert:
    require_steward(principal)
    selection = get_round(session, round_id)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.", field="user_id")
    if any(e.user_id == user_id for e in selection.experts):
        raise Conflict("This expert is on the panel already.", field="user_id")
    expert = RoundExpert(round_id=round_id, user_id=user_id, org_id=user.org_id)
    selection.experts.append(expert)
    session.flush()
    return expert


def close_entries(session: Session, principal: Principal, round_id: int) -> SelectionRound:
    require_steward(principal)
    selection = get_round(session, round_id)
    if selection.state is not RoundState.open:
        raise Conflict("The round is not taking entries.")
    selection.state = RoundState.scoring
    session.flush()
    return selection


def score_entry(
    session: Session, principal: Principal, entry_id: int, *, marks: dict[str, float]
) -> RoundScore:
    """An expert's marks for one entry; refused when the expert's organisation entered it (conflict of
    interest) or the marks are out of range."""
    entry = session.get(RoundEntry, entry_id)
    if entry is None:
        raise NotFound("Entry not found.")
    selection = entry.round
    expert = next((e for e in selection.experts if e.user_id == principal.user_id), None)
    if expert is None:
        raise Forbidden("You are not on this round's panel.")
    if selection.state is not RoundState.scoring:
        raise Conflict("Scores are given while the round is being scored.")
    if expert.org_id == entry.org_id:
        raise Forbidden("Conflict of interest: your organisation entered this; you cannot score it.")
    criteria = {c["key"]: float(c["max"]) for c in selection.criteria}
    if set(marks) != set(criteria):
        raise AvbaseError("Give a mark for each criterion: {keys}.", field="marks", keys=", ".join(criteria))
    for key, value in marks.items():
        if not 0 <= value <= criteria[key]:
            raise AvbaseError(
                "{key} must be between 0 and {max}.", field=key, key=key, max=f"{criteria[key]:g}"
            )
    score = session.scalar(
        select(RoundScore).where(RoundScore.entry_id == entry_id, RoundScore.user_id == principal.user_id)
    )
    if score is None:
        score = RoundScore(
            entry_id=entry_id, user_id=principal.user_id, marks=marks, total=sum(marks.values())
        )
        session.add(score)
    else:
        score.marks, score.total = marks, sum(marks.values())
    session.flush()
    return score


def standings(session: Session, round_id: int) -> list[Standing]:
    selection = get_round(session, round_id)
    ids = [e.id for e in selection.entries]
    sheets = [
        ScoreSheet(s.entry_id, s.user_id, s.total)
        for s in session.scalars(select(RoundScore).where(RoundScore.entry_id.in_(ids)))
    ]
    return rank_entries(ids, sheets)


def publish(session: Session, principal: Principal, round_id: int) -> list[RoundEntry]:
    """Freezes the ranking; the first ``quota`` ranked entries make the list. Returns the listed entries."""
    require_steward(principal)
    selection = get_round(session, round_id)
    if selection.state is not RoundState.scoring:
        raise Conflict("Only a round being scored is published.")
    by_id = {e.id: e for e in selection.entries}
    for standing in standings(session, round_id):
        entry = by_id[standing.entry_id]
        entry.rank, entry.score = standing.rank, standing.normalised
        entry.listed = standing.rank is not None and standing.rank <= selection.quota
    selection.state = RoundState.published
    session.flush()
    return [e for e in selection.entries if e.listed]


def list_rounds(session: Session) -> list[SelectionRound]:
    return list(
        session.scalars(select(SelectionRound).order_by(SelectionRound.year.desc(), SelectionRound.id.desc()))
    )
