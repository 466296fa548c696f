"""Developer and creator ecosystems (开发者生态, 创作者生态): profiles with what each person published, its
downloads and ratings, and their contest results; rankings per period by a scheme kept as data (each
indicator's weight, shown beside the list); the top-ranked put forward to a policy selection round.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, User
from avbase.core.accounts.principal import Principal, require_steward
from avbase.core.errors import AvbaseError, NotFound
from avbase.core.i18n import N_, _
from avbase.ecosystem import contests
from avbase.ecosystem.models import (
    Contest,
    ContestState,
    ContestTask,
    Download,
    RankingScheme,
    Rating,
    Resource,
    ResourceVersion,
    Submission,
    TeamMember,
)

INDICATORS = {
    "downloads": N_("downloads of what they published, in the period"),
    "rating": N_("mean stars of the ratings they received, in the period (5 stars = 100)"),
    "published": N_("versions they published, in the period"),
    "contests": N_("contest points: 100 for first place down to 0 for last, contests closed in the period"),
}
DEFAULT_SCHEME = {
    "key": "ecosystem-default",
    "title": N_("Developers and creators of the period"),  # a msgid: shown through the catalogue
    "weights": {"downloads": 0.4, "rating": 0.2, "published": 0.1, "contests": 0.3},
}


# --- periods ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # exclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return datetime.combine(self.start, time(), tzinfo=UTC), datetime.combine(
            self.end, time(), tzinfo=UTC
        )


def parse_period(text: str) -> Period:
    """``2025`` (the year) or ``2025-Q2`` (a quarter)."""
    text = text.strip().upper()
    try:
        if "-Q" in text:
            year, quarter = text.split("-Q")
            first = (int(quarter) - 1) * 3 + 1
            if not 1 <= int(quarter) <= 4:
                raise ValueError
            end = date(int(year) + (first + 3 > 12), (first + 3 - 1) % 12 + 1, 1)
            return Period(text, date(int(year), first, 1), end)
        return Period(text, date(int(text), 1, 1), date(int(text) + 1, 1, 1))
    except ValueError:
        raise AvbaseError(N_("A period is a year (2025) or a quarter (2025-Q2)."), field="period") from None


# --- schemes ------------------------------------------------------------------------------------------


def scheme(session: Session, key: str | None = None) -> RankingScheme:
    """The scheme called ``key``, or the default one (made on first use)."""
    wanted = key or DEFAULT_SCHEME["key"]
    found = session.scalar(select(RankingScheme).where(RankingScheme.key == wanted))
    if found is not None:
        return found
    if key and key != DEFAULT_SCHEME["key"]:
        raise NotFound(N_("No ranking scheme is called {key}."), field="scheme", key=key)
    made = RankingScheme(**DEFAULT_SCHEME)
    session.add(made)
    session.flush()
    return made


def save_scheme(
    session: Session, principal: Principal, *, key: str, title: str, weights: dict[str, float]
) -> RankingScheme:
    """A new or changed scheme (stewards): known indicators, weights at or above 0 summing to 1."""
    require_steward(principal)
    unknown = sorted(set(weights) - set(INDICATORS))
    if unknown:
        raise AvbaseError(N_("Unknown indicators: {names}."), field="weights", names=", ".join(unknown))
    if any(w < 0 for w in weights.values()) or abs(sum(weights.values()) - 1) > 1e-6:
        raise AvbaseError(N_("The weights must be at or above 0 and add up to 1."), field="weights")
    found = session.scalar(select(RankingScheme).where(RankingScheme.key == key))
    if found is None:
        found = RankingScheme(key=key, title=title, weights=weights)
        session.add(found)
    else:
        found.title, found.weights = title, weights
    session.flush()
    return found


def formula(ranking_scheme: RankingScheme) -> list[tuple[float, str]]:
    """The scheme as people read it: (weight, indicator msgid), largest weight first."""
    return sorted(((w, INDICATORS[name]) for name, w in ranking_scheme.weights.items() if w), reverse=True)


# --- indicators and ranking ---------------------------------------------------------------------------


Level = Literal["people", "organisations"]


@dataclass
class Ranked:
    rank: int
    user_id: int | None  # None on a ranking of organisations
    name: str
    org_id: int
    score: float
    raw: dict[str, float]
    normalised: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "user": self.user_id, "organisation": self.org_id, "name": self.name,
                "score": round(self.score, 2),
                "indicators": {k: round(v, 4) for k, v in self.raw.items()},
                "normalised": {k: round(v, 2) for k, v in self.normalised.items()}}  # fmt: skip


def contest_points(session: Session, period: Period) -> dict[int, float]:
    """Points per user from the final boards of contests closed in the period; a team's points go to each
    member."""
    start, end = period.bounds
    points: dict[int, float] = defaultdict(float)
    for contest in session.scalars(
        select(Contest).where(
            Contest.state == ContestState.closed, Contest.closed_at >= start, Contest.closed_at < end
        )
    ):
        for task in contest.tasks:
            board = contests.leaderboard(session, contest, task_id=task.id, private=True)
            for row in board:
                value = 100.0 if len(board) == 1 else 100.0 * (len(board) - row.rank) / (len(board) - 1)
                for user_id in _people_of(session, row.submission):
                    points[user_id] += value
    return dict(points)


def _people_of(session: Session, submission_id: int) -> list[int]:
    found = session.get(Submission, submission_id)
    if found is None:
        return []
    if found.team_id is not None:
        return list(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == found.team_id)))
    return [found.user_id] if found.user_id else []


def indicators(session: Session, period: Period, by: Level = "people") -> dict[int, dict[str, float]]:
    """The indicators per person (what they published, their contest points) or per organisation (what it
    published, its members' contest points)."""
    owner = Resource.publisher_id if by == "people" else Resource.org_id
    start, end = period.bounds
    values: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(INDICATORS, 0.0))
    for key, count in session.execute(
        select(owner, func.count(Download.id))
        .join(Download, Download.resource_id == Resource.id)
        .where(Download.at >= start, Download.at < end, owner.is_not(None))
        .group_by(owner)
    ):
        values[int(key or 0)]["downloads"] = float(count)
    for key, stars in session.execute(
        select(owner, func.avg(Rating.stars))
        .join(Rating, Rating.resource_id == Resource.id)
        .where(Rating.updated_at >= start, Rating.updated_at < end, owner.is_not(None))
        .group_by(owner)
    ):
        values[int(key or 0)]["rating"] = float(stars) * 20
    for key, count in session.execute(
        select(owner, func.count(ResourceVersion.id))
        .join(ResourceVersion, ResourceVersion.resource_id == Resource.id)
        .where(
            ResourceVersion.created_at >= start,
            ResourceVersion.created_at < end,
            owner.is_not(None),
        )
        .group_by(owner)
    ):
        values[int(key or 0)]["published"] = float(count)
    points = contest_points(session, period)
    if by == "organisations":
        member_of = dict(session.execute(select(User.id, User.org_id).where(User.id.in_(list(points)))).all())
        for user_id, earned in points.items():
            if user_id in member_of:
                values[member_of[user_id]]["contests"] += earned
    else:
        for user_id, earned in points.items():
            values[user_id]["contests"] = earned
    return dict(values)


