"""The ``avbase`` command as an operator runs it: a real process against a fresh SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

avbase = run_cli


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli")
    assert avbase(path, "init").returncode == 0
    return path


def test_init_demo_and_list_jobs(var_dir: Path) -> None:
    demo = avbase(var_dir, "demo", "--json")
    assert demo.returncode == 0, demo.stderr
    result = json.loads(demo.stdout)
    assert result["state"] == "succeeded" and result["result"]["users"] == 10
    again = json.loads(avbase(var_dir, "demo", "--json").stdout)
    # Loading twice adds nothing: no new accounts, and the industry registry keeps its size.
    assert again["result"] == {**result["result"], "organisations": 0, "users": 0}
    assert result["result"]["enterprises"] > 3000
    jobs = json.loads(avbase(var_dir, "jobs", "list", "--limit", "200", "--json").stdout)
    demo_jobs = [job for job in jobs if job["kind"] == "demo.load"]
    assert len(demo_jobs) == 2 and all(job["state"] == "succeeded" for job in demo_jobs)
    # The corpus clips are queued for analysis once (the second load finds them in the library already).
    assert sum(job["kind"] == "media.analyse" for job in jobs) == result["result"]["media"]


def test_user_add_prints_json_and_rejects_bad_input_in_one_line(var_dir: Path) -> None:
    avbase(var_dir, "demo")
    added = avbase(
        var_dir,
        "user",
        "add",
        "ops.lead",
        "--role",
        "admin",
        "--org",
        "浙江省广播电视局",
        "--password",
        "s3cure-enough",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["role"] == "admin"
    bad = avbase(var_dir, "user", "add", "x", "--role", "boss", "--org", "1", "--password", "short")
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("avbase: error:") and "role" in lines[0]
    assert "Traceback" not in bad.stderr
    missing = avbase(
        var_dir,
        "user",
        "add",
        "y.user",
        "--role",
        "admin",
        "--org",
        "No Such Org",
        "--password",
        "long-enough-1",
    )
    assert missing.returncode == 1 and missing.stderr.strip() == "avbase: error: org: Organisation not found."


def test_debug_shows_the_traceback(var_dir: Path) -> None:
    result = avbase(
        var_dir,
        "--debug",
        "user",
        "add",
        "z.user",
        "--role",
        "admin",
        "--org",
        "No Such Org",
        "--password",
        "long-enough-1",
    )
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_config_show_masks_secrets(var_dir: Path) -> None:
    shown = json.loads(
        avbase(
            var_dir,
            "config",
            "show",
            "--json",
            env={"AVBASE_DATABASE_URL": "postgresql://u:pw@127.0.0.1:1/x"},
        ).stdout
    )
    assert shown["database_url"] == "postgresql+psycopg://u:***@127.0.0.1:1/x"


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    result = avbase(tmp_path, "jobs", "list")
    assert result.returncode == 2
    assert result.stderr.strip() == "avbase: error: The database is not initialised. Run `avbase init` first."


def test_db_upgrade_reports_the_revision(var_dir: Path) -> None:
    from alembic.script import ScriptDirectory

    from avbase.core.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None and head >= "0003"
    assert json.loads(avbase(var_dir, "db", "upgrade", "--json").stdout)["revision"] == head


def test_industry_commands_answer_in_json_with_yuan_and_round_trip_an_export(
    var_dir: Path, tmp_path: Path
) -> None:
    avbase(var_dir, "demo")
    kpi = avbase(var_dir, "industry", "kpi", "--year", "2025", "--json")
    assert kpi.returncode == 0, kpi.stderr
    revenue = next(t for t in json.loads(kpi.stdout)["targets"] if t["key"] == "revenue_total")
    assert revenue["target"] == "1000000000000.00" and "." in revenue["current"]  # yuan with fen, not 亿

    ranked = json.loads(
        avbase(var_dir, "industry", "rank", "--group", "content", "--period", "2025", "--region", "43",
               "--limit", "5", "--json").stdout
    )  # fmt: skip
    assert ranked["region"] == "43" and [r["rank"] for r in ranked["rows"]] == [1, 2, 3, 4, 5]

    # The demo publishes 马栏山指数's 2025 bulletin: five frozen years, the cities' sub-index beside it.
    cities = json.loads(
        avbase(var_dir, "industry", "series", "--definition", "malanshan", "--level", "city", "--json").stdout
    )
    assert cities["periods"] == [2021, 2022, 2023, 2024, 2025] and len(cities["units"]) == 14
    assert all(p["frozen"] and p["version"] == 1 for u in cities["units"] for p in u["points"])
    bulletin = avbase(
        var_dir, "industry", "bulletin", "--definition", "malanshan", "--period", "2025", "--json"
    )
    assert bulletin.returncode == 0, bulletin.stderr
    assert json.loads(bulletin.stdout)["status"] == "published"

    out = tmp_path / "reports.xlsx"
    exported = avbase(
        var_dir, "industry", "export", "reports", str(out), "--year", "2025", "--region", "330106"
    )
    assert exported.returncode == 0, exported.stderr
    back = avbase(var_dir, "industry", "import", "reports", str(out), "--json")
    assert back.returncode == 0, back.stderr
    result = json.loads(back.stdout)
    assert (
        result["imported"]
        and result["rows"] > 0
        and result["created"] == result["updated"] == 0
        and result["unchanged"] == result["rows"]  # the same figures back: nothing to correct
    )

    # Another organisation's column names: guessed and shown, refused until confirmed, then saved and reused.
    from openpyxl import load_workbook

    first = next(load_workbook(out, read_only=True).active.iter_rows(min_row=2, values_only=True))
    code, period = first[0], first[3]
    county = tmp_path / "county.csv"
    county.write_text(
        f"组织机构代码,报告期,文化服务收入（万元）,更正说明\n{code},{period},1.5,县局复核\n", "utf-8"
    )
    shown = avbase(var_dir, "industry", "import", "reports", str(county), "--preview", "--json")
    assert shown.returncode == 2
    assert {c["field"]: c["match"] for c in json.loads(shown.stdout)["columns"]} == {
        "credit_code": "guessed", "period": "guessed", "revenue_services": "guessed", "note": "guessed"
    }  # fmt: skip
    saved = avbase(
        var_dir, "industry", "import", "reports", str(county), "--as", "zj.officer", "--accept-guesses",
        "--save-template", "county", "--source", "县统计局", "--json",
    )  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    assert json.loads(saved.stdout)["updated"] == 1
    county.write_text(
        f"组织机构代码,报告期,文化服务收入（万元）,更正说明\n{code},{period},2,再次复核\n", "utf-8"
    )
    reused = avbase(
        var_dir,
        "industry",
        "import",
        "reports",
        str(county),
        "--as",
        "zj.officer",
        "--template",
        "county",
        "--json",
    )
    assert reused.returncode == 0, reused.stderr
    assert json.loads(reused.stdout)["template"] == "county"

    bad = tmp_path / "bad.csv"
    bad.write_text("credit_code,period,revenue_content\n91330106MA0000000X,2025,-1\n", encoding="utf-8")
    refused = avbase(var_dir, "industry", "import", "reports", str(bad), "--json")
    assert refused.returncode == 2
    assert json.loads(refused.stdout)["errors"][0]["row"] == 2


def test_policy_quote_exits_0_3_or_2_and_prints_the_trace(var_dir: Path) -> None:
    avbase(var_dir, "policy", "load")
    measures = json.loads(avbase(var_dir, "policy", "measures", "--json").stdout)
    assert {"hn2023.4.rnd-center", "zj2024.11.key-support-list"} <= {m["id"] for m in measures}
    shown = json.loads(avbase(var_dir, "policy", "measure", "hn2023.8.training-base", "--json").stdout)
    assert shown["lead_unit"] == "省委人才办" and "30%" in shown["source"]

    base = [
        "policy",
        "quote",
        "hn2023.4.rnd-center",
        "--fact",
        "recognition_level=national",
        "--on",
        "2025-06-01",
    ]
    eligible = avbase(var_dir, *base, "--fact", "assessed_amount=6000000", "--json")
    assert eligible.returncode == 0, eligible.stderr
    result = json.loads(eligible.stdout)
    assert result["amount"] == "5000000.00" and any("5,000,000.00" in line for line in result["trace"])

    late = avbase(var_dir, *base[:-1], "2029-01-01", "--fact", "assessed_amount=1")
    assert late.returncode == 3 and "2028-12-26" in late.stdout
    negative = avbase(var_dir, *base, "--fact", "assessed_amount=-5")
    assert negative.returncode == 2 and "assessed_amount" in negative.stderr
    unknown = avbase(var_dir, *base, "--fact", "assessed_amount=1", "--fact", "colour=red")
    assert unknown.returncode == 2 and "colour" in unknown.stderr
