"""Imports every module that defines tables, so metadata is complete for Alembic and tests."""

from __future__ import annotations


def import_all_models() -> None:
    import avbase.core.accounts.models
    import avbase.core.audit
    import avbase.core.jobs.models
    import avbase.core.notifications.models
    import avbase.core.routing
    import avbase.industry.models
    import avbase.media.models
    import avbase.policy.models
    import avbase.rights.models
    import avbase.search.models
    import avbase.search.sync  # noqa: F401  (its flush listener marks what the search index must catch up with)
