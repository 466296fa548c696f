"""Exports cannot carry formulas: what a user typed stays text in every Excel and CSV file avbase writes."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from avbase.core.accounts.models import Role, User
from avbase.core.jobs.worker import Worker
from avbase.industry.exports import ranking_workbook
from avbase.industry.imports import errors_csv
from avbase.industry.ranking import RankRow
from avbase.policy.exports import award_workbook
from avbase.policy.reports import AwardRow
from avbase.settings import get_settings
from tests.conftest import csrf_from, login

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def _texts(body: bytes) -> list[tuple[object, str]]:
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [
        (cell.value, cell.data_type) for row in sheet.iter_rows() for cell in row if cell.value is not None
    ]


@pytest.mark.parametrize("name", HOSTILE)
def test_excel_exports_store_formula_like_text_as_text(name: str) -> None:
    ranking = ranking_workbook(f"赛马 {name}", [RankRow(1, name, 9.5, 1, None)], [])
    awards = award_workbook(2025, "measure", [AwardRow(key=name, name=name)])
    for body in (ranking, awards):
        cells = _texts(body)
        assert all(kind != "f" for _value, kind in cells)  # no formula anywhere
        assert (name.replace("\r", "\n"), "s") in cells  # the text itself (XML keeps no carriage return)


def test_csv_exports_write_formula_like_text_with_a_leading_apostrophe() -> None:
    rows = list(
        csv.reader(io.StringIO(errors_csv([{"row": 2, "column": "name", "reason": "=1+1"}]).lstrip("\ufeff")))
    )
    assert rows[1] == ["2", "name", "'=1+1"]


def test_the_audit_export_does_not_turn_a_failed_login_name_into_a_formula(
    client: TestClient, clean_engine: Engine, make_user: Callable[..., User]
) -> None:
    admin = make_user(role=Role.admin)
    page = client.get("/login")
    client.post("/login", data={"username": "=1+1", "password": "x", "csrf_token": csrf_from(page.text)})
    csrf = login(client, admin.username)
    queued = client.post("/audit/export", data={"csrf_token": csrf}, follow_redirects=False)
    assert queued.status_code == 303
    Worker(clean_engine).run_until_idle()
    job_id = int(queued.headers["location"].rsplit("/", 1)[1])
    text = (get_settings().var_dir / "exports" / f"audit-{job_id}.csv").read_text(encoding="utf-8-sig")
    failed = [row for row in csv.reader(io.StringIO(text)) if row[4] == "login_failed"]
    assert failed and failed[0][9] == "'=1+1" and not any(cell.startswith("=") for cell in failed[0])
