"""Code submissions: ``predict`` run on a task's hidden inputs in a limited subprocess, its output scored
exactly like a prediction file; the participant's failures (timeout, memory, exception, bad output) use a
try and say why; code that does not compile is refused and uses none."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.db import make_engine
from avbase.core.jobs.worker import Worker
from avbase.core.migrate import upgrade
from avbase.ecosystem import contests, sandbox
from avbase.ecosystem.metrics import Malformed
from avbase.ecosystem.models import Contest, Submission
from avbase.settings import get_settings
from tests.conftest import login, run_cli
from tests.ecosystem.test_contests import TRUTH, as_bytes, cuts, make_contest, officer, person

__all__ = ["officer"]  # the fixture, shared

# What the participants' code sees: the test videos, each with a hint where its cut is (a stand-in for media).
INPUTS = {"videos": {name: {"fps": 25, "hint": 1.0} for name in "abcd"}}
FAST = sandbox.Limits(seconds=2, memory_bytes=256 << 20)
CORRECT = b"""
def predict(inputs):
    return {"videos": {name: {"cuts": [video["hint"]]} for name, video in inputs["videos"].items()}}
"""


@pytest.fixture(autouse=True)
def short_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "contest_code_seconds", 2.0)
    monkeypatch.setattr(get_settings(), "contest_code_memory_mb", 256)


def code_contest(db: Session, officer: Principal, *, limit: int = 3) -> Contest:
    contest = contests.create_contest(
        db, officer, title="马栏山杯 代码赛", metric="shot-f1", truth=as_bytes(TRUTH), truth_name="truth.json",
        public_share=0.5, daily_limit=limit, inputs=as_bytes(INPUTS), inputs_name="inputs.json",
    )  # fmt: skip
    db.commit()
    return contest


def run(source: bytes, inputs: object = INPUTS) -> sandbox.Outcome:
    files = sandbox.read_code(source, "main.py")
    return sandbox.run_predict(files, as_bytes(inputs), FAST, denied=[get_settings().var_dir])


# --- the runner alone ---------------------------------------------------------------------------------


def test_predict_gets_the_inputs_and_its_prints_stay_out_of_the_predictions() -> None:
    outcome = run(b"def predict(inputs):\n    print('thinking')\n    return {'n': len(inputs['videos'])}\n")
    assert outcome.reason is None and outcome.predictions == {"n": 4}


def test_an_endless_loop_is_stopped_by_the_time_limit() -> None:
    assert run(b"def predict(inputs):\n    while True:\n        pass\n").reason == "timeout"
    assert run(b"import time\ndef predict(inputs):\n    time.sleep(60)\n").reason == "timeout"


def test_a_memory_hog_is_stopped_by_the_memory_limit() -> None:
    outcome = run(b"def predict(inputs):\n    hog = bytearray(1 << 30)\n    return {}\n")
    assert outcome.reason == "memory" and "line 2" in outcome.detail


def test_the_network_new_processes_and_files_outside_the_run_are_refused_in_the_child() -> None:
    for source in (
        b"import socket\ndef predict(inputs):\n    socket.socket()\n",
        b"import socket\ndef predict(inputs):\n    socket.create_connection(('127.0.0.1', 80))\n",
        b"import _socket\ndef predict(inputs):\n    _socket.socket()\n",
    ):
        outcome = run(source)
        assert outcome.reason == "error" and outcome.detail.startswith("PermissionError"), outcome
    spawn = run(b"import subprocess\ndef predict(inputs):\n    subprocess.run(['true'])\n")
    assert spawn.reason == "error" and "PermissionError" in spawn.detail
    store = get_settings().store_dir
    store.mkdir(parents=True, exist_ok=True)
    (store / "secret").write_text("the truth")
    peek = run(f"def predict(inputs):\n    return open({str(store / 'secret')!r}).read()\n".encode())
    assert peek.reason == "error" and "PermissionError" in peek.detail
    write = run(b"def predict(inputs):\n    open('scratch', 'w').write('x')\n")
    assert write.reason == "error" and "PermissionError" in write.detail  # read-only: nothing to load later
    environment = run(b"import os\ndef predict(inputs):\n    return sorted(os.environ)\n")
    assert environment.predictions is not None
    assert not [
        name for name in environment.predictions if name.startswith("AVBASE") or "PROXY" in name.upper()
    ]


def test_a_runner_that_breaks_before_the_code_starts_is_ours() -> None:
    with pytest.raises(sandbox.RunnerBroken):
        sandbox.run_predict(sandbox.read_code(CORRECT, "main.py"), b"not json", FAST, denied=[])


def test_output_beyond_the_cap_is_stopped() -> None:
    flood = run(b"def predict(inputs):\n    for _ in range(80):\n        print('x' * (1 << 20))\n")
    assert flood.reason == "output" and "MB" in flood.detail


def test_an_exception_shows_its_last_line_and_where_and_output_that_is_not_json_is_named() -> None:
    crash = run(b"def predict(inputs):\n    return 1 / 0\n")
    assert crash.reason == "error" and crash.detail == "ZeroDivisionError: division by zero (main.py, line 2)"
    assert run(b"def predict(inputs):\n    return {1, 2}\n").reason == "error"  # a set is not JSON


def test_code_that_does_not_compile_or_has_no_predict_is_malformed() -> None:
    with pytest.raises(Malformed) as refused:
        sandbox.read_code(b"def predict(inputs):\n    return {\n\nx = 1\n", "main.py")
    assert refused.value.field == "main.py" and refused.value.params["line"] == 2
    with pytest.raises(Malformed):
        sandbox.read_code(b"def guess(inputs):\n    return {}\n", "main.py")
    with pytest.raises(Malformed):
        sandbox.read_code(b"not a zip", "code.zip")


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_with_main_py_imports_its_own_modules() -> None:
    files = sandbox.read_code(
        zipped({"main.py": b"from helper import cut\ndef predict(inputs):\n    return cut()\n",
                "helper.py": b"def cut():\n    return {'cuts': [1.0]}\n"}),
        "code.zip",
    )  # fmt: skip
    assert sandbox.run_predict(files, b"{}", FAST, denied=[]).predictions == {"cuts": [1.0]}
    with pytest.raises(Malformed) as refused:
        sandbox.read_code(zipped({"main.py": CORRECT, "helper.py": b"def (:\n"}), "code.zip")
    assert refused.value.field == "helper.py"
    with pytest.raises(Malformed):
        sandbox.read_code(zipped({"../main.py": CORRECT}), "code.zip")
    with pytest.raises(Malformed) as native:  # it would run beneath the Python-level guard
        sandbox.read_code(zipped({"main.py": CORRECT, "data.bin": b"\x7fELF\x02\x01"}), "code.zip")
    assert native.value.params["name"] == "data.bin"


# --- in a contest -------------------------------------------------------------------------------------


def test_a_correct_predict_scores_exactly_like_the_same_prediction_file(
    db: Session, clean_engine: Engine, officer: Principal, make_user: Callable[..., User]
) -> None:
    contest = code_contest(db, officer)
    assert contest.tasks[0].accepts_code
    creator = person(make_user)
    by_code = contests.submit(db, creator, contest.id, data=CORRECT, file_name="main.py")
    by_file = contests.submit(
        db, creator, contest.id, data=cuts({name: [1.0] for name in "abcd"}), file_name="p.json"
    )
    db.commit()
    Worker(clean_engine).run_until_idle()
    db.expire_all()
    assert by_code.code and not by_file.code
    assert contests.state_of(db, by_code) == "scored"
    assert (by_code.public_score, by_code.private_score, by_code.details) == (
        by_file.public_score, by_file.private_score, by_file.details,
    )  # fmt: skip
    assert by_code.public_score == 1.0


def test_the_participants_failures_use_a_try_and_say_why_and_a_syntax_error_uses_none(
    db: Session, clean_engine: Engine, officer: Principal, make_user: Callable[..., User]
) -> None:
    contest = code_contest(db, officer, limit=3)
    task = contest.tasks[0]
    creator = person(make_user)
    with pytest.raises(Malformed) as refused:
        contests.submit(db, creator, contest.id, data=b"def predict(inputs)\n    pass\n", file_name="main.py")
    assert refused.value.params["line"] == 1
    db.rollback()
    assert db.scalar(select(func.count(Submission.id))) == 0
    crash = contests.submit(
        db, creator, contest.id, data=b"def predict(inputs):\n    raise KeyError('x')\n", file_name="main.py"
    )
    # Runs, but its output names a video that is not in the test set: refused like such a file would be.
    wrong = contests.submit(
        db, creator, contest.id, data=b"def predict(inputs):\n    return {'videos': {'z': {'cuts': []}}}\n",
        file_name="main.py",
    )  # fmt: skip
    db.commit()
    Worker(clean_engine).run_until_idle()
    db.expire_all()
    assert contests.state_of(db, crash) == "code_failed" and crash.public_score is None
    assert crash.failure == {"reason": "error", "detail": "KeyError: 'x' (main.py, line 2)"}
    assert wrong.failure is not None and wrong.failure["reason"] == "output"
    assert wrong.failure["params"]["field"] == 'videos["z"]'
    assert contests.tries_today(db, task, f"user:{creator.user_id}") == 2  # both used a try
    assert contests.leaderboard(db, contest) == []
    assert contests.failures(db, officer, contest) == []  # not a failure of ours


def test_a_broken_run_of_ours_is_retried_and_uses_no_try(
    db: Session, clean_engine: Engine, officer: Principal, make_user: Callable[..., User]
) -> None:
    contest = code_contest(db, officer, limit=1)
    task = contest.tasks[0]
    creator = person(make_user)
    submission = contests.submit(db, creator, contest.id, data=CORRECT, file_name="main.py")
    db.commit()
    assert task.inputs_sha256 is not None
    inputs = storage.path_of(task.inputs_sha256)
    kept = inputs.read_bytes()
    inputs.write_bytes(b"damaged")  # the runner cannot read them: every attempt fails before the code runs
    try:
        Worker(clean_engine).run_until_idle()
    finally:
        inputs.write_bytes(kept)
    db.expire_all()
    assert contests.state_of(db, submission) == "failed" and submission.failure is None
    assert contests.tries_today(db, task, f"user:{creator.user_id}") == 0
    assert [s.id for s, _ in contests.failures(db, officer, contest)] == [submission.id]


def test_code_is_refused_where_the_task_has_no_inputs_and_inputs_must_match_the_truth(
    db: Session, officer: Principal, make_user: Callable[..., User]
) -> None:
    plain = make_contest(db, officer)
    assert not plain.tasks[0].accepts_code
    with pytest.raises(Malformed):
        contests.submit(db, person(make_user), plain.id, data=CORRECT, file_name="main.py")
    db.rollback()
    short = {"videos": {name: {} for name in "abc"}}
    with pytest.raises(Malformed) as refused:
        contests.create_contest(
            db, officer, title="t", metric="shot-f1", truth=as_bytes(TRUTH), truth_name="truth.json",
            public_share=0.5, daily_limit=3, inputs=json.dumps(short).encode(),
        )  # fmt: skip
    assert refused.value.field == 'inputs.videos["d"]'


# --- pages, REST and the command line -----------------------------------------------------------------


def upload(name: str, file_name: str, data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {name: (file_name, data, "application/octet-stream")}


def test_pages_and_rest_take_inputs_and_code_and_show_the_participant_why_their_code_failed(
    client: TestClient,
    clean_engine: Engine,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    officer = make_user("officer", role=Role.authority_officer, org=make_org(kind=OrgKind.authority))
    creator = make_user("creator", role=Role.creator)
    csrf = login(client, officer.username)
    form = {
        "csrf_token": csrf,
        "title": "代码赛",
        "metric": "shot-f1",
        "public_share": "0.5",
        "daily_limit": "3",
    }
    bad_inputs = client.post(
        "/ecosystem/contests", data=form,
        files={**upload("truth", "truth.json", as_bytes(TRUTH)), **upload("inputs", "in.json", b'{"videos": {}}')},
    )  # fmt: skip
    assert bad_inputs.status_code == 422 and "inputs.videos" in bad_inputs.text
    made = client.post(
        "/ecosystem/contests", data=form, follow_redirects=False,
        files={**upload("truth", "truth.json", as_bytes(TRUTH)), **upload("inputs", "in.json", as_bytes(INPUTS))},
    )  # fmt: skip
    assert made.status_code == 303
    contest_path = made.headers["location"]
    client.post("/logout", data={"csrf_token": csrf})

    csrf = login(client, creator.username)
    page = client.get(contest_path)
    assert (
        'id="code-contract"' in page.text and "定义 predict(inputs)" in page.text and ".py,.zip" in page.text
    )
    syntax = client.post(
        f"{contest_path}/submit",
        data={"csrf_token": csrf},
        files=upload("file", "main.py", b"def predict(:\n"),
    )
    assert syntax.status_code == 422 and "main.py：第 1 行有错误" in syntax.text
    sent = client.post(
        f"{contest_path}/submit", data={"csrf_token": csrf}, follow_redirects=False,
        files=upload("file", "main.py", b"def predict(inputs):\n    return inputs['nothing']\n"),
    )  # fmt: skip
    assert sent.status_code == 303
    Worker(clean_engine).run_until_idle()
    shown = client.get(sent.headers["location"], headers={"hx-request": "true"})
    assert 'data-state="code_failed"' in shown.text and 'id="code-failure"' in shown.text
    assert "KeyError: &#39;nothing&#39; (main.py, line 2)" in shown.text

    contest_id = int(contest_path.rsplit("/", 1)[1])
    headers = api_token(creator)
    base = f"/api/v1/ecosystem/contests/{contest_id}"
    assert client.get(base, headers=headers).json()["tasks"][0]["accepts_code"] is True
    posted = client.post(f"{base}/submissions", files=upload("file", "main.py", CORRECT), headers=headers)
    assert posted.status_code == 202 and posted.json()["code"] is True
    Worker(clean_engine).run_until_idle()
    scored = client.get(f"/api/v1/ecosystem/submissions/{posted.json()['id']}", headers=headers).json()
    assert scored["state"] == "scored" and scored["public_score"] == 1.0 and scored["failure"] is None
    outsider = api_token(make_user(role=Role.creator))
    assert (
        client.get(f"/api/v1/ecosystem/submissions/{posted.json()['id']}", headers=outsider).status_code
        == 404
    )


def test_the_cli_creates_a_code_task_and_runs_a_submission(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    engine = make_engine(f"sqlite:///{var / 'avbase.db'}")
    upgrade(engine)
    engine.dispose()
    truth, inputs, code, crash = (
        tmp_path / name for name in ("truth.json", "inputs.json", "main.py", "crash.py")
    )
    truth.write_bytes(as_bytes(TRUTH))
    inputs.write_bytes(as_bytes(INPUTS))
    code.write_bytes(CORRECT)
    crash.write_bytes(b"def predict(inputs):\n    return 1 / 0\n")
    made = run_cli(var, "contest", "create", "--title", "T", "--metric", "shot-f1", "--truth", str(truth),
                   "--inputs", str(inputs), "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    contest = str(json.loads(made.stdout)["id"])
    sent = run_cli(var, "contest", "submit", contest, str(code), "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["public_score"] == 1.0
    failed = run_cli(var, "contest", "submit", contest, str(crash), "--json")
    assert failed.returncode == 2 and "ZeroDivisionError: division by zero (main.py, line 2)" in failed.stderr
