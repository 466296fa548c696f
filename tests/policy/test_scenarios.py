"""Runs the analyst-readable scenarios in ``scenarios.yaml`` against the catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session

from avbase.policy import service
from avbase.policy.views import step_text

SCENARIOS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "scenarios.yaml").read_text("utf-8")
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(catalogue: Session, scenario: dict[str, Any]) -> None:
    on = scenario["date"] if isinstance(scenario["date"], date) else date.fromisoformat(scenario["date"])
    result = service.quote(catalogue, scenario["measure"], scenario["facts"], on=on)
    expected_eligible = scenario.get("eligible", True)
    assert result.eligible is expected_eligible, [step_text(s) for s in result.trace]
    if "amount" in scenario:
        assert result.amount == Decimal(scenario["amount"])
    if "reason_contains" in scenario:
        assert result.reason is not None and scenario["reason_contains"] in step_text(result.reason)
