"""``avbase chain`` as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_quote_prints_each_step_as_json(tmp_path: Path) -> None:
    done = run_cli(
        tmp_path,
        "chain",
        "quote",
        "cn-theatrical",
        "--param",
        "gross=1000000",
        "--param",
        "producer_share=0.43",
        "--param",
        "distribution_fee_rate=0.1",
        "--param",
        "on=2024-05-01",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [step["key"] for step in result["steps"]][:4] == ["gross", "fund", "tax", "net"]
    assert result["parts"]["producer"] == "354879.00"
    assert result["steps"][1]["text"] == "Film fund 5% of gross: 50,000.00"


def test_quote_refuses_a_bad_or_unknown_parameter_by_name(tmp_path: Path) -> None:
    unknown = run_cli(tmp_path, "chain", "quote", "cn-theatrical", "--param", "gross=1", "--param", "fee=2")
    assert unknown.returncode == 2 and "fee" in unknown.stderr
    bad = run_cli(tmp_path, "chain", "quote", "cn-theatrical", "--param", "gross=lots", "--json")
    assert bad.returncode == 2 and "gross" in bad.stderr and bad.stdout == ""


def test_reconcile_exit_codes(tmp_path: Path) -> None:
    from tests.chain.test_reconcile import EXPECTED, STATEMENT

    (tmp_path / "s.csv").write_text(STATEMENT, encoding="utf-8")
    (tmp_path / "e.csv").write_text(EXPECTED, encoding="utf-8")
    found = run_cli(
        tmp_path,
        "chain",
        "reconcile",
        "--statement",
        str(tmp_path / "s.csv"),
        "--expected",
        str(tmp_path / "e.csv"),
        "--json",
    )
    assert found.returncode == 3, found.stderr
    kinds = {d["kind"] for d in json.loads(found.stdout)["discrepancies"]}
    assert kinds == {"duplicate", "amount_differs", "quantity_differs", "missing", "unexpected"}
    agree = run_cli(
        tmp_path,
        "chain",
        "reconcile",
        "--statement",
        str(tmp_path / "e.csv"),
        "--expected",
        str(tmp_path / "e.csv"),
        "--json",
    )
    assert agree.returncode == 0 and json.loads(agree.stdout)["discrepancies"] == []
    (tmp_path / "bad.csv").write_text("title,period,amount\nA,2024-11,1\n", encoding="utf-8")
    bad = run_cli(
        tmp_path,
        "chain",
        "reconcile",
        "--statement",
        str(tmp_path / "bad.csv"),
        "--expected",
        str(tmp_path / "e.csv"),
        "--json",
    )
    assert bad.returncode == 2 and "metric" in bad.stderr
