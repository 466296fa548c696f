"""Contest pages, REST routes and the CLI: allowed and refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.db import make_engine
from avbase.core.jobs.worker import Worker
from avbase.core.migrate import upgrade
from tests.conftest import login, run_cli

TRUTH = {"videos": {name: {"fps": 25, "cuts": [1.0, 2.0]} for name in ("a", "b", "c", "d")}}
GOOD = {"videos": {name: {"cuts": [1.0, 2.0]} for name in ("a", "b", "c", "d")}}


def files(name: str, data: object) -> dict[str, tuple[str, bytes, str]]:
    return {name: (f"{name}.json", json.dumps(data).encode(), "application/json")}


def test_an_officer_creates_a_contest_and_a_creator_submits_and_watches_it_scored(
    client: TestClient,
    clean_engine: Engine,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
) -> None:
    authority = make_org(kind=OrgKind.authority, region_code="430000")
    officer = make_user("officer", role=Role.authority_officer, org=authority)
    creator = make_user("creator", role=Role.creator)
    csrf = login(client, creator.username)
    assert "/ecosystem/contests" in client.get("/").text  # the creator's menu offers contests
    form = {"csrf_token": csrf, "title": "X", "metric": "shot-f1", "public_share": "0.5", "daily_limit": "3"}
    refused = client.post("/ecosystem/contests", data=form, files=files("truth", TRUTH))
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": csrf})

    csrf = login(client, officer.username)
    page = client.get("/ecosystem/contests")
    assert 'name="truth"' in page.text
    bad = client.post(
        "/ecosystem/contests",
        data={**form, "csrf_token": csrf, "title": "马栏山杯"},
        files=files("truth", {"videos": {"a": {"cuts": []}}}),
    )
    assert bad.status_code == 422 and "videos[&#34;a&#34;].fps" in bad.text
    made = client.post(
        "/ecosystem/contests",
        data={**form, "csrf_token": csrf, "title": "马栏山杯"},
        files=files("truth", TRUTH),
        follow_redirects=False,
    )
    assert made.status_code == 303
    contest_path = made.headers["location"]
    client.post("/logout", data={"csrf_token": csrf})

    csrf = login(client, creator.username)
    task_page = client.get(contest_path)
    assert (
        "马栏山杯" in task_page.text
        and 'id="submit-form"' in task_page.text
        and "Close the contest" not in task_page.text
    )
    malformed = client.post(
        f"{contest_path}/submit",
        data={"csrf_token": csrf},
        files=files("file", {"videos": {"zz": {"cuts": []}}}),
    )
    assert malformed.status_code == 422 and "videos[&#34;zz&#34;]" in malformed.text
    sent = client.post(
        f"{contest_path}/submit", data={"csrf_token": csrf}, files=files("file", GOOD), follow_redirects=False
    )
    assert sent.status_code == 303
    submission_path = sent.headers["location"]
    scoring = client.get(submission_path, headers={"hx-request": "true"})
    assert 'data-state="scoring"' in scoring.text and 'hx-trigger="every 1s"' in scoring.text
    Worker(clean_engine).run_until_idle()
    scored = client.get(submission_path, headers={"hx-request": "true"})
    assert 'data-state="scored"' in scored.text and "hx-trigger" not in scored.text
    assert "1.0000" in scored.text
    board = client.get(f"{contest_path}/leaderboard")
    assert "Test User" in board.text and "1.0000" in board.text
    assert client.get(f"{contest_path}/leaderboard?private=true").status_code == 409
    assert client.post(f"{contest_path}/close", data={"csrf_token": csrf}).status_code == 403


def test_the_rest_api_scores_refuses_and_hides_other_peoples_submissions(
    client: TestClient,
    clean_engine: Engine,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    officer = api_token(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    creator, other = api_token(make_user(role=Role.creator)), api_token(make_user(role=Role.enterprise_staff))
    base = "/api/v1/ecosystem/contests"
    form = {"title": "马栏山杯", "metric": "shot-f1", "public_share": "0.5", "daily_limit": "1"}
    assert client.post(base, data=form, files=files("truth", TRUTH), headers=creator).status_code == 403
    made = client.post(base, data=form, files=files("truth", TRUTH), headers=officer)
    assert made.status_code == 201, made.text
    contest = made.json()["id"]
    malformed = client.post(
        f"{base}/{contest}/submissions",
        files=files("file", {"videos": {"a": {"cuts": [-1]}}}),
        headers=creator,
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == 'videos["a"].cuts[0]'
    sent = client.post(f"{base}/{contest}/submissions", files=files("file", GOOD), headers=creator)
    assert sent.status_code == 202 and sent.json()["state"] == "scoring"
    limited = client.post(f"{base}/{contest}/submissions", files=files("file", GOOD), headers=creator)
    assert limited.status_code == 429 and limited.json()["errors"][0]["field"] == "file"
    Worker(clean_engine).run_until_idle()
    submission = f"/api/v1/ecosystem/submissions/{sent.json()['id']}"
    mine = client.get(submission, headers=creator).json()
    assert mine["state"] == "scored" and mine["public_score"] == 1.0 and mine["private_score"] is None
    assert client.get(submission, headers=other).status_code == 404
    assert client.get(f"{base}/{contest}/leaderboard?private=true", headers=creator).status_code == 409
    assert client.get(f"{base}/{contest}/failures", headers=creator).status_code == 403
    assert client.post(f"{base}/{contest}/close", headers=officer).status_code == 200
    final = client.get(f"{base}/{contest}/leaderboard?private=true", headers=creator).json()
    assert [(row["rank"], row["score"]) for row in final["rows"]] == [(1, 1.0)]


def test_the_cli_creates_submits_closes_and_prints_the_boards(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    engine = make_engine(f"sqlite:///{var / 'avbase.db'}")
    upgrade(engine)  # in this process: each `avbase` run below is a process of its own
    engine.dispose()
    truth, good, bad = tmp_path / "truth.json", tmp_path / "good.json", tmp_path / "bad.json"
    truth.write_text(json.dumps(TRUTH))
    good.write_text(json.dumps(GOOD))
    bad.write_text('{"videos": {"a": {"cuts": "soon"}}}')
    made = run_cli(var, "contest", "create", "--title", "T", "--metric", "shot-f1", "--truth", str(truth),
                   "--public-share", "0.5", "--daily-limit", "1", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    contest = str(json.loads(made.stdout)["id"])
    refused = run_cli(var, "contest", "submit", contest, str(bad), "--json")
    assert refused.returncode == 2 and 'videos["a"].cuts' in refused.stderr
    sent = run_cli(var, "contest", "submit", contest, str(good), "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["public_score"] == 1.0
    limited = run_cli(var, "contest", "submit", contest, str(good), "--json")
    assert limited.returncode == 2 and "daily limit" in limited.stderr
    board = json.loads(run_cli(var, "contest", "leaderboard", contest, "--json").stdout)
    assert [(row["rank"], row["participant"], row["score"]) for row in board["rows"]] == [
        (1, "operator", 1.0)
    ]
    assert run_cli(var, "contest", "close", contest).returncode == 0
    final = json.loads(run_cli(var, "contest", "leaderboard", contest, "--private", "--json").stdout)
    assert final["rows"][0]["score"] == 1.0
