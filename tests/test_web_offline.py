"""Offline edits in a real Chromium (docs/web.md, "Offline edits"): an edit made without a
connection survives closing the tab, in IndexedDB, and reaches the server from the next tab;
sign-out deletes the stored copies; another account on the same browser never loads them; a
stored edit the server can no longer accept (the invoice was submitted meanwhile) is dropped
once, with a message, instead of being sent again at every connection."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, expect

from tests.conftest import Running
from tests.harness import Account, ServerProcess, new_invoice
from tests.test_web_workflow import complete_invoice
from tests.web.browser import api_document, chromium, new_tab, open_invoice

PREFIX = "cofacture-draft:"


async def drafts(page: Page) -> list[str]:
    """The names of the offline copies stored in this browser context."""
    names: list[str] = await page.evaluate(
        "async () => (await indexedDB.databases()).map((db) => db.name)"
        f".filter((name) => name.startsWith('{PREFIX}'))"
    )
    return sorted(names)


async def drafts_become(page: Page, expected: list[str]) -> None:
    """Wait until the stored copies are `expected` (deletions finish as pages close)."""
    for _ in range(50):
        if await drafts(page) == expected:
            return
        await page.wait_for_timeout(100)
    assert await drafts(page) == expected


async def edit_offline_and_close(context: BrowserContext, page: Page, value: str) -> None:
    """Cut the network, type `value` as the customer name, see it waiting, close the tab."""
    await context.set_offline(True)
    connection = page.locator(".connection")
    await expect(connection).to_have_attribute("data-state", "offline")
    await page.get_by_label("Customer name").fill(value)
    await expect(connection).to_contain_text("Offline · ")
    await expect(connection).to_contain_text("waiting")
    assert int(await connection.get_attribute("data-pending") or "0") >= 1
    await page.close()
    await context.set_offline(False)


async def reopen(context: BrowserContext, server: ServerProcess, invoice: str) -> Page:
    """A new tab of the same browser on the invoice (the session comes from the cookie)."""
    page = await context.new_page()
    await page.goto(f"{server.http}/#/invoices/{invoice}")
    return page


async def test_an_offline_edit_survives_closing_the_tab(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a = await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        assert await drafts(a.page) == [f"{PREFIX}{alice.user_id}:{invoice}"]
        await edit_offline_and_close(a.context, a.page, "Closed Tab Ltd")
        assert (await api_document(server, alice, invoice))["invoice"].get("customer") is None

        page = await reopen(a.context, server, invoice)
        connection = page.locator(".connection")
        await expect(page.get_by_label("Customer name")).to_have_value("Closed Tab Ltd")
        await expect(connection).to_have_attribute("data-state", "connected")
        await expect(connection).to_have_attribute("data-pending", "0")
        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Closed Tab Ltd"
        assert a.errors == []


async def test_sign_out_deletes_the_offline_copies(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    first = await new_invoice(server.data_dir, alice)
    second = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a = await new_tab(browser)
        await open_invoice(a.page, server, alice, first)
        await a.page.goto(f"{server.http}/#/invoices/{second}")
        await drafts_become(a.page, sorted(f"{PREFIX}{alice.user_id}:{i}" for i in (first, second)))

        await a.page.get_by_role("button", name="Sign out").click()
        await expect(a.page.locator("input[name=email]")).to_be_visible()
        await drafts_become(a.page, [])
        assert await a.page.evaluate("localStorage.getItem('cofacture.drafts')") is None
        assert a.errors == []


async def test_another_account_never_loads_a_stored_copy(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a = await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await edit_offline_and_close(a.context, a.page, "Alice Offline")
        # Alice's session ends without a sign-out (e.g. it expired); Bob signs in here.
        await a.context.clear_cookies()
        page = await a.context.new_page()
        await open_invoice(page, server, bob, invoice)
        await page.get_by_label("Payment terms").fill("Bob's terms")
        await expect(page.get_by_label("Customer name")).to_have_value("")
        assert await drafts(page) == sorted(
            f"{PREFIX}{who.user_id}:{invoice}" for who in (alice, bob)
        )
        stored = await api_document(server, bob, invoice)
        assert stored["invoice"].get("customer") is None

        # Bob signs out (his copy goes, Alice's stays); Alice's edit reaches the server when
        # she opens the invoice again.
        await page.get_by_role("button", name="Sign out").click()
        await drafts_become(page, [f"{PREFIX}{alice.user_id}:{invoice}"])
        await open_invoice(page, server, alice, invoice)
        await expect(page.get_by_label("Customer name")).to_have_value("Alice Offline")
        await expect(page.get_by_label("Payment terms")).to_have_value("Bob's terms")
        await expect(page.locator(".connection")).to_have_attribute("data-pending", "0")
        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Alice Offline"
        assert a.errors == []


async def submit(server: ServerProcess, account: Account, invoice: str) -> dict[str, Any]:
    token = await server.login(account)
    async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
        r = await http.post(
            f"/api/invoices/{invoice}/transitions",
            json={"action": "submit", "version": 0},
            headers={"authorization": f"Bearer {token}"},
        )
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


async def test_a_stored_edit_the_server_refuses_is_dropped_once(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice = await complete_invoice(running, alice)
    async with chromium() as browser:
        a = await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await edit_offline_and_close(a.context, a.page, "Too Late SARL")
        assert (await submit(server, alice, invoice))["status"] == "submitted"

        # The invoice is read-only now: the stored edit is dropped, said once, never sent.
        page = await reopen(a.context, server, invoice)
        await expect(page.get_by_test_id("read-only")).to_be_visible()
        await expect(page.locator(".notice.error")).to_contain_text("Changes made offline")
        await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")
        await expect(page.get_by_label("Customer name")).to_have_value("Maison Roux")
        await drafts_become(page, [])
        await page.reload()
        await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")
        await expect(page.locator(".notice")).to_have_count(0)
        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Maison Roux"
        assert a.errors == []
