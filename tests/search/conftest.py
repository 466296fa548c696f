from __future__ import annotations

import os
from pathlib import Path

import pytest

# The shared corpus sits beside the checkout (../shared); AVBASE_CORPUS_DIR points elsewhere when it does not.
CANDIDATES = [
    Path(os.environ["AVBASE_CORPUS_DIR"]) if os.environ.get("AVBASE_CORPUS_DIR") else None,
    Path(__file__).resolve().parents[3] / "shared" / "corpus" / "media",
    Path("/work/shared/corpus/media"),
]


@pytest.fixture
def corpus() -> Path:
    """The shared real media (always present in CI; skipped elsewhere when absent)."""
    for candidate in CANDIDATES:
        if candidate is not None and candidate.is_dir():
            return candidate
    if os.environ.get("CI"):
        pytest.fail(f"the shared corpus is missing; looked in {[str(c) for c in CANDIDATES if c]}")
    pytest.skip("../shared/corpus is not here")