def ranking(
    session: Session, period: Period, ranking_scheme: RankingScheme, by: Level = "people"
) -> list[Ranked]:
    """Everyone (or every organisation) with a value in the period, by the scheme's weighted sum of the
    indicators, each scaled to 0–100 over those ranked (the largest value = 100; ratings are already on
    that scale)."""
    values = indicators(session, period, by)
    if not values:
        return []
    named: dict[int, tuple[int | None, str, int]]
    if by == "people":
        users = session.scalars(select(User).where(User.id.in_(list(values))))
        named = {u.id: (u.id, u.display_name, u.org_id) for u in users}
    else:
        orgs = session.scalars(select(Organisation).where(Organisation.id.in_(list(values))))
        named = {o.id: (None, o.name, o.id) for o in orgs}
    highest = {name: max(v[name] for v in values.values()) for name in INDICATORS}
    rows = []
    for key, raw in values.items():
        if key not in named:
            continue
        normalised = {
            name: raw[name]
            if name == "rating"
            else (100.0 * raw[name] / highest[name] if highest[name] else 0.0)
            for name in INDICATORS
        }
        score = sum(ranking_scheme.weights.get(name, 0.0) * normalised[name] for name in INDICATORS)
        user_id, name, org_id = named[key]
        rows.append(Ranked(0, user_id, name, org_id, score, raw, normalised))
    rows.sort(key=lambda row: (-row.score, row.org_id if row.user_id is None else row.user_id))
    for rank, row in enumerate(rows, 1):
        row.rank = rank
    return rows


