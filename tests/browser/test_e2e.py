"""End to end in Chromium: sign in, switch language, open every module page.

Screenshots go to ``AVBASE_SCREENSHOTS`` when set (the README's come from here)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Dialog, Page, sync_playwright

from avbase.demo.data import DEMO_PASSWORD
from avbase.demo.data import users as demo_users
from avbase.policy.demo import minimal_pdf
from tests.conftest import find_corpus
from tests.media.synthetic import hevc_clip

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var_dir = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "AVBASE_VAR_DIR": str(var_dir)}
    corpus = find_corpus()
    if corpus is not None:  # the demo adds these clips to the library (the default path is relative)
        env["AVBASE_DEMO_MEDIA_DIR"] = str(corpus)
    env.pop("AVBASE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "avbase.cli"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


# What the browser refused under the Content-Security-Policy (an inline script, an eval): pages must need none.
CSP_VIOLATIONS: list[str] = []


def watch_policy(page: Page) -> Page:
    page.on(
        "console",
        lambda message: (
            CSP_VIOLATIONS.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


@pytest.fixture(autouse=True)
def no_policy_violations() -> Iterator[None]:
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == []


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (make test installs it)")
        pytest.skip("chromium is not installed; `make test` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="zh-CN")
        yield watch_policy(context.new_page())
        browser.close()


def wait_until(page: Page, expression: str, timeout: float = 30.0) -> None:
    """Polls a page expression from outside: Playwright's wait_for_function evaluates its predicate with
    eval inside the page, which the Content-Security-Policy forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("AVBASE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


@contextmanager
def signed_in(page: Page, server: str, username: str, landing: str) -> Iterator[Page]:
    """A browser context of its own for one user, signed in and on ``landing``."""
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    user = watch_policy(context.new_page())
    user.goto(f"{server}/login?next={landing}")
    user.fill("#f-username", username)
    user.fill("#f-password", DEMO_PASSWORD)
    user.click("button[type=submit]")
    user.wait_for_url(server + landing)
    try:
        yield user
    finally:
        context.close()


def test_sign_in_switch_language_and_open_every_module(server: str, page: Page) -> None:
    page.goto(server + "/")
    assert "/login" in page.url
    shot(page, "login")
    page.fill("#f-username", "admin")
    page.fill("#f-password", "wrong password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text(".alert")
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/")
    assert page.inner_text("h1") == "工作台"
    assert page.locator("[data-testid=health]").count() == 1  # the administrator's home: platform health
    shot(page, "dashboard-zh")

    nav = {
        key: page.get_attribute(f"[data-nav={key}]", "href")
        for key in ("dashboard", "organisations", "users", "jobs", "audit")
    }
    zh_titles = {"organisations": "组织机构", "users": "用户", "jobs": "任务", "audit": "审计日志"}
    for key, title in zh_titles.items():
        page.click(f"[data-nav={key}]")
        page.wait_for_url(server + str(nav[key]))
        assert page.inner_text("h1") == title
        shot(page, f"{key}-zh")

    page.click("[data-testid=switch-en]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Audit log"
    en_titles = {"dashboard": "Dashboard", "organisations": "Organisations", "users": "Users", "jobs": "Jobs"}
    for key, title in en_titles.items():
        page.click(f"[data-nav={key}]")
        page.wait_for_url(server + str(nav[key]))
        assert page.inner_text("h1") == title
    shot(page, "jobs-en")

    # Sorting through htmx swaps the table in place and keeps the URL shareable.
    page.click("[data-nav=organisations]")
    page.click("#orgs-table th >> text=Name")
    page.wait_for_url("**sort=name**")
    page.click("#orgs-table th >> text=Name")
    page.wait_for_url("**sort=-name**")
    assert page.locator("#orgs-table tbody tr").count() == 20
    shot(page, "organisations-en")


# Each demo user's home (工作台): an item the demo leaves on their desk, and one of their role's figures.
ROLE_HOMES = [
    ("hn.officer", "policy.review_overdue", "waiting-reviews"),
    ("zj.officer", "industry.jurisdiction_unreported", "target-revenue_total"),
    ("hengdian.park", "industry.park_unreported", "park-evaluation"),
    ("hunan.staff", "policy.application_returned", "applications"),
    ("studio.staff", "industry.report_overdue", "reports-to-file"),
    ("creator", "policy.round_open", "media-count"),
    ("reviewer", None, "review-queue"),
    ("admin", None, "health"),
]


@pytest.mark.parametrize(("username", "item_kind", "figure"), ROLE_HOMES)
def test_each_role_lands_on_what_needs_it_today(
    server: str, page: Page, username: str, item_kind: str | None, figure: str
) -> None:
    with signed_in(page, server, username, "/") as home:
        if username == "admin":  # the first test switches this account to English, when it ran before
            home.click("button[value=zh_Hans]")
            home.wait_for_url(server + "/")
        assert home.inner_text("h1") == "工作台"
        if item_kind:
            assert home.locator(f"[data-kind='{item_kind}']").count() >= 1
        assert home.locator(f"[data-testid={figure}]").count() == 1
        assert home.locator("[data-testid=bell]").count() == 1
        shot(home, f"home-{username}")


def test_a_form_shows_inline_errors_in_the_browser(server: str, page: Page) -> None:
    page.goto(server + "/organisations/new")
    if "/login" in page.url:  # when this test runs on its own
        page.fill("#f-username", "admin")
        page.fill("#f-password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/organisations/new")
    page.click("button[type=submit]")
    assert page.inner_text("#e-name") in ("This field is required.", "此项为必填项。")
    assert page.locator(".field.invalid").count() == 2  # name and kind; the region is pre-filled
    shot(page, "form-errors")


def test_an_officer_watches_the_industry_against_the_targets(server: str, page: Page, tmp_path: Path) -> None:
    with signed_in(page, server, "zj.officer", "/industry") as officer:
        assert officer.inner_text("h1") == "产业监测"
        assert officer.locator("#kpi-table tbody tr").count() == 10
        # Plotly draws from the locally served plotly.js: no network needed.
        officer.wait_for_selector("#trend-chart .main-svg")
        officer.wait_for_selector("#breakdown-chart .main-svg")
        shot(officer, "industry-dashboard-zh")

        officer.click("#drilldown-table tbody tr:first-child a")
        officer.wait_for_url("**by=county**")
        assert officer.locator("#drilldown-table tbody tr").count() >= 1

        officer.click("[data-nav=index]")
        officer.wait_for_selector("#index-chart .main-svg")
        officer.click("#index-table tbody tr:first-child summary")
        assert officer.locator("#index-table tbody tr:first-child table.explain tbody tr").count() >= 5
        shot(officer, "industry-index-zh")

        officer.click("[data-nav=rankings]")
        assert officer.locator("#ranking-table tbody tr").count() == 50
        shot(officer, "industry-rankings-zh")
        officer.click("#ranking-table tbody tr:first-child a")
        officer.wait_for_selector("#figures-chart .main-svg")
        shot(officer, "industry-enterprise-zh")

        bad = tmp_path / "bad-reports.csv"
        bad.write_text(
            "统一社会信用代码,期间,视听内容生产收入\n91330106MA0000000X,2025,-1\n", encoding="utf-8"
        )
        officer.click("[data-nav=imports]")
        officer.select_option("#f-kind", "reports")
        officer.set_input_files("#f-file", str(bad))
        officer.click("form.stack button.primary")
        officer.wait_for_selector("#preview-problems")
        assert "91330106MA0000000X" in officer.inner_text("#preview-problems")
        assert officer.locator("#import-button").is_disabled()  # a file with problems is not imported
        shot(officer, "industry-import-rejected-zh")

        # A county bureau's form: title and unit rows, its own column names, a 合计 row; checked, then imported.
        export = officer.request.get(server + "/api/v1/industry/exports/reports.xlsx?year=2024&region=3301")
        rows = list(
            load_workbook(io.BytesIO(export.body()), read_only=True).active.iter_rows(values_only=True)
        )
        chosen = rows[1:4]
        form = Workbook()
        sheet = form.active
        sheet.append(["2024年视听企业统计报表（金华市）"])
        sheet.append(["", "", "", "", "", "单位：万元"])
        sheet.append(["序号", "组织机构代码", "单位名称", "报告期", "营业收入", "研发经费支出", "更正说明"])
        for number, row in enumerate(chosen, start=1):
            sheet.append([number, row[0], row[1], row[3], 1234.5678 * number, 12.5 * number, "县统计局复核"])
        sheet.append(["合计", "", "", "", 1234.5678 * 6, 12.5 * 6, ""])
        sheet.append(["注：本表由县统计局汇总，金额单位为万元。"])
        form.save(tmp_path / "jinhua-2024.xlsx")
        officer.goto(server + "/industry/imports")
        officer.select_option("#f-kind", "reports")
        officer.set_input_files("#f-file", str(tmp_path / "jinhua-2024.xlsx"))
        officer.click("form.stack button.primary")
        officer.wait_for_selector("#mapping-table")
        assert officer.locator("#mapping-table tr[data-match=guessed]").count() == 6
        assert officer.inner_text("#preview-unit").startswith("万元")
        shot(officer, "industry-import-preview-zh")
        officer.fill("#f-save_as", "金华季报")
        officer.fill("#f-source", "金华市统计局")
        officer.click("button[value=check]")
        officer.wait_for_selector("#preview-outcome")
        assert "12345678.00" in officer.inner_text("#preview-rows")
        shot(officer, "industry-import-checked-zh")
        officer.click("#import-button")
        officer.wait_for_url("**/jobs/**")
        officer.wait_for_selector("[data-state=succeeded]", timeout=20_000)


def test_an_enterprise_checks_what_a_measure_gives(server: str, page: Page) -> None:
    with signed_in(page, server, "studio.staff", "/policy") as staff:
        assert staff.locator("#measures-table tbody tr").count() >= 50
        shot(staff, "policy-catalogue-zh")
        staff.goto(server + "/policy/measures/hn2023.8.training-base")
        staff.fill("#f-fact_eligible_cost", "8000000")
        staff.fill("#f-on", "2025-06-01")
        staff.click("#quote-form button.primary")
        staff.wait_for_selector("#quote-trace")
        assert "2,000,000.00" in staff.inner_text("#quote-result")
        shot(staff, "policy-quote-zh")


def test_an_editor_plays_a_clip_from_a_shot_and_uploads_in_parts(
    server: str, page: Page, tmp_path: Path, corpus: Path
) -> None:
    # An enterprise's own library: the demo gives the studio some of the corpus clips.
    with signed_in(page, server, "studio.staff", "/media") as editor:
        # The demo's clips are analysed in the background (bulk jobs); the cartoon is queued first.
        deadline = time.monotonic() + 180
        while editor.locator("[data-testid=asset-tile][data-state=ready]:has-text('大雄兔')").count() == 0:
            assert time.monotonic() < deadline, "the demo cartoon was not analysed in time"
            editor.wait_for_timeout(2000)
            editor.reload()
        assert editor.title() == editor.inner_text("h1") + " · avbase"  # nothing but the title in it
        shot(editor, "media-library-zh")
        assert (
            editor.locator("[data-testid=asset-tile]:has-text('街头行人')").count() == 0
        )  # the post house's
        editor.click("[data-testid=asset-tile]:has-text('大雄兔') .body a")
        wait_until(editor, "document.getElementById('player').readyState >= 1")
        assert editor.locator("#shot-strip .shot").count() >= 4
        start = float(editor.get_attribute("#shot-strip .shot:nth-child(4)", "data-seek") or "0")
        editor.click("#shot-strip .shot:nth-child(4)")
        wait_until(editor, f"document.getElementById('player').currentTime >= {start - 0.05}")
        assert "PRESENTS" in editor.inner_text("#text-tracks")  # read off the screen by OCR
        editor.wait_for_timeout(800)
        shot(editor, "media-asset-zh")
        # The frame on screen, as a picture to search with: the shot playing is among the first matches.
        asset_id = editor.url.split("/media/")[1].split("?")[0]
        editor.evaluate("document.getElementById('player').pause()")
        editor.click("[data-testid=search-this-frame]")
        editor.wait_for_selector("[data-testid=shot-match]")
        matches = editor.locator("[data-testid=shot-match]")
        leaders = [(matches.nth(i).get_attribute("data-asset"), matches.nth(i).get_attribute("data-shot"))
                   for i in range(min(2, matches.count()))]  # fmt: skip
        assert (asset_id, "3") in leaders, leaders
        shot(editor, "search-similar-zh")

        # A word of the demo's subtitles, typed into search, lands on its moment in the player.
        editor.click("[data-nav=search]")
        editor.fill("#search-form input[name=q]", "小鸟")
        editor.click("#search-form button.primary")
        editor.wait_for_selector("[data-testid=search-hit]")
        assert "<mark>小鸟</mark>" in editor.inner_html("[data-testid=search-hit] .snippet")
        shot(editor, "search-zh")
        editor.click("[data-testid=search-hit] [data-testid=hit-time]")
        wait_until(editor, "document.getElementById('player').currentTime >= 15.7")

        clip = hevc_clip(tmp_path / "上传测试.mp4", transfer="arib-std-b67")
        editor.goto(server + "/media")
        editor.set_input_files("#upload-form input[type=file]", str(clip))
        editor.click("#upload-form button")
        editor.wait_for_url("**/media/*")
        assert "上传测试" in editor.inner_text("h1")


def test_a_park_operator_finds_who_has_not_reported_and_reminds_them(server: str, page: Page) -> None:
    with signed_in(page, server, "hengdian.park", "/industry/parks") as operator:
        operator.click("#parks-table tbody tr:first-child a")
        operator.wait_for_selector("#reporting-table")
        assert operator.locator("#reporting-table .badge.bad").count() >= 1  # the demo's 2026 is unfiled
        shot(operator, "park-reporting-zh")
        operator.click("[data-testid=remind]")
        operator.wait_for_selector("[data-testid=reminded]")
        assert "已向" in operator.inner_text("[data-testid=reminded]")


def test_a_hunan_officer_opens_on_hunan(server: str, page: Page) -> None:
    with signed_in(page, server, "hn.officer", "/industry") as officer:
        assert officer.locator("[data-testid=no-targets]").count() == 1
        assert officer.locator("[data-nav=rankings]").count() == 0
        assert officer.locator("[data-nav=projects]").count() == 0
        assert (
            "湖南" in officer.inner_text("#breakdown-chart")
            or officer.locator("#drilldown-table tbody tr").count()
        )
        shot(officer, "industry-dashboard-hunan-zh")


# The stripboard: a strip dragged into a shooting day is saved (static/stripboard.js, no inline script).
def test_drag_a_strip_into_a_shooting_day(server: str, page: Page) -> None:
    with signed_in(page, server, "studio.staff", "/productions") as user:
        user.click("text=江边")
        user.click("text=场景排期板")
        user.wait_for_url("**/stripboard")
        pool = user.locator('.strip-list[data-day-id=""] .strip')
        pool.first.wait_for()
        before = pool.count()
        strip = pool.first.get_attribute("data-scene-id")
        day = user.locator(".strip-list").nth(1)
        with user.expect_navigation():
            pool.first.drag_to(day)
        assert user.locator('.strip-list[data-day-id=""] .strip').count() == before - 1
        assert user.locator(".strip-list").nth(1).locator(f'[data-scene-id="{strip}"]').count() == 1
        user.click("text=演员出勤表（DOOD）")
        assert "SW" in user.locator("[data-testid=dood]").inner_text()


# --- policy: each role's everyday task, reached from the menu ---


def test_an_enterprise_applies_and_submits(server: str, page: Page, tmp_path: Path) -> None:
    with signed_in(page, server, "hunan.staff", "/") as staff:
        staff.click("[data-nav=policy]")
        staff.click("#measures-table a:has-text('首款产品测试认证费用补助')")
        assert staff.inner_text("[data-testid=measure-region]") == "适用地区：湖南省"
        staff.select_option("#f-fact_first_product", "true")
        staff.fill("#f-fact_certification_cost", "80000")
        staff.fill("#f-fact_granted_amount", "40000")
        staff.fill("#f-item", "8K解码器首款认证")
        staff.click("[data-testid=apply]")
        staff.wait_for_url("**/policy/applications/*")
        assert "草稿已保存" in staff.inner_text("[data-testid=flash]")
        for number in range(4):
            evidence = tmp_path / f"evidence-{number}.pdf"
            evidence.write_bytes(minimal_pdf(f"evidence {number}"))
            staff.set_input_files("#attach-form input[type=file]", str(evidence))
            staff.click("#attach-form button")
            staff.wait_for_load_state()
            assert "已上传" in staff.inner_text("[data-testid=flash]")
        assert staff.locator("#evidence-list .missing").count() == 0
        staff.click("[data-testid=submit-application]")
        staff.wait_for_load_state()
        assert "已提交：下一步由省工业和信息化厅审核" in staff.inner_text("[data-testid=flash]")
        assert "牵头单位审核" in staff.inner_text("[data-testid=application-state]")
        shot(staff, "policy-submitted-zh")


def test_an_officer_decides_and_a_rejection_asks_first(server: str, page: Page) -> None:
    with signed_in(page, server, "hn.officer", "/") as officer:
        officer.click("[data-nav=applications]")
        officer.click("#waiting-table a:has-text('HDR Vivid监视器首款认证')")
        assert "湖南省" in officer.inner_text("[data-testid=applicant-region]")
        officer.fill("#f-comment", "材料不全")
        asked: list[str] = []

        def decline(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.dismiss()

        officer.once("dialog", decline)
        officer.click("[data-testid=reject]")
        assert asked and "最终决定" in asked[0]
        assert officer.locator("#decision-form").count() == 1  # nothing was sent
        officer.click("#decision-form button[value=approve]")
        officer.wait_for_load_state()
        assert "已同意" in officer.inner_text("[data-testid=flash]")
        shot(officer, "policy-decided-zh")


def test_an_officer_commits_an_award_seeing_the_budget(server: str, page: Page) -> None:
    with signed_in(page, server, "hn.officer", "/") as officer:
        officer.click("[data-nav=applications]")
        officer.select_option("select[name=state]", "approved")
        officer.click("form.toolbar button")
        officer.wait_for_url("**state=approved**")
        officer.click("#applications-table tbody tr:first-child a")
        budget = officer.inner_text("[data-testid=budget-table]")
        assert "2025" in budget and "2,000,000.00" in budget
        assert officer.input_value("[data-testid=commit-year]") == "2025"  # the year that has a budget
        officer.click("[data-testid=commit]")
        officer.wait_for_load_state()
        message = officer.inner_text("[data-testid=flash]")
        assert "已计入 2025 年预算" in message and "尚余" in message
        assert "已核定" in officer.inner_text("[data-testid=application-state]")
        shot(officer, "policy-committed-zh")


def test_an_officer_assigns_a_responsible_unit(server: str, page: Page) -> None:
    with signed_in(page, server, "zj.officer", "/") as officer:
        officer.click("[data-nav=routes]")
        assert officer.locator("[data-testid=routes-hn2023] form").count() == 0  # Hunan's are not theirs
        row = officer.locator("[data-testid=routes-zj2024] tbody tr:has-text('主管部门')")
        row.locator("select").select_option(label="浙江省经济和信息化厅")
        row.locator("button").click()
        officer.wait_for_load_state()
        assert "已指定浙江省经济和信息化厅承办“主管部门”" in officer.inner_text("[data-testid=flash]")
        assert "浙江省经济和信息化厅" in officer.inner_text("[data-testid=routes-zj2024]")
        shot(officer, "policy-routes-zh")


# --- the everyday task of each remaining role, from the home page ---


def test_an_enterprise_files_the_report_it_owes(server: str, page: Page) -> None:
    with signed_in(page, server, "studio.staff", "/") as staff:
        owed = staff.locator("[data-kind='industry.report_overdue'] a")
        before = owed.count()
        assert before >= 1
        owed.first.click()
        staff.wait_for_url("**/report")
        period = staff.locator("#f-period option").first.inner_text()
        assert "已逾期" in period  # the oldest owed period comes first, and says it is late
        for name, value in (
            ("revenue_content", "1,250,000.00"),
            ("rnd_expense", "80000"),
            ("employees", "36"),
        ):
            staff.fill(f"#f-{name}", value)
        staff.click("main form button.primary")
        staff.wait_for_url("**/industry/enterprises/*filed=*")
        assert "的报告已报送" in staff.inner_text("[data-testid=filed]")
        shot(staff, "industry-report-filed-zh")
        staff.click("text=工作台")
        assert staff.locator("[data-kind='industry.report_overdue'] a").count() == before - 1


def test_a_reviewer_comments_at_a_moment_and_decides_for_the_department(server: str, page: Page) -> None:
    with signed_in(page, server, "reviewer", "/") as reviewer:
        reviewer.click("text=待审查作品：动画短片《大雄兔》")
        reviewer.wait_for_url("**/review/works/*")
        reviewer.fill("#f-seconds", "21.5")
        reviewer.fill("#f-text", "第21秒字幕与配音不一致。")
        reviewer.click("#comment-form button.primary")
        reviewer.wait_for_url("**/review/works/*")
        comments = reviewer.inner_text("[data-testid=comments]")
        assert "00:00:21" in comments and "字幕与配音不一致" in comments
        form = reviewer.locator("[data-testid=decision-form]").first
        form.locator("input[value=pass]").check()
        form.locator("button.primary").click()
        reviewer.wait_for_url("**/review/works/*")
        lead = reviewer.locator("[data-testid=departments] tbody tr").first.inner_text()
        assert "广电部门" in lead and "通过" in lead
        shot(reviewer, "review-work-zh")


def test_a_creator_enters_the_open_contest_and_is_scored(server: str, page: Page, tmp_path: Path) -> None:
    guess = tmp_path / "copies.json"
    guess.write_text(
        json.dumps({"queries": {"q-001": {"matches": [{"work": "W-001", "start": 10.0, "end": 30.0}]}}}),
        encoding="utf-8",
    )
    with signed_in(page, server, "creator", "/") as creator:
        creator.click("text=参加算法大赛")
        creator.click("text=盗版片段检测赛道")
        creator.wait_for_url("**/ecosystem/contests/*")
        before = creator.locator("#my-submissions tbody tr").count()
        creator.set_input_files("#submit-form input[type=file]", str(guess))
        creator.click("#submit-form button")
        creator.wait_for_url("**/ecosystem/submissions/*")
        deadline = time.monotonic() + 60
        while "已评分" not in creator.inner_text("main"):  # scored by the server's worker; the page polls
            assert time.monotonic() < deadline, "the submission was not scored"
            time.sleep(0.5)
        shot(creator, "ecosystem-submitted-zh")
        creator.go_back()
        creator.reload()
        assert creator.locator("#my-submissions tbody tr").count() == before + 1


# --- no raw code on any page a role reaches from its menu, on the full demo, in both languages ---

CRAWL_ROLES = ["zj.officer", "hn.officer", "hengdian.park", "studio.staff", "reviewer", "creator", "admin"]
DETAILS_PER_PAGE = 3  # detail pages followed from each menu page
# The audit log records changes as stored (table and column names, raw values): a forensic record for
# administrators, not a page a newcomer reads.
NOT_CRAWLED = ("/audit",)
USERNAMES = {user.username for user in demo_users()}


def _http_session(server: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server, follow_redirects=True, timeout=60)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    signed = client.post(
        "/login",
        data={"csrf_token": token.group(1), "next": "/", "username": username, "password": DEMO_PASSWORD},
    )
    assert signed.status_code == 200 and "/login" not in str(signed.url)
    return client


def _links(html: str, prefix: str) -> list[str]:
    found = dict.fromkeys(
        link
        for link in re.findall(r'href="(/[^"#?]*)"', html)
        if link.startswith(prefix + "/") and re.search(r"/\d+$", link)
    )
    return list(found)[:DETAILS_PER_PAGE]


@pytest.mark.parametrize("username", CRAWL_ROLES)
def test_no_raw_code_on_the_pages_a_role_reaches(server: str, username: str) -> None:
    from tests.industry.test_raw_codes import raw_codes, visible_text

    client = _http_session(server, username)
    try:
        home = client.get("/").text
        paths = [
            path
            for path in dict.fromkeys(re.findall(r'<a href="([^"]+)" data-nav=', home))
            if not path.startswith(NOT_CRAWLED)
        ]
        assert len(paths) >= 5
        pages = list(paths)
        for path in paths:
            if path != "/":
                pages += _links(client.get(path).text, path.rstrip("/"))
        problems = {}
        for path in dict.fromkeys(pages):
            for lang in ("zh_Hans", "en"):
                response = client.get(path, params={"lang": lang})
                assert response.status_code == 200, (path, response.status_code)
                codes = [
                    code
                    for code in raw_codes(visible_text(response.text), chinese=lang == "zh_Hans")
                    if code not in USERNAMES  # a login name is the user's own data, not a code
                ]
                if codes:
                    problems[f"{path} ({lang})"] = sorted(set(codes))[:6]
    finally:
        client.close()
    assert problems == {}
