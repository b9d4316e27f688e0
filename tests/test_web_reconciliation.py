"""Bank reconciliation and the payment page's link in a real browser (issue 16, docs/web.md
"Getting paid"). An accountant imports tests/data/camt053_example.xml on `#/reconciliation`
into an organization with F2026-000001 to 000004 (162.00 EUR each, tests/test_reconciliation_api.py)
and sees its four credits with the server's verdicts and suggestions; a credit matched
meanwhile by someone else is refused in its own card (409 already matched); confirming the
exact one records the payment and the invoice shows "Paid"; an unknown credit is ignored. On an
issued invoice's payments panel the accountant shows the public payment link, replaces it (the
old one is then a 404), and the new link opens signed out, in a fresh browser, on the amount
and the EPC QR code. The pages pass axe; screenshots in docs/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests.access_helpers import api
from tests.test_payments_api import Shop
from tests.test_payments_api import sqlite_shop as sqlite_shop
from tests.test_reconciliation_api import _four
from tests.web.axe import axe_tab, violations
from tests.web.browser import chromium, open_invoice, screenshot, sign_in

CAMT = Path(__file__).parent / "data" / "camt053_example.xml"


async def no_violations(page: Page, where: str) -> None:
    await page.wait_for_load_state("networkidle")
    found = await violations(page)
    assert found == [], f"{where}: {found}"


async def test_a_statement_is_imported_and_reconciled(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    client, bernard, dupont_a, dupont_b = await _four(shop)
    async with chromium() as browser:
        tab = await axe_tab(browser)
        page = tab.page
        await sign_in(page, shop.server, shop.accounts["cora"], "/reconciliation")
        main = page.locator("main")
        await expect(main.get_by_role("navigation", name="Getting paid")).to_contain_text(
            "Reconciliation"
        )
        await expect(main).to_contain_text("Nothing to reconcile.")
        await expect(main).to_contain_text("No statement imported yet.")

        # Import without a file: said under the file field.
        form = page.get_by_test_id("import-form")
        await form.get_by_role("button", name="Import").click()
        await expect(form.get_by_label("Statement file")).to_have_attribute("aria-invalid", "true")
        await form.get_by_label("Statement file").set_input_files(CAMT)
        await form.get_by_role("button", name="Import").click()
        await expect(form.get_by_test_id("import-done")).to_have_text(
            "Imported: 4 new credits, 0 already known; debits skipped: 1."
        )
        cards = page.locator("article.recon-line")
        await expect(cards).to_have_count(4)
        matches = [await card.get_attribute("data-match") for card in await cards.all()]
        assert matches == ["exact", "partial", "ambiguous", "unknown"]
        exact, partial, ambiguous, unknown = (cards.nth(n) for n in range(4))
        await expect(exact.locator("h3")).to_have_text("€162.00 on 2 Dec 2026 Exact match")
        await expect(exact).to_contain_text("From CLIENT SA")
        await expect(exact).to_contain_text("RF82F2026000001 (structured)")
        row = exact.locator(f"tbody tr[data-invoice='{client}']")
        await expect(row).to_contain_text("F2026-000001")
        await expect(row).to_contain_text("Client SA")
        await expect(row).to_contain_text("€162.00")
        await expect(row).to_contain_text("RF reference")
        await expect(partial.locator("h3")).to_contain_text("Partial payment")
        await expect(partial.locator("tbody tr")).to_have_count(1)
        await expect(partial.locator("tbody tr")).to_contain_text("invoice number")
        await expect(ambiguous.locator("h3")).to_contain_text("Several candidates")
        await expect(ambiguous.locator("tbody tr")).to_have_count(2)
        await expect(ambiguous.locator("tbody tr").first).to_contain_text("amount and name")
        await expect(unknown).to_contain_text("No invoice matches this credit.")
        statements = page.locator("table.statements tbody tr")
        await expect(statements).to_have_count(1)
        await expect(statements.first).to_contain_text("2026-12-02-FR76-3000")
        await expect(statements.first).to_contain_text("4 open, 0 matched, 0 ignored")
        await no_violations(page, "reconciliation")
        await screenshot(page, "reconciliation.png", full_page=True)

        # Someone else confirms the deposit meanwhile: the browser's confirmation is refused
        # in the credit's card, and nothing else moves.
        line_id = await partial.get_attribute("data-id")
        async with api(shop.server, shop.bearers["adam"]) as http:
            r = await http.post(
                f"/api/statements/lines/{line_id}/confirm", json={"invoice_id": bernard}
            )
            assert r.status_code == 200, r.text
        await partial.get_by_role("button", name="Confirm F2026-000002 for €100.00").click()
        await expect(partial.get_by_role("alert")).to_have_text(
            "This credit is already matched to an invoice."
        )
        await expect(cards).to_have_count(4)

        # The exact credit confirmed: the payment is recorded, the invoice is paid.
        await exact.get_by_role("button", name="Confirm F2026-000001 for €162.00").click()
        await expect(page.get_by_test_id("recon-done")).to_have_text(
            "€162.00 recorded on F2026-000001: Paid."
        )
        await expect(cards).to_have_count(2)  # the two matched lines are no longer open
        await expect(cards.first).to_have_attribute("data-match", "ambiguous")
        # The unknown credit is set aside.
        await cards.nth(1).get_by_role("button", name="Ignore the credit of €75.30").click()
        await expect(page.get_by_test_id("recon-done")).to_contain_text("€75.30")
        await expect(cards).to_have_count(1)
        await expect(statements.first).to_contain_text("1 open, 2 matched, 1 ignored")
        await no_violations(page, "reconciliation after confirming")
        assert tab.errors == []

        # The invoice says so: its status and its payments panel.
        await page.goto(f"{shop.server.http}/#/invoices/{client}")
        await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")
        await expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
        panel = page.get_by_test_id("payments")
        await expect(panel.get_by_test_id("pay-paid")).to_have_text("€162.00")
        await expect(panel.get_by_test_id("pay-outstanding")).to_have_text("€0.00")
        await expect(panel.locator(".payment-list li")).to_have_text(
            [re.compile(r"2 Dec 2026 · Bank transfer · 2026120200001\s*€162.00")]
        )
        assert tab.errors == []

    async with api(shop.server, shop.bearers["cora"]) as http:
        paid = (await http.get(f"/api/invoices/{client}/payments")).json()
        assert paid["status"] == "paid" and len(paid["items"]) == 1
        assert (await http.get(f"/api/invoices/{dupont_a}/payments")).json()["items"] == []
        assert (await http.get(f"/api/invoices/{dupont_b}/payments")).json()["items"] == []


async def test_the_payment_link_and_the_public_page(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    invoice = (await _four(shop))[0]
    async with chromium() as browser:
        tab = await axe_tab(browser)
        page = tab.page
        await open_invoice(page, shop.server, shop.accounts["cora"], invoice)
        box = page.get_by_test_id("payment-link-box")
        await box.get_by_text("Payment page link").first.click()
        await box.get_by_role("button", name="Show the payment page link").click()
        link = box.get_by_label("Payment page link")
        await expect(link).to_have_value(re.compile(r"^http://.+/pay/[\w-]+\.[\w-]+$"))
        first = await link.input_value()
        await expect(box.get_by_role("link", name="Open the page")).to_have_attribute("href", first)
        await no_violations(page, "payments panel with the payment link")

        # A new link, asked first; the old one is then unknown.
        await box.get_by_role("button", name="New link").click()
        dialog = page.get_by_role("dialog")
        await expect(dialog).to_contain_text("stops working at once")
        await dialog.get_by_role("button", name="Make a new link").click()
        await expect(dialog).to_have_count(0)
        await expect(box.get_by_role("status")).to_have_text(
            "New link made: the old one no longer works."
        )
        await expect(link).not_to_have_value(first)
        second = await link.input_value()
        assert "/pay/" in second
        async with httpx.AsyncClient(timeout=30.0) as http:
            assert (await http.get(first)).status_code == 404
        assert tab.errors == []

        # Signed out, in a browser that never signed in: the amount and the EPC QR code.
        stranger = await axe_tab(browser)
        await stranger.page.goto(second)
        await expect(stranger.page.locator("#outstanding")).to_contain_text("162,00")
        qr = stranger.page.locator("figure.qr svg")
        await expect(qr).to_be_visible()
        await expect(stranger.page.locator("#reference")).to_contain_text("RF82")
        assert await stranger.page.evaluate("localStorage.length") == 0
        await no_violations(stranger.page, "the public payment page")
        await screenshot(stranger.page, "payment-page.png", full_page=True)
        assert stranger.errors == []
