"""The stripboard in Chromium: a strip dragged into a shooting day is saved (static/stripboard.js, no inline
script under the Content-Security-Policy). Uses the end-to-end suite's demo server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_e2e import no_policy_violations, page, server, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
__all__ = ["no_policy_violations", "page", "server"]


def test_drag_a_strip_into_a_shooting_day(server: str, page: Page) -> None:
    with signed_in(page, server, "studio.staff", "/productions") as user:
        user.click("text=江边")
        user.click("text=场景排期板")
        pool = user.locator('.strip-list[data-day-id=""] .strip')
        before = pool.count()
        strip = pool.first.get_attribute("data-scene-id")
        day = user.locator(".strip-list").nth(1)
        with user.expect_navigation():
            pool.first.drag_to(day)
        assert user.locator('.strip-list[data-day-id=""] .strip').count() == before - 1
        assert user.locator(".strip-list").nth(1).locator(f'[data-scene-id="{strip}"]').count() == 1
        user.click("text=演员出勤表（DOOD）")
        assert "SW" in user.locator("[data-testid=dood]").inner_text()
