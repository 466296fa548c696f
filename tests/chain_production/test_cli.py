"""``avbase scripts …`` and ``avbase resources …`` as an operator runs them: real processes against one
freshly initialised SQLite database (initialised once for the module: each process start is the slow part)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from avbase.core.storage import sha256_of
from tests.conftest import init_with_studio, run_cli

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chain-cli")
    init_with_studio(path)
    return path


def test_breakdown_json(var_dir: Path) -> None:
    done = run_cli(var_dir, "scripts", "breakdown", str(SCRIPTS / "river_dash.txt"), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    first = result["scenes"][0]
    assert {k: first[k] for k in ("number", "time", "setting", "location", "characters")} == {
        "number": "1-1", "time": "day", "setting": "ext", "location": "江边码头", "characters": ["林秋", "陈默", "老周"],
    }  # fmt: skip
    assert result["characters"][:2] == ["林秋", "陈默"]


def test_book_exits_2_naming_the_booking_in_the_way(var_dir: Path) -> None:
    added = run_cli(
        var_dir, "resources", "add", "--kind", "studio", "--name", "横店 LED 棚", "--region", "330783",
        "--day-rate", "15000", "--details", '{"led_volume": true}', "--org", "Studio", "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    resource_id = json.loads(added.stdout)["id"]
    book = [
        "resources",
        "book",
        str(resource_id),
        "--from",
        "2027-01-05",
        "--to",
        "2027-01-09",
        "--org",
        "Studio",
    ]
    first = run_cli(var_dir, *book, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["starts_on"] == "2027-01-05"
    taken = run_cli(var_dir, *book, "--json")
    assert taken.returncode == 2
    assert "taken from 2027-01-05 to 2027-01-09" in taken.stderr and taken.stdout == ""
    search = ["resources", "search", "--kind", "studio", "--region", "33", "--json"]
    free = json.loads(run_cli(var_dir, *search, "--from", "2027-01-10", "--to", "2027-01-11").stdout)
    assert [r["name"] for r in free["resources"]] == ["横店 LED 棚"] and free["more"] is False


def test_register_prints_the_sha256_and_verify_exits_3_when_changed(var_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "river.txt"
    shutil.copyfile(SCRIPTS / "river_dash.txt", copy)
    done = run_cli(var_dir, "scripts", "register", str(copy), "--title", "江边", "--org", "Studio", "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["sha256"] == sha256_of(copy) and shown["deposited_at"]
    # The deposit certificate is the rights registry's one (one mechanism for works and scripts).
    assert shown["certificate"]["certificate"]["files"][0]["sha256"] == shown["sha256"]
    same = run_cli(var_dir, "scripts", "verify", str(copy), "--id", str(shown["id"]), "--json")
    assert same.returncode == 0 and json.loads(same.stdout)["unchanged"] is True
    copy.write_text(copy.read_text("utf-8").replace("今天的鱼不多", "今天的鱼很多"), "utf-8")
    changed = run_cli(var_dir, "scripts", "verify", str(copy), "--id", str(shown["id"]))
    assert changed.returncode == 3
