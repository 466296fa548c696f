"""Each policy role's everyday task in Chromium, from the menu, without typing a URL or guessing a year:
an enterprise applies and submits, an officer decides (a rejection asks first), an officer commits an award
seeing the budget, an officer assigns a responsible unit. CSP violations fail the tests (test_e2e's fixture)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Dialog, Page

from avbase.policy.demo import minimal_pdf
from tests.browser.test_e2e import no_policy_violations, page, pytestmark, server, shot, signed_in

__all__ = ["no_policy_violations", "page", "pytestmark", "server"]


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
