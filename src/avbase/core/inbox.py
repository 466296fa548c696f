"""The inbox seam: every domain says what a principal must act on, and what figures belong on their home page.

A domain registers an :data:`ItemProvider` (and, optionally, a :data:`FigureProvider`) with the decorators
below, in a module listed in :data:`INBOX_MODULES`. ``core`` imports no domain: the list names modules, as
the job registry does. Providers are called with the principal's permissions and must return only what that
principal may see; titles are translated in the current locale (a notification job sets the recipient's).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal

log = logging.getLogger(__name__)


class Urgency(StrEnum):
    """How soon an item needs its principal; the inbox is sorted by this, then by due date."""

    overdue = "overdue"  # its due date has passed
    due = "due"  # due within the warning window, or waiting on the principal now
    upcoming = "upcoming"  # worth knowing, not yet pressing

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)


@dataclass(frozen=True)
class InboxItem:
    """One thing a principal must act on."""

    key: str  # stable across calls, unique per principal: "policy.review:12" (notifications remember it)
    kind: str  # what sort of item, for preferences: "policy.review_overdue"
    domain: str
    title: str
    link: str  # a local path to the page where it is acted on
    urgency: Urgency
    due_on: date | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "domain": self.domain,
            "title": self.title,
            "detail": self.detail,
            "link": self.link,
            "urgency": self.urgency.value,
            "due_on": self.due_on.isoformat() if self.due_on else None,
        }


@dataclass(frozen=True)
class KeyFigure:
    """A number on a role's home page, with the page that explains it."""

    label: str  # translated
    value: str  # formatted for display
    link: str | None = None
    hint: str = ""
    testid: str = ""


ItemProvider = Callable[[Session, Principal, date], list[InboxItem]]
FigureProvider = Callable[[Session, Principal, date], list[KeyFigure]]

ITEM_PROVIDERS: dict[str, ItemProvider] = {}
FIGURE_PROVIDERS: dict[str, FigureProvider] = {}
# The kinds of item a domain can produce, with a msgid each, for the notification preferences page.
ITEM_KINDS: dict[str, str] = {}

# Modules whose import registers providers; each domain adds its own (review, rights, chain, ecosystem …).
INBOX_MODULES = [
    "avbase.industry.inbox",
    "avbase.policy.inbox",
    "avbase.media.inbox",
    "avbase.ecosystem.inbox",
    "avbase.rights.inbox",
    "avbase.review.inbox",
]


def item_provider(domain: str, *, kinds: dict[str, str]) -> Callable[[ItemProvider], ItemProvider]:
    """Registers ``domain``'s items; ``kinds`` maps each item kind it may return to a msgid naming it."""

    def register(func: ItemProvider) -> ItemProvider:
        ITEM_PROVIDERS[domain] = func
        ITEM_KINDS.update(kinds)
        return func

    return register


def figure_provider(domain: str) -> Callable[[FigureProvider], FigureProvider]:
    def register(func: FigureProvider) -> FigureProvider:
        FIGURE_PROVIDERS[domain] = func
        return func

    return register


def load_providers() -> None:
    for module in INBOX_MODULES:
        importlib.import_module(module)


def sort_key(item: InboxItem) -> tuple[int, date, str]:
    return (item.urgency.rank, item.due_on or date.max, item.title)


def collect(session: Session, principal: Principal, *, on: date) -> list[InboxItem]:
    """Every domain's items for ``principal`` on ``on``, the most pressing first."""
    load_providers()
    items: list[InboxItem] = []
    for domain in sorted(ITEM_PROVIDERS):
        items.extend(ITEM_PROVIDERS[domain](session, principal, on))
    return sorted(items, key=sort_key)


def figures(session: Session, principal: Principal, *, on: date) -> dict[str, list[KeyFigure]]:
    """Each domain's key figures for the principal's home page, by domain (empty ones left out)."""
    load_providers()
    shown: dict[str, list[KeyFigure]] = {}
    for domain in sorted(FIGURE_PROVIDERS):
        found = FIGURE_PROVIDERS[domain](session, principal, on)
        if found:
            shown[domain] = found
    return shown
