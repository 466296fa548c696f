"""Values shown through ``label()`` (``enum:<value>`` msgids), listed once so the catalogue covers them."""

from __future__ import annotations

AUDIT_ACTIONS = [
    "create",
    "update",
    "delete",
    "login",
    "login_failed",
    "logout",
    "enqueue",
    "cancel",
    "password_changed",
]
ENTITY_TYPES = ["organisations", "users", "api_tokens", "jobs"]


def label_values() -> list[str]:
    from avbase.core.accounts.models import OrgKind, Role
    from avbase.core.jobs.models import JobState

    values = [*Role, *OrgKind, *JobState]
    return [str(value.value) for value in values] + AUDIT_ACTIONS + ENTITY_TYPES
