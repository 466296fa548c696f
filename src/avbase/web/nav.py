"""Navigation entries. Each module appends its own when it is mounted."""

from __future__ import annotations

from dataclasses import dataclass

from avbase.core.accounts.models import Role
from avbase.core.i18n import N_


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # msgid
    path: str
    roles: frozenset[Role] | None = None  # None: everyone signed in

    def visible_to(self, role: Role) -> bool:
        return self.roles is None or role in self.roles


NAV: list[NavItem] = [
    NavItem("dashboard", N_("Dashboard"), "/"),
    NavItem("organisations", N_("Organisations"), "/organisations"),
    NavItem(
        "users", N_("Users"), "/users", frozenset({Role.admin, Role.authority_officer, Role.park_operator})
    ),
    NavItem("jobs", N_("Jobs"), "/jobs"),
    NavItem("audit", N_("Audit log"), "/audit", frozenset({Role.admin})),
]
