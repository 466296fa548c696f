"""Migration 0031 on SQLite and PostgreSQL: a listed change's done flag becomes its state (asked or done, a
reason column beside it), and each stored QC report gets the name of the profile it was checked against,
built-in or stored; the downgrade brings the flag back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from avbase.core.migrate import upgrade
from tests.conftest import downgrade_to

STAMP = "2026-11-01 00:00:00"
ROWS: dict[str, list[dict[str, Any]]] = {
    "organisations": [{"id": 1, "name": "Studio", "kind": "enterprise", "region_code": "330106",
                       "created_at": STAMP, "updated_at": STAMP}],
    "media_assets": [{"id": 1, "org_id": 1, "sha256": "ab", "file_name": "a.mp4", "size": 10, "state": "ready",
                      "title": "a", "tags": "[]", "people": "[]", "collections": "[]", "created_at": STAMP,
                      "updated_at": STAMP}],
    "review_profiles": [{"id": 1, "key": "platform-x", "params": '{"name": "某平台规范"}', "created_at": STAMP,
                         "updated_at": STAMP}],
    "review_reports": [
        {"id": 1, "asset_id": 1, "org_id": 1, "profile": "gy-t-282", "verdict": "pass", "packs": "[]",
         "created_at": STAMP},
        {"id": 2, "asset_id": 1, "org_id": 1, "profile": "platform-x", "verdict": "fail", "packs": "[]",
         "created_at": STAMP},
        {"id": 3, "asset_id": 1, "org_id": 1, "profile": "gone-before", "verdict": "fail", "packs": "[]",
         "created_at": STAMP},
    ],
    "review_works": [{"id": 1, "org_id": 1, "title": "片", "version": 2, "state": "routed", "created_at": STAMP,
                      "updated_at": STAMP}],
    "review_work_changes": [
        {"id": 1, "work_id": 1, "version": 1, "unit": "广电部门", "org_id": 1, "text": "剪短黑场", "done": True,
         "created_at": STAMP},
        {"id": 2, "work_id": 1, "version": 1, "unit": "广电部门", "org_id": 1, "text": "改字幕", "done": False,
         "created_at": STAMP},
    ],
}  # fmt: skip


def test_0031_turns_the_done_flag_into_a_state_and_names_each_report_s_profile(bare_engine: Engine) -> None:
    upgrade(bare_engine, "0030")
    with bare_engine.begin() as connection:
        for table, rows in ROWS.items():
            for values in rows:
                columns = ", ".join(f'"{name}"' for name in values)
                marks = ", ".join(f":{name}" for name in values)
                connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)  # noqa: S608
    upgrade(bare_engine)
    with bare_engine.connect() as connection:
        changes = connection.execute(
            text("SELECT id, state, note FROM review_work_changes ORDER BY id")
        ).all()
        names = connection.execute(text("SELECT id, profile_name FROM review_reports ORDER BY id")).all()
    assert [tuple(row) for row in changes] == [(1, "done", ""), (2, "asked", "")]
    assert [tuple(row) for row in names] == [(1, "GY/T 282-2014"), (2, "某平台规范"), (3, "")]
    with bare_engine.begin() as connection:
        connection.execute(
            text("UPDATE review_work_changes SET state = 'not_made', note = '无需' WHERE id = 2")
        )
    downgrade_to(bare_engine, "0030")
    with bare_engine.connect() as connection:
        done = connection.execute(text("SELECT id, done FROM review_work_changes ORDER BY id")).all()
        reports = connection.execute(text("SELECT count(*) FROM review_reports")).scalar_one()
    assert [(row[0], bool(row[1])) for row in done] == [(1, True), (2, False)]
    assert reports == 3
    upgrade(bare_engine)  # and up again
