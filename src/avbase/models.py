"""Imports every module that defines tables, so metadata is complete for Alembic and tests."""

from __future__ import annotations


def import_all_models() -> None:
    import avbase.chain.distribution.models
    import avbase.chain.production.models
    import avbase.chain.resources.models
    import avbase.chain.scripts.models
    import avbase.chain.settlement.models
    import avbase.core.accounts.models
    import avbase.core.audit
    import avbase.core.jobs.models
    import avbase.core.ledger
    import avbase.core.notifications.models
    import avbase.core.routing
    import avbase.ecosystem.models
    import avbase.industry.models
    import avbase.media.models
    import avbase.policy.models
    import avbase.review.models
    import avbase.rights.models
    import avbase.search.models
    import avbase.search.sync  # noqa: F401  (its flush listener marks what the search index must catch up with)
