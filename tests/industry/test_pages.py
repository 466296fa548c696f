"""Industry web pages: monitoring, registry, report filing, index, ranking, parks and projects."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role, User
from avbase.industry.models import Enterprise, Report
from tests.conftest import login

ON = date(2026, 11, 22)


def test_every_industry_page_renders_for_an_officer_in_both_languages(
    client: TestClient, officer_user: User, province: dict[str, int]
) -> None:
    login(client, officer_user.username)
    pages = {
        "/industry": "视听内容生产集群营业收入",
        "/industry?by=park": "之江基地",
        "/industry?by=county&region=3301": "西湖区",
        "/industry/enterprises": "之江影业",
        f"/industry/enterprises/{province['a']}": "重点支持清单",
        f"/industry/enterprises/{province['a']}/report": "视听内容生产收入",
        "/industry/imports": "上传并预览",
        "/industry/index": "杭州市",
        "/industry/index?definition=zj-park": "之江基地",
        "/industry/rankings": "之江影业",
        "/industry/rankings?scheme=saima-product": "赛马",
        "/industry/parks": "之江基地",
        f"/industry/parks/{province['park']}": "之江影业",
        "/industry/projects": "超高清制播中心",
        f"/industry/projects/{province['project']}": "已逾期",
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert expected in response.text, path
    for path in pages:
        english_path = path + ("&" if "?" in path else "?") + "lang=en"
        assert client.get(english_path).status_code == 200, english_path
    english = client.get("/industry?lang=en").text
    assert "Industry monitoring" in english and "Targets met" in english
    # Raw indicator values read as people write them: no scientific notation, ratios as percentages.
    explained = client.get("/industry/index").text
    assert not re.search(r"\d\.?\d*e[+-]\d\d", explained) and "亿元" in explained and " %" in explained
    # A group that is not one of the scheme's (here, not a cluster) is the caller's mistake, not a 500.
    for path in ("/industry/rankings?group=enterprise", "/industry/rankings/export.xlsx?group=enterprise"):
        assert client.get(path).status_code == 400, path
    # A record's own page names its region from the province down; lists keep the county alone.
    for path in (f"/industry/enterprises/{province['a']}", f"/industry/parks/{province['park']}",
                 f"/industry/projects/{province['project']}"):  # fmt: skip
        assert "浙江省杭州市西湖区" in client.get(path).text, path
        assert "Zhejiang · Hangzhou · " in client.get(path + "?lang=en").text, path


def test_the_sidebar_marks_only_the_most_specific_entry(
    client: TestClient, officer_user: User, province: dict[str, int]
) -> None:
    login(client, officer_user.username)
    html = client.get("/industry/parks").text
    assert html.count('aria-current="page"') == 1
    assert 'data-nav="parks" aria-current="page"' in html


def test_enterprise_staff_file_and_correct_a_report_through_the_form(
    client: TestClient, db: Session, make_user: Callable[..., User], province: dict[str, int]
) -> None:
    enterprise = db.get(Enterprise, province["a"])
    assert enterprise is not None
    staff = make_user(role=Role.enterprise_staff, org=db.get(Organisation, enterprise.org_id))
    csrf = login(client, staff.username)
    assert client.get("/industry").status_code == 403
    listed = client.get("/industry/enterprises").text
    assert "之江影业" in listed and "甬江电子" not in listed

    url = f"/industry/enterprises/{enterprise.id}/report"
    bad = client.post(
        url, data={"csrf_token": csrf, "period": "2023", "revenue_content": "10", "rnd_expense": "20"}
    )
    assert bad.status_code == 422 and "研发费用不能超过营业收入" in bad.text
    good = client.post(url, data={"csrf_token": csrf, "period": "2023", "revenue_content": "1,000.50"},
                       follow_redirects=False)  # fmt: skip
    assert good.status_code == 303
    again = client.post(url, data={"csrf_token": csrf, "period": "2023", "revenue_content": "1200"})
    assert again.status_code == 422 and 'id="e-note"' in again.text
    fixed = client.post(url, data={"csrf_token": csrf, "period": "2023", "revenue_content": "1200", "note": "复核"},
                        follow_redirects=False)  # fmt: skip
    assert fixed.status_code == 303
    versions = db.execute(
        select(Report.version, Report.revenue_content, Report.is_current)
        .where(Report.enterprise_id == enterprise.id, Report.period_start == date(2023, 1, 1))
        .order_by(Report.version)
    ).all()
    assert [tuple(v) for v in versions] == [(1, Decimal("1000.50"), False), (2, Decimal("1200.00"), True)]
    detail = client.get(f"/industry/enterprises/{enterprise.id}?history=true").text
    assert "已被更正" in detail and "复核" in detail


def test_a_milestone_is_added_and_marked_done_from_the_project_page(
    client: TestClient, officer_user: User, province: dict[str, int]
) -> None:
    csrf = login(client, officer_user.username)
    url = f"/industry/projects/{province['project']}"
    missing = client.post(url + "/milestones", data={"csrf_token": csrf, "title": "验收"})
    assert missing.status_code == 422
    added = client.post(url + "/milestones", data={"csrf_token": csrf, "title": "验收", "due_on": "2030-01-01"},
                        follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    html = client.get(url).text
    assert "验收" in html and html.count("标记完成") == 2
