"""The exceptions page in a real browser (issue 14): on two exceptions opened through the API (a
dispute left open, a pricing error resolved), #/exceptions lists both with their statuses and
counts them per category in this month's row (checked by hand); the status filter is kept in
the address; an admin designates the disputes' expert in the form and the API returns them;
axe at 1280 and 390 px."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.async_api import Page, ViewportSize, expect

from tests.access_helpers import api
from tests.conftest import Running
from tests.harness import new_invoice
from tests.test_workflow_api import _people
from tests.web.axe import axe_tab, violations
from tests.web.browser import chromium, new_tab, screenshot, sign_in

PHONE: ViewportSize = {"width": 390, "height": 844}
WIDE: ViewportSize = {"width": 1280, "height": 900}


async def ok(running: Running, bearer: str, method: str, path: str, body: Any = None) -> Any:
    async with api(running.server, bearer) as http:
        r = await http.request(method, path, json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def listed(page: Page, count: int) -> None:
    await expect(page.locator("[data-testid=exceptions-list] tbody tr")).to_have_count(count)


async def test_the_exception_log_page_filters_counts_and_sets_experts(running: Running) -> None:
    people = await _people(running)
    alice, adam, bob = (running.accounts[name] for name in ("alice", "adam", "bob"))
    org = alice.org_id
    one = await new_invoice(running.server.data_dir, alice)
    two = await new_invoice(running.server.data_dir, alice)
    dispute = await ok(
        running, people["alice"], "POST", f"/api/invoices/{one}/exceptions",
        {"category": "dispute", "note": "The customer contests line 2"},
    )  # fmt: skip
    pricing = await ok(
        running, people["alice"], "POST", f"/api/invoices/{two}/exceptions",
        {"category": "pricing_error", "note": "Old price list"},
    )  # fmt: skip
    await ok(
        running, people["adam"], "POST", f"/api/exceptions/{pricing['id']}/resolve",
        {"resolution": "Credit note sent"},
    )  # fmt: skip
    # By hand: both opened now (UTC), so this month holds 1 dispute and 1 pricing error.
    month = datetime.now(UTC).strftime("%Y-%m")
    experts_path = f"/api/orgs/{org}/exception-experts"

    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, running.server, adam)
        await page.get_by_role("link", name="Exceptions", exact=True).click()
        await expect(page).to_have_url(f"{running.server.http}/#/exceptions")
        await listed(page, 2)
        rows = page.locator("[data-testid=exceptions-list] tbody tr")
        first = rows.filter(has=page.locator(f'a[href="#/invoices/{one}"]'))
        await expect(first).to_have_attribute("data-status", "open")
        await expect(first).to_contain_text("Dispute")
        await expect(first).to_contain_text("no number yet")  # a draft
        await expect(first).to_contain_text("alice")  # opened by
        await expect(first).to_contain_text("the administrators")  # no expert yet
        await expect(first).to_contain_text("Open")
        second = rows.filter(has=page.locator(f'a[href="#/invoices/{two}"]'))
        await expect(second).to_have_attribute("data-status", "resolved")
        await expect(second).to_contain_text("Pricing error")
        await expect(second).to_contain_text("Resolved")
        await expect(second).to_contain_text("Credit note sent")
        # Newest first: the pricing error was opened last.
        await expect(rows.first).to_have_attribute("data-exception", pricing["id"])

        # The counts of this month, by hand; every other category is 0.
        row = page.locator(f'[data-testid=exceptions-counts] tr[data-month="{month}"]')
        expected = {"dispute": "1", "pricing_error": "1", "refund_request": "0", "other": "0"}
        for category, count in expected.items():
            await expect(row.locator(f'td[data-category="{category}"]')).to_have_text(count)
        await expect(row.locator("td[data-total]")).to_have_text("2")
        chart = page.locator("canvas[aria-describedby=exceptions-counts-table]")
        await expect(chart).to_be_visible()
        await screenshot(page, "exceptions.png", full_page=True)

        # Only the open ones: the filter goes into the address.
        await page.get_by_label("Status", exact=True).select_option("open")
        await page.get_by_role("button", name="Show").click()
        await listed(page, 1)
        assert "status=open" in page.url
        await expect(rows.first).to_have_attribute("data-exception", dispute["id"])
        await page.reload()
        await listed(page, 1)
        await expect(page.get_by_label("Status", exact=True)).to_have_value("open")

        # The admin routes disputes to bob.
        form = page.get_by_test_id("exception-experts")
        select = form.get_by_label("Dispute", exact=True)
        await expect(select).to_have_value("")  # the administrators
        await select.select_option(label="bob")
        await form.get_by_role("button", name="Save the experts").click()
        await expect(form.get_by_role("status")).to_have_text(
            "Experts saved: new exceptions go to them."
        )
        saved = await ok(running, people["adam"], "GET", experts_path)
        assert saved["dispute"] == bob.user_id
        assert saved["pricing_error"] is None

        # bob becomes a viewer: saving him again is refused, and the server's message shown.
        members = f"/api/orgs/{org}/members/{bob.user_id}"
        await ok(running, people["adam"], "PATCH", members, {"role": "viewer"})
        await form.get_by_role("button", name="Save the experts").click()
        await expect(form.get_by_role("alert")).to_contain_text(
            "`dispute`: the expert must be a member who may handle exceptions"
        )
        await expect(form.get_by_role("status")).to_have_text("")
        assert tab.errors == []
        await tab.context.close()

    async with chromium() as browser:
        for viewport in (WIDE, PHONE):
            tab = await axe_tab(browser)
            page = tab.page
            await sign_in(page, running.server, adam, "/exceptions")
            await page.set_viewport_size(viewport)
            await listed(page, 2)
            experts = page.get_by_test_id("exception-experts").locator("select")
            await expect(experts).to_have_count(6)
            assert await violations(page) == [], viewport
            assert tab.errors == []
            await tab.context.close()
