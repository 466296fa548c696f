"""The production chain's command groups: ``avbase scripts …`` and ``avbase resources …``."""

from __future__ import annotations

from avbase.chain.resources.cli import resources_app
from avbase.chain.scripts.cli import scripts_app

__all__ = ["resources_app", "scripts_app"]
