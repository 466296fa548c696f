"""Uploads are imported by a job: a bad file fails it with a downloadable row-level report and writes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import User
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.worker import Worker
from avbase.industry.models import Enterprise, Report
from tests.conftest import login

Headers = Callable[[User], dict[str, str]]


def _run_jobs(engine: Engine) -> None:
    Worker(engine).run_until_idle()


def test_a_rejected_upload_fails_its_job_with_row_reasons_and_writes_nothing(
    client: TestClient,
    clean_engine: Engine,
    db: Session,
    officer_user: User,
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    enterprise = make_enterprise()
    db.commit()
    headers = api_token(officer_user)
    lines = [
        "统一社会信用代码,期间,视听内容生产收入,研发费用",
        f"{enterprise.credit_code},2024,100,5",
        f"{enterprise.credit_code},2025,-3,0",
    ]
    upload = ("reports.csv", "\n".join(lines).encode(), "text/csv")
    queued = client.post("/api/v1/industry/imports/reports", files={"file": upload}, headers=headers)
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["job_id"]
    _run_jobs(clean_engine)

    job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
    assert (
        job["state"] == "failed" and job["error"] == "文件未通过校验：2 行数据中有 1 处问题，未导入任何数据。"
    )
    assert db.scalar(select(func.count()).select_from(Report)) == 0  # the good row was not written either

    login(client, officer_user.username)
    report = client.get(f"/industry/imports/{job_id}/errors.csv")
    assert report.status_code == 200
    rows = list(csv.reader(io.StringIO(report.text.lstrip("\ufeff"))))
    assert rows[1][:2] == ["3", "revenue_content"]
    assert "不能为负" in rows[1][2]
    assert f"/industry/imports/{job_id}/errors.csv" in client.get(f"/jobs/{job_id}").text


def test_a_good_upload_through_the_web_form_imports_every_row(
    client: TestClient,
    clean_engine: Engine,
    db: Session,
    officer_user: User,
    make_enterprise: Callable[..., Enterprise],
) -> None:
    a, b = make_enterprise(), make_enterprise()
    db.commit()
    csrf = login(client, officer_user.username)
    body = f"credit_code,period,revenue_services\n{a.credit_code},2025-Q1,10\n{b.credit_code},2025-03,20\n"
    response = client.post(
        "/industry/imports",
        data={"kind": "reports", "csrf_token": csrf},
        files={"file": ("q1.csv", body.encode("gb18030"), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/jobs/")
    _run_jobs(clean_engine)
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert job is not None and job.state is JobState.succeeded
    assert (job.result or {})["rows"] == 2
    assert db.scalar(select(func.count()).select_from(Report)) == 2
    assert "q1.csv" in client.get("/industry/imports").text


def test_an_upload_is_checked_by_its_bytes_not_its_name(
    client: TestClient, officer_user: User, api_token: Headers
) -> None:
    headers = {**api_token(officer_user), "Accept-Language": "en"}
    fake = ("data.xlsx", b"not a zip at all", "application/octet-stream")
    refused = client.post("/api/v1/industry/imports/reports", files={"file": fake}, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {"field": "file", "message": "The file is not an Excel workbook."}
    empty = client.post(
        "/api/v1/industry/imports/parks", files={"file": ("p.csv", b"", "text/csv")}, headers=headers
    )
    assert empty.status_code == 400
    unknown = client.post(
        "/api/v1/industry/imports/cats", files={"file": ("p.csv", b"a", "text/csv")}, headers=headers
    )
    assert unknown.status_code == 422
