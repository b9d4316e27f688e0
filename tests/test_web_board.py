"""The manager's board in real browsers (issue 14): an admin watches #/board while another
user works: two invoices move across the columns live (no reload), the other user's avatar
appears on a card while they are in the invoice and goes when they leave; the filters and the
table view; axe on the board and the reports page at 1280 and 390 px.

Docs screenshot: docs/screenshots/board.png (with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.conftest import Running
from tests.test_workflow_api import _move, _people, _valid_invoice
from tests.web.axe import axe_tab, violations
from tests.web.browser import chromium, new_tab, open_invoice, screenshot, sign_in

PHONE: ViewportSize = {"width": 390, "height": 844}
WIDE: ViewportSize = {"width": 1280, "height": 900}


def card(page: Page, stage: str, invoice_id: str) -> Locator:
    """The card of `invoice_id` in the column of `stage`."""
    link = f'a[href="#/invoices/{invoice_id}"]'
    return page.locator(f'.board-column[data-stage="{stage}"] li:has({link})')


async def moved(running: Running, bearer: str, invoice_id: str, action: str) -> None:
    r = await _move(running, bearer, invoice_id, action)
    assert r.status_code == 200, r.text


async def test_cards_move_live_and_avatars_follow(running: Running) -> None:
    people = await _people(running)
    adam, alice = running.accounts["adam"], running.accounts["alice"]
    one = await _valid_invoice(running, alice)
    two = await _valid_invoice(running, alice)
    async with chromium() as browser:
        manager, worker = await new_tab(browser), await new_tab(browser)
        page = manager.page
        await sign_in(page, running.server, adam, "/board")
        await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")
        for invoice_id in (one, two):
            await expect(card(page, "draft", invoice_id)).to_be_visible()
        # The admin's weights form reads the organization's weights.
        await expect(page.get_by_label("Amount", exact=True).last).to_have_value("40")
        # Marks the page: a reload would lose it.
        await page.evaluate("window.stayed = true")

        # Alice opens the second invoice: her avatar appears on its card, named.
        await open_invoice(worker.page, running.server, alice, two)
        avatars = card(page, "draft", two).locator('[data-testid="board-present"]')
        await expect(avatars).to_have_attribute("aria-label", "In this invoice now")
        await expect(avatars.locator("li")).to_have_attribute("data-user", "alice")
        await expect(avatars).to_contain_text("alice")
        # Her room's load derives the customer and amounts from the document (debounced).
        await expect(card(page, "draft", two)).to_contain_text("Client SA")
        await expect(card(page, "draft", two)).to_contain_text("€162.00")

        # The first moves across the columns as she submits and abe approves it.
        await moved(running, people["alice"], one, "submit")
        await expect(card(page, "submitted", one)).to_be_visible()
        await expect(card(page, "draft", one)).to_have_count(0)
        await screenshot(page, "board.png")
        await moved(running, people["abe"], one, "approve")
        await expect(card(page, "approved", one)).to_be_visible()

        # She leaves the second invoice: her avatar goes; then it moves too.
        await worker.page.goto(f"{running.server.http}/#/invoices")
        await expect(avatars).to_have_count(0)
        await moved(running, people["alice"], two, "submit")
        await expect(card(page, "submitted", two)).to_be_visible()
        await moved(running, people["abe"], two, "approve")
        await expect(card(page, "approved", two)).to_be_visible()
        count = page.locator('.board-column[data-stage="approved"] [data-testid="stage-count"]')
        await expect(count).to_have_text("2")
        assert await page.evaluate("window.stayed === true"), "the board reloaded"

        # Filters, applied in the browser and kept in the address.
        customer = page.get_by_label("Customer", exact=True)
        await customer.fill("nobody")
        await expect(page.locator(".board-card")).to_have_count(0)
        assert "customer=nobody" in page.url
        await customer.fill("client")
        await expect(page.locator(".board-card")).to_have_count(2)
        await page.get_by_label("Amount from").fill("200")
        await expect(page.locator(".board-card")).to_have_count(0)
        await page.get_by_label("Amount from").fill("")
        await page.get_by_label("Mine only").check()
        await expect(page.locator(".board-card")).to_have_count(0)  # assigned to no one/abe
        await page.get_by_label("Mine only").uncheck()

        # The table view: the same cards, one row each; a row's link opens the invoice.
        await page.get_by_test_id("board-table-toggle").click()
        rows = page.locator("[data-card-row]")
        await expect(rows).to_have_count(2)
        await expect(page.get_by_test_id("board")).to_be_hidden()
        assert "view=table" in page.url
        row = rows.filter(has=page.locator(f'a[href="#/invoices/{one}"]'))
        await row.get_by_role("link").click()
        await expect(page).to_have_url(f"{running.server.http}/#/invoices/{one}")
        assert manager.errors == [] and worker.errors == []


async def test_board_and_reports_pass_axe(running: Running) -> None:
    await _people(running)
    adam, alice = running.accounts["adam"], running.accounts["alice"]
    await _valid_invoice(running, alice)
    async with chromium() as browser:
        for viewport in (WIDE, PHONE):
            tab = await axe_tab(browser)
            page = tab.page
            await sign_in(page, running.server, adam, "/board")  # the top bar folds on a phone
            await page.set_viewport_size(viewport)
            await expect(page.locator(".board-card")).to_have_count(1)
            assert await violations(page) == [], viewport
            await page.goto(f"{running.server.http}/#/reports")
            await expect(page.locator('[data-testid="kpi-first_time_right"]')).to_be_visible()
            await expect(page.locator("[data-report] table, [data-report] .empty")).to_have_count(5)
            assert await violations(page) == [], viewport
            assert tab.errors == []
            await tab.context.close()
