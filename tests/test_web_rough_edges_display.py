"""The rough edges a new user hit (issue 13) in what the screen shows, in a real Chromium: the
list and the editor at a phone's width, the lock holder's name whole on a narrow field, and the
unread notifications badge updated without a reload. The helpers are
tests/test_web_rough_edges.py's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, ViewportSize, expect

from server.auth.permissions import Role
from tests.conftest import Running, server_with
from tests.harness import new_invoice
from tests.test_web_rough_edges import add_line, api
from tests.web.browser import chromium, new_tab, open_invoice, screenshot, sign_in

PHONE: ViewportSize = {"width": 390, "height": 844}


# -- 3. phone width ----------------------------------------------------------------------------


async def overflow(page: Page) -> int:
    width: int = await page.evaluate("document.documentElement.scrollWidth")
    return width


async def test_the_list_and_the_editor_fit_a_phone(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice = await new_invoice(server.data_dir, alice)
    async with await api(server, alice) as http:
        await http.post("/api/customers", json={"name": "Boulangerie Lemoine", "country": "FR"})
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await open_invoice(page, server, alice, invoice)
        await page.set_viewport_size(PHONE)
        await page.get_by_label("Customer name").fill("Boulangerie Lemoine et Fils")
        line = await add_line(page, 1)
        await line.get_by_label("Description").fill("Pain de campagne, livraison du matin")
        await line.get_by_label("Quantity").fill("30")
        await line.get_by_label("Unit price").fill("4.20")
        await expect(page.locator("[data-total=gross] dd")).to_have_text("€151.20")
        await expect(page.locator("[data-source]")).to_have_attribute("data-source", "server")
        assert await overflow(page) <= PHONE["width"]
        await screenshot(page, "mobile-editor.png")

        await page.get_by_role("link", name="Back to invoices").click()
        await expect(page.locator("tbody tr")).to_have_count(1)
        assert await overflow(page) <= PHONE["width"]
        row = page.locator("tbody tr").first
        await expect(row).to_contain_text("Boulangerie Lemoine et Fils")
        await expect(row).to_contain_text("€151.20")
        await screenshot(page, "mobile-list.png")

        # The top bar folds under "Menu": every control is on screen once it is open.
        sign_out = page.get_by_role("button", name="Sign out")
        await expect(sign_out).to_be_hidden()
        await page.get_by_role("button", name="Menu").click()
        for control in (
            sign_out,
            page.get_by_label("Language"),
            page.get_by_test_id("notifications"),
        ):
            await expect(control).to_be_in_viewport()
        assert await overflow(page) <= PHONE["width"]
        await page.get_by_label("Language").select_option("fr")
        await expect(page.get_by_role("heading", name="Factures")).to_be_visible()
        assert tab.errors == []


# -- 6. lock badges ----------------------------------------------------------------------------


@pytest.fixture
async def long_names(tmp_path: Path) -> AsyncIterator[Running]:
    users = {"alexandrine_delacroix": Role.EDITOR, "ada_admin": Role.ADMIN}
    async with server_with(tmp_path, users) as started:
        yield started


async def test_the_lock_holder_is_named_on_a_narrow_field(long_names: Running) -> None:
    server, accounts = long_names.server, long_names.accounts
    holder, admin = accounts["alexandrine_delacroix"], accounts["ada_admin"]
    invoice = await new_invoice(server.data_dir, holder)
    async with chromium() as browser:
        h, d = await new_tab(browser), await new_tab(browser)
        await open_invoice(h.page, server, holder, invoice)
        await open_invoice(d.page, server, admin, invoice)
        line = await add_line(h.page, 1)
        await line.get_by_label("Quantity").press_sequentially("3")
        badge = d.page.get_by_role("group", name="Line 1").locator(
            "[data-field$='.quantity'] .lock-badge"
        )
        await expect(badge.locator(".break-lock")).to_have_text("Break lock")
        name = badge.locator(".holder-name")
        await expect(name).to_have_text("alexandrine_delacroix")
        await expect(name).to_be_visible()
        # Whole and on top: not cut by its box, not covered by the next field (looked at on
        # screen: off the viewport nothing is hit at all).
        await name.scroll_into_view_if_needed()
        assert await name.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        covered = await name.evaluate(
            """e => { const r = e.getBoundingClientRect()
                const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)
                return !(hit && e.closest('.lock-badge').contains(hit)) }"""
        )
        assert not covered
        assert h.errors == [] and d.errors == []


# -- 9. live notifications badge ---------------------------------------------------------------


async def test_the_unread_badge_updates_without_a_reload(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    other = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, server, alice)
        bell = page.get_by_test_id("notifications")
        await expect(page.locator(".notifications")).to_have_attribute("data-unread", "0")
        async with await api(server, bob) as http:
            body = {"anchor": {"path": "invoice.notes"}, "body": "@alice can you check?"}
            r = await http.post(f"/api/invoices/{other}/comments", json=body)
            assert r.status_code == 201, r.text
        # The tab comes back into view (another window was in front): the count is read again.
        await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        await expect(page.locator(".notifications")).to_have_attribute("data-unread", "1")
        await expect(bell.locator(".unread")).to_have_text("1")

        # In an open invoice, a mention arrives with the comment's live notice.
        await page.goto(f"{server.http}/#/invoices/{invoice}")
        await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")
        async with await api(server, bob) as http:
            body = {"anchor": {"path": "invoice.notes"}, "body": "@alice and this one"}
            r = await http.post(f"/api/invoices/{invoice}/comments", json=body)
            assert r.status_code == 201, r.text
        await expect(bell.locator(".unread")).to_have_text("2")
        assert tab.errors == []
