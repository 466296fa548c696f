"""Navigation entries. Each module appends its own when it is mounted."""

from __future__ import annotations

from dataclasses import dataclass

from avbase.core.accounts.models import Role
from avbase.core.accounts.principal import Principal, jurisdiction_prefix
from avbase.core.i18n import N_


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # msgid
    path: str
    roles: frozenset[Role] | None = None  # None: everyone signed in
    provinces: frozenset[str] | None = None  # a province's own mechanism (ZJ's 赛马, "146"); None: all

    def visible_to(self, principal: Principal) -> bool:
        if self.roles is not None and principal.role not in self.roles:
            return False
        if self.provinces is None or principal.is_admin:
            return True
        return jurisdiction_prefix(principal.region_code)[:2] in self.provinces


MONITORS = frozenset({Role.admin, Role.authority_officer, Role.park_operator})
ZHEJIANG = frozenset({"33"})
FILERS = frozenset({Role.admin, Role.authority_officer, Role.park_operator, Role.enterprise_staff})

NAV: list[NavItem] = [
    NavItem("dashboard", N_("Dashboard"), "/"),
    NavItem("industry", N_("Industry monitoring"), "/industry", MONITORS),
    NavItem("enterprises", N_("Enterprises and reports"), "/industry/enterprises", FILERS),
    NavItem("index", N_("Industry index"), "/industry/index", MONITORS),
    NavItem("bulletins", N_("Index bulletins"), "/industry/bulletins"),
    NavItem("rankings", N_("赛马 ranking"), "/industry/rankings", MONITORS, ZHEJIANG),
    NavItem("parks", N_("Parks and bases"), "/industry/parks", MONITORS),
    NavItem("projects", N_('"146" projects'), "/industry/projects", MONITORS, ZHEJIANG),
    NavItem("imports", N_("Import"), "/industry/imports", FILERS),
    NavItem("policy", N_("Policy measures"), "/policy"),
    NavItem("applications", N_("Applications"), "/policy/applications", FILERS),
    NavItem("rounds", N_("Selection rounds"), "/policy/rounds"),
    NavItem(
        "routes", N_("Responsible units"), "/policy/routes", frozenset({Role.admin, Role.authority_officer})
    ),
    NavItem(
        "awards", N_("Award reports"), "/policy/reports", frozenset({Role.admin, Role.authority_officer})
    ),
    NavItem("media", N_("Media library"), "/media"),
    NavItem("search", N_("Material search"), "/search"),
    NavItem("resources", N_("Production resources"), "/resources"),
    NavItem("productions", N_("Productions"), "/productions"),
    NavItem("scripts", N_("Script exchange"), "/scripts"),
    NavItem("review", N_("Content review"), "/review"),
    NavItem("chain", N_("Distribution and settlement"), "/chain", FILERS),
    NavItem("shared-resources", N_("Shared resources"), "/ecosystem/resources"),
    NavItem("contests", N_("Algorithm contests"), "/ecosystem/contests"),
    NavItem("data-service", N_("Industry data service"), "/ecosystem/data"),
    NavItem("people", N_("Developers and creators"), "/ecosystem/people"),
    NavItem("experts", N_("Expert think tank"), "/ecosystem/experts"),
    NavItem("talent", N_("Talent in demand"), "/ecosystem/talent"),
    NavItem("rights", N_("Works and copyright"), "/rights"),
    NavItem("market", N_("Licence marketplace"), "/rights/market"),
    NavItem("organisations", N_("Organisations"), "/organisations"),
    NavItem(
        "users", N_("Users"), "/users", frozenset({Role.admin, Role.authority_officer, Role.park_operator})
    ),
    NavItem("jobs", N_("Jobs"), "/jobs"),
    NavItem("audit", N_("Audit log"), "/audit", frozenset({Role.admin})),
]


# Sidebar sections by path: a module's entries fall under its heading wherever it appends them.
SECTIONS: list[tuple[str | None, tuple[str, ...]]] = [
    (None, ("/",)),
    (N_("Industry"), ("/industry",)),
    (N_("Policy"), ("/policy",)),
    (N_("Media and review"), ("/media", "/search", "/review")),
    (N_("Copyright"), ("/rights",)),
    (N_("Production and distribution"), ("/chain", "/resources", "/productions", "/scripts")),
    (N_("Ecosystem"), ("/ecosystem",)),
]
PLATFORM = N_("Platform")


def _section(path: str) -> str | None:
    for title, prefixes in SECTIONS:
        if any(path == prefix or (prefix != "/" and path.startswith(prefix + "/")) for prefix in prefixes):
            return title
    return PLATFORM


def sectioned(items: list[NavItem]) -> list[tuple[str | None, list[NavItem]]]:
    """The visible entries under their headings, in the order of SECTIONS (the platform's own last)."""
    order = [title for title, _prefixes in SECTIONS] + [PLATFORM]
    groups: dict[str | None, list[NavItem]] = {}
    for item in items:
        groups.setdefault(_section(item.path), []).append(item)
    return [(title, groups[title]) for title in order if title in groups]


def active_key(path: str) -> str | None:
    """The entry whose path is the longest prefix of ``path`` (so /industry/parks lights up Parks alone)."""
    matches = [
        item for item in NAV if path == item.path or (item.path != "/" and path.startswith(item.path + "/"))
    ]
    return max(matches, key=lambda item: len(item.path)).key if matches else None
