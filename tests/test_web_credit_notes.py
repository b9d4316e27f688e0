"""Credit notes in real browsers: an editor submits, an approver approves and issues (the
confirmation names the number the invoice will take); both editors turn read-only with the
number shown. The editor then credits the whole invoice: the new draft's header names the
invoice it credits, it goes through the same workflow (the editor submits, the approver
approves and issues) and takes its number from the credit-note series; the original is then
cancelled with nothing left to credit, and the list tags the credit note."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, expect

from server.auth.permissions import Role
from tests.conftest import Running
from tests.harness import Account, seed
from tests.test_web_workflow import act, complete_invoice, put_profile
from tests.web.browser import chromium, new_tab, open_invoice, screenshot

INVOICE_NUMBER = re.compile(r"^F2026-0*1$")
CREDIT_NUMBER = re.compile(r"^A\d{4}-0*1$")
EDITOR_URL = re.compile(r"#/invoices/[^/?]+$")
INVOICE_NUMBER_IN_TITLE = re.compile(r"^Credit note for F2026-0*1$")
CREDIT_NUMBER_IN_TEXT = re.compile(r"A\d{4}-0*1")


async def connected(page: Page) -> None:
    await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")


async def move(running: Running, account: Account, invoice: str, action: str) -> None:
    """A transition through the API (the browser's part is tested above)."""
    token = await running.server.login(account)
    async with httpx.AsyncClient(timeout=30.0, base_url=running.server.http) as http:
        r = await http.post(
            f"/api/invoices/{invoice}/transitions",
            json={"action": action},
            headers={"authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text


async def test_issue_then_credit_the_whole_invoice(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    extra = await seed(server.data_dir, users={"abe": Role.APPROVER, "adam": Role.ADMIN})
    abe, adam = extra["abe"], extra["adam"]
    invoice = await complete_invoice(running, alice)
    await put_profile(running, adam)
    async with chromium() as browser:
        a, b = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, abe, invoice)
        status_a, status_b = (p.get_by_test_id("invoice-status") for p in (a.page, b.page))

        await act(a.page, "submit")
        await expect(status_b).to_have_text("Submitted")
        await act(b.page, "approve")
        await expect(status_a).to_have_text("Approved")

        # The issue confirmation names the number the invoice is about to take.
        await b.page.locator(".workflow-actions button[data-action=issue]").click()
        dialog = b.page.get_by_role("dialog")
        await expect(dialog).to_contain_text(
            re.compile(r"Issue F2026-0*1: the invoice can no longer be changed")
        )
        await dialog.locator("button[type=submit]").click()
        for page, status in ((a.page, status_a), (b.page, status_b)):
            await expect(status).to_have_text("Issued")
            await expect(page.get_by_test_id("invoice-number")).to_have_text(INVOICE_NUMBER)
            await expect(page.get_by_test_id("read-only")).to_contain_text("issued")
            await expect(page.get_by_label("Customer name")).to_be_disabled()
            # Issued: the credit notes panel, nothing credited yet.
            panel = page.get_by_test_id("credit-notes")
            await expect(panel).to_be_visible()
            await expect(panel.get_by_test_id("credit-credited")).to_have_text("€0.00")
            await expect(panel.get_by_test_id("credit-remaining")).to_have_text("€1,620.00")

        # The editor credits the whole invoice (the dialog also offers chosen lines).
        await a.page.get_by_role("button", name="Credit note", exact=True).click()
        dialog = a.page.get_by_role("dialog")
        await expect(dialog.get_by_role("heading")).to_have_text(INVOICE_NUMBER_IN_TITLE)
        line = dialog.get_by_role("checkbox", name=re.compile("Audit, three days"))
        await expect(line).to_be_disabled()
        await dialog.get_by_label("Chosen lines").check()
        await expect(line).to_be_enabled()
        await expect(dialog.locator("[data-line=a]")).to_contain_text("€1,350.00")
        await screenshot(a.page, "credit-note-dialog.png")
        await dialog.get_by_label("The whole invoice").check()
        await dialog.get_by_role("button", name="Create the credit note").click()
        await expect(dialog).to_have_count(0)
        await expect(a.page).not_to_have_url(re.compile(f"{invoice}$"))
        await expect(a.page).to_have_url(EDITOR_URL)
        await connected(a.page)
        credit_note = a.page.url.rsplit("/", 1)[-1]

        # A draft credit note, pre-filled, naming the invoice it credits with a link to it.
        await expect(a.page.get_by_role("heading", level=1)).to_contain_text("Draft credit note")
        reference = a.page.get_by_test_id("credit-reference")
        await expect(reference).to_have_text(
            re.compile(r"^Credit note for F2026-0*1 \(27 Nov 2026\)$")
        )
        await expect(reference.get_by_role("link")).to_have_attribute(
            "href", f"#/invoices/{invoice}"
        )
        await expect(a.page.get_by_label("Customer name")).to_have_value("Maison Roux")
        await expect(a.page.get_by_test_id("invoice-status")).to_have_text("Draft")
        await expect(a.page.get_by_test_id("credit-notes")).to_be_hidden()

        # The approver finds it from the original's panel.
        item = b.page.get_by_test_id("credit-notes").locator(f"li[data-id='{credit_note}']")
        await b.page.get_by_test_id("credit-notes").get_by_role("button", name="Refresh").click()
        await expect(item).to_contain_text("Draft")
        await item.get_by_role("link").click()
        await connected(b.page)
        await expect(b.page.get_by_test_id("credit-reference")).to_be_visible()

        # The same workflow: the editor submits, the approver approves and issues.
        await act(a.page, "submit")
        await expect(b.page.get_by_test_id("invoice-status")).to_have_text("Submitted")
        await act(b.page, "approve")
        await expect(a.page.get_by_test_id("invoice-status")).to_have_text("Approved")
        await b.page.locator(".workflow-actions button[data-action=issue]").click()
        dialog = b.page.get_by_role("dialog")
        await expect(dialog).to_contain_text(
            re.compile(r"Issue A\d{4}-0*1: the credit note can no longer be changed")
        )
        await dialog.locator("button[type=submit]").click()
        for page in (a.page, b.page):
            await expect(page.get_by_test_id("invoice-status")).to_have_text("Issued")
            await expect(page.get_by_test_id("invoice-number")).to_have_text(CREDIT_NUMBER)
            await expect(page.get_by_role("heading", level=1)).to_contain_text("Credit note A")
            await expect(page.get_by_label("Customer name")).to_be_disabled()
            # A credit note is not credited again.
            await expect(page.get_by_role("button", name="Credit note", exact=True)).to_have_count(
                0
            )
        await screenshot(a.page, "credit-note-editor.png", full_page=True)

        # The original: fully credited, so cancelled.
        await a.page.get_by_test_id("credit-reference").get_by_role("link").click()
        await connected(a.page)
        await expect(a.page.get_by_test_id("invoice-status")).to_have_text("Cancelled")
        panel = a.page.get_by_test_id("credit-notes")
        await expect(panel.get_by_test_id("credit-remaining")).to_have_text("€0.00")
        await expect(panel.get_by_test_id("credit-credited")).to_have_text("€1,620.00")
        await expect(panel.locator(f"li[data-id='{credit_note}']")).to_contain_text(
            CREDIT_NUMBER_IN_TEXT
        )
        await expect(a.page.get_by_role("button", name="Credit note", exact=True)).to_have_count(0)

        # The list: the credit note is tagged, the original cancelled.
        await a.page.goto(f"{server.http}/#/invoices")
        note_row = a.page.locator(f"tr[data-id='{credit_note}']")
        await expect(note_row.get_by_test_id("kind")).to_have_text("Credit note")
        await expect(note_row.locator(".status")).to_have_text("Issued")
        original_row = a.page.locator(f"tr[data-id='{invoice}']")
        await expect(original_row.locator(".status")).to_have_text("Cancelled")
        await expect(original_row.get_by_test_id("kind")).to_have_count(0)
        assert a.errors == [] and b.errors == []


async def test_credit_chosen_lines(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    extra = await seed(server.data_dir, users={"abe": Role.APPROVER, "adam": Role.ADMIN})
    abe = extra["abe"]
    invoice = await complete_invoice(running, alice, [("b", "Travel", "100.00")])
    await put_profile(running, extra["adam"])
    await move(running, alice, invoice, "submit")
    await move(running, abe, invoice, "approve")
    await move(running, abe, invoice, "issue")
    async with chromium() as browser:
        a, v = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        # A viewer is not offered a credit note.
        await open_invoice(v.page, server, running.accounts["vera"], invoice)
        await expect(v.page.get_by_test_id("invoice-status")).to_have_text("Issued")
        await expect(v.page.locator(".workflow-actions button")).to_have_count(0)

        await a.page.get_by_role("button", name="Credit note", exact=True).click()
        dialog = a.page.get_by_role("dialog")
        await dialog.get_by_label("Chosen lines").check()
        # None chosen: said in the dialog, nothing sent.
        await dialog.get_by_role("button", name="Create the credit note").click()
        await expect(dialog.get_by_role("alert")).to_have_text("Choose at least one line.")
        await expect(dialog.locator("[data-line=b]")).to_contain_text("€100.00")
        await dialog.get_by_role("checkbox", name=re.compile("Travel")).check()
        await dialog.get_by_role("button", name="Create the credit note").click()
        await expect(dialog).to_have_count(0)
        await expect(a.page.get_by_role("heading", level=1)).to_contain_text("Draft credit note")
        await connected(a.page)
        credit_note = a.page.url.rsplit("/", 1)[-1]
        # Only the chosen line was carried over.
        descriptions = a.page.get_by_label("Description", exact=True)
        await expect(descriptions).to_have_count(1)
        await expect(descriptions).to_have_value("Travel")

        # The original lists the draft; a draft credits nothing yet.
        await a.page.get_by_test_id("credit-reference").get_by_role("link").click()
        await connected(a.page)
        panel = a.page.get_by_test_id("credit-notes")
        await expect(panel.locator(f"li[data-id='{credit_note}']")).to_contain_text("Draft")
        await expect(panel.get_by_test_id("credit-credited")).to_have_text("€0.00")
        await expect(a.page.get_by_test_id("invoice-status")).to_have_text("Issued")
        assert a.errors == [] and v.errors == []