def nominate(
    session: Session,
    principal: Principal,
    *,
    round_id: int,
    period: Period,
    ranking_scheme: RankingScheme,
    top: int,
    by: Level = "people",
) -> list[int]:
    """Puts the ``top`` ranked of the round's province forward to a policy selection round, through policy's
    service; returns the new entries' ids."""
    from avbase.policy import rounds

    require_steward(principal)
    if not 1 <= top <= 100:
        raise AvbaseError(N_("Put forward 1 to 100."), field="top")
    selection = rounds.get_round(session, round_id)
    made: list[int] = []
    for row in ranking(session, period, ranking_scheme, by):
        if len(made) == top:
            break
        org = session.get(Organisation, row.org_id)
        if org is None or not rounds.takes_entries_from(selection, org.region_code):
            continue  # the round's measure applies in another province
        entry = rounds.nominate_entry(
            session,
            principal,
            round_id,
            org_id=row.org_id,
            title=_(
                "{name} (no. {rank} of {ranking}, {period})",
                name=row.name,
                rank=row.rank,
                ranking=_(ranking_scheme.title),
                period=period.label,
            ),
            summary=_("{ranking} score: {score}", ranking=_(ranking_scheme.title), score=f"{row.score:.2f}"),
        )
        made.append(entry.id)
    return made


# --- a person's profile -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContestResult:
    contest_id: int
    title: str
    rank: int
    participants: int
    score: float | None
    final: bool


def profile(session: Session, user_id: int) -> dict[str, Any]:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("User not found."))
    published = list(
        session.scalars(
            select(Resource).where(Resource.publisher_id == user_id).order_by(Resource.downloads.desc())
        )
    )
    ratings: dict[Any, Any] = {
        resource_id: stars
        for resource_id, stars in session.execute(
            select(Rating.resource_id, func.avg(Rating.stars))
            .where(Rating.resource_id.in_([r.id for r in published]))
            .group_by(Rating.resource_id)
        )
    }
    return {
        "user": user,
        "resources": published,
        "ratings": {int(k): float(v) for k, v in ratings.items()},
        "downloads": sum(r.downloads for r in published),
        "contests": contest_results(session, user_id),
    }


def contest_results(session: Session, user_id: int) -> list[ContestResult]:
    """The user's (or their team's) place on each contest they entered: final when closed, else public."""
    keys = [f"user:{user_id}"] + [
        f"team:{team_id}"
        for team_id in session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user_id))
    ]
    results = []
    entered = session.scalars(
        select(Contest).where(
            Contest.id.in_(
                select(ContestTask.contest_id)
                .join(Submission, Submission.task_id == ContestTask.id)
                .where(Submission.participant.in_(keys))
            )
        )
    )
    for contest in entered:
        closed = contest.state is ContestState.closed
        board = contests.leaderboard(session, contest, private=closed)
        for row in board:
            submission = session.get(Submission, row.submission)
            if submission is not None and submission.participant in keys:
                results.append(
                    ContestResult(contest.id, contest.title, row.rank, len(board), row.score, closed)
                )
    return results
