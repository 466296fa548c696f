"""Productions: companies, the stripboard filled from a breakdown, day-out-of-days, call sheets, and tasks
between companies with dependencies; the pages allowed to members and refused to others."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.chain.production import service
from avbase.chain.production.models import TaskStatus
from avbase.chain.scripts.breakdown import breakdown_file
from avbase.core.accounts.models import Organisation, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import Conflict, Forbidden, NotFound
from tests.conftest import csrf_from, login
from tests.industry.test_raw_codes import scan

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture
def crew(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> dict[str, User]:
    return {
        "lead": make_user("lead", org=make_org("春江影业")),
        "vfx": make_user("vfx", org=make_org("马栏山视效")),
        "stranger": make_user("stranger", org=make_org("无关公司")),
    }


def board_numbers(db: Session, who: Principal, production_id: int) -> tuple[list[list[str]], list[str]]:
    board, pool = service.stripboard(db, who, production_id)
    return [[s.number for s in b.scenes] for b in board], [s.number for s in pool.scenes]


def test_stripboard_from_a_breakdown_and_day_out_of_days(db: Session, crew: dict[str, User]) -> None:
    lead = Principal.of(crew["lead"])
    production = service.create_production(db, lead, title="江边", industry_project_id=7, rights_work_id=12)
    assert service.load_breakdown(db, lead, production.id, breakdown_file(SCRIPTS / "river_dash.txt")) == 4
    one, two = service.add_day(db, lead, production.id), service.add_day(db, lead, production.id)
    scenes = {s.number: s for s in service.stripboard(db, lead, production.id)[1].scenes}
    service.move_scene(db, lead, production.id, scenes["1-1"].id, one.id, 0)
    service.move_scene(db, lead, production.id, scenes["1-3"].id, one.id, 0)  # before 1-1
    service.move_scene(db, lead, production.id, scenes["1-2"].id, two.id, 5)  # past the end: last
    assert board_numbers(db, lead, production.id) == ([["1-3", "1-1"], ["1-2"]], ["1-4"])
    service.move_scene(db, lead, production.id, scenes["1-1"].id, None, 0)
    assert board_numbers(db, lead, production.id) == ([["1-3"], ["1-2"]], ["1-1", "1-4"])
    service.move_scene(db, lead, production.id, scenes["1-1"].id, two.id, 1)
    board, _pool = service.stripboard(db, lead, production.id)
    rows = {row["character"]: row["codes"] for row in service.day_out_of_days(board)}
    # Day 1: 1-3 (陈默, 林秋). Day 2: 1-2 (林秋, 林母), 1-1 (林秋, 陈默, 老周).
    assert rows == {"林秋": ["SW", "WF"], "陈默": ["SW", "WF"], "林母": ["", "SWF"], "老周": ["", "SWF"]}
    assert (
        service.strip_colour(scenes["1-2"]) == "night-int"
        and service.strip_colour(scenes["1-1"]) == "day-ext"
    )
    sheet = service.call_sheet(db, lead, production.id, two.id)
    assert sheet["characters"] == ["林秋", "林母", "陈默", "老周"] and sheet["locations"] == [
        "林家堂屋",
        "江边码头",
    ]


def test_members_see_the_production_and_only_the_lead_changes_it(db: Session, crew: dict[str, User]) -> None:
    lead, vfx, stranger = (Principal.of(crew[k]) for k in ("lead", "vfx", "stranger"))
    production = service.create_production(db, lead, title="都市夜归人")
    with pytest.raises(NotFound):
        service.get_production(db, vfx, production.id)
    service.add_company(db, lead, production.id, vfx.org_id, "视效")
    assert service.get_production(db, vfx, production.id).title == "都市夜归人"
    assert [p.id for p in service.visible_productions(db, stranger)] == []
    with pytest.raises(Forbidden):
        service.add_day(db, vfx, production.id)
    with pytest.raises(Conflict):
        service.add_company(db, lead, production.id, vfx.org_id, "again")


def test_tasks_between_companies_wait_for_their_dependencies(db: Session, crew: dict[str, User]) -> None:
    lead, vfx, stranger = (Principal.of(crew[k]) for k in ("lead", "vfx", "stranger"))
    production = service.create_production(db, lead, title="实验室的灯")
    service.add_company(db, lead, production.id, vfx.org_id, "视效")
    plates = service.create_task(db, lead, production.id, title="交付素材", org_id=lead.org_id)
    shots = service.create_task(
        db, lead, production.id, title="视效镜头 40 个", org_id=vfx.org_id, depends_on=[plates.id]
    )
    with pytest.raises(Conflict) as waiting:
        service.set_task_status(db, vfx, shots.id, TaskStatus.in_progress)
    assert waiting.value.params == {"title": "交付素材"}
    with pytest.raises(Forbidden):
        service.set_task_status(db, vfx, plates.id, TaskStatus.done)  # not its task
    service.set_task_status(db, lead, plates.id, TaskStatus.done)
    assert service.set_task_status(db, vfx, shots.id, TaskStatus.in_progress).status is TaskStatus.in_progress
    with pytest.raises(NotFound):
        service.set_task_status(db, stranger, shots.id, TaskStatus.done)
    with pytest.raises(Exception, match="company on the production"):
        service.create_task(db, lead, production.id, title="x", org_id=stranger.org_id)


def test_stripboard_pages_move_without_javascript_and_call_sheet_pdf(
    client: TestClient, db: Session, crew: dict[str, User]
) -> None:
    lead = Principal.of(crew["lead"])
    production = service.create_production(db, lead, title="村口")
    service.load_breakdown(db, lead, production.id, breakdown_file(SCRIPTS / "village_changjing.txt"))
    day = service.add_day(db, lead, production.id)
    db.commit()
    scene_id = service.stripboard(db, lead, production.id)[1].scenes[0].id
    login(client, "stranger")
    assert client.get(f"/productions/{production.id}/stripboard").status_code == 404
    client.cookies.clear()
    login(client, "lead")
    page = client.get(f"/productions/{production.id}/stripboard")
    assert page.status_code == 200 and page.text.count('data-testid="strip"') == 3
    assert "strip-day-ext" in page.text and "/static/stripboard.js" in page.text
    moved = client.post(
        f"/productions/{production.id}/stripboard/move",
        data={"scene_id": scene_id, "day_id": day.id, "position": 0, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    db.expire_all()
    assert board_numbers(db, lead, production.id)[0] == [["1"]]
    pdf = client.get(f"/productions/{production.id}/days/{day.id}/callsheet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "村口大榕树下" in text and "阿婆" in text
    dood = client.get(f"/productions/{production.id}/dood")
    assert dood.status_code == 200 and "SWF" in dood.text
    pages = ["/productions", f"/productions/{production.id}", f"/productions/{production.id}/stripboard"]
    assert scan(client, [*pages, f"/productions/{production.id}/dood"]) == {}
