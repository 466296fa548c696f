from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "media"


@pytest.fixture
def corpus() -> Path:
    """The shared real media (always present in CI; skipped elsewhere when absent)."""
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared corpus is missing at {CORPUS}")
        pytest.skip("../shared/corpus is not here")
    return CORPUS
