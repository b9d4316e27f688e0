"""The browser app for one person, in a real Chromium: sign in (and two-factor), the session
across a reload, the invoice list with its filters, creating an invoice and filling it in the
editor with the totals the server computes, picking from the catalogue, signing out."""

from __future__ import annotations

import re

import httpx
import pyotp
from playwright.async_api import expect

from tests.access_helpers import login
from tests.conftest import Running
from tests.harness import YjsClients, new_invoice
from tests.web.browser import api_document, chromium, new_tab, screenshot, sign_in

# Four invoices other people filled, so that the list looks like a Monday morning.
OTHERS = [
    ("Atelier Morel", "2026-11-02", "2026-12-02", "3", "480.00", "20"),
    ("Nordlicht GmbH", "2026-11-10", "2026-12-10", "12", "95.50", "19"),
    ("Boulangerie Lemoine", "2026-11-18", "2026-12-18", "1", "1250.00", "5.5"),
    ("Studio Verde", "2026-11-20", "2026-11-30", "12.", "40", "20"),  # a half-typed quantity
]


async def fill_others(running: Running, yjs: YjsClients) -> None:
    token = await running.server.login(running.accounts["bob"])
    for index, (name, issued, due, quantity, price, rate) in enumerate(OTHERS):
        invoice = await new_invoice(running.server.data_dir, running.accounts["bob"])
        client = f"other{index}"
        await yjs.call("open", name=client, url=running.server.ws, room=invoice, token=token)
        await yjs.synced(client)
        await yjs.call("setNested", name=client, key="customer", fields={"name": name})
        await yjs.call("set", name=client, key="issue_date", value=issued)
        await yjs.call("set", name=client, key="due_date", value=due)
        line = {"id": "a", "description": "Work", "quantity": quantity}
        line |= {"unit_price": price, "tax_rate": rate}
        await yjs.call("pushLine", name=client, line=line)
        await yjs.call("destroy", name=client)


async def test_sign_in_create_an_invoice_and_fill_it(running: Running, yjs: YjsClients) -> None:
    server, alice = running.server, running.accounts["alice"]
    await fill_others(running, yjs)
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await page.goto(server.http)
        await expect(page).to_have_url(re.compile(r"#/login$"))
        await page.get_by_label("Email").fill(alice.email)
        await page.get_by_label("Password").fill("wrong password")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
        await sign_in(page, server, alice)
        await expect(page.get_by_role("heading", name="Invoices")).to_be_visible()

        # The session survives a reload.
        await page.reload()
        await expect(page.get_by_test_id("user")).to_have_text("alice")

        await page.get_by_role("button", name="New invoice").click()
        await expect(page).to_have_url(re.compile(r"#/invoices/[0-9a-f-]{36}$"))
        invoice = page.url.rsplit("/", 1)[1]
        await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")

        await page.get_by_label("Customer name").fill("Dupont SARL")
        await page.get_by_label("Customer email").fill("compta@dupont.example")
        await page.get_by_label("Issue date").fill("2026-11-27")
        await page.get_by_label("Due date").fill("2026-12-27")
        await page.get_by_role("button", name="Add a line").click()
        line = page.get_by_role("group", name="Line 1")
        await line.get_by_label("Description").fill("Audit, three days")
        await line.get_by_label("Quantity").fill("3")
        await line.get_by_label("Unit price").fill("45,00")  # either decimal separator
        await line.get_by_label("VAT rate").fill("21")
        await line.get_by_label("Line discount type").select_option("amount")
        await line.get_by_label("Line discount", exact=True).fill("60")

        totals = page.locator("aside.totals")
        await expect(totals.locator("[data-total=gross] dd")).to_have_text("€90.75")
        await expect(totals.locator("[data-total=tax] dd")).to_have_text("€15.75")
        await expect(totals.locator("[data-source]")).to_have_attribute("data-source", "server")
        await expect(line.locator("output.net")).to_have_text("€75.00")

        # A half-typed number is a message on its field, and the line stops counting.
        await line.get_by_label("Quantity").fill("3,")
        await expect(line.locator("[data-field$='.quantity'] .issue")).to_have_text(
            "Incomplete number."
        )
        await expect(line.get_by_label("Quantity")).to_have_attribute("aria-invalid", "true")
        await expect(totals.locator("[data-total=gross] dd")).to_have_text("€0.00")
        await line.get_by_label("Quantity").fill("3")
        await expect(totals.locator("[data-total=gross] dd")).to_have_text("€90.75")

        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Dupont SARL"
        assert stored["invoice"]["due_date"] == "2026-12-27"
        first = stored["lines"][0]
        assert (first["quantity"], first["unit_price"], first["tax_rate"]) == ("3", "45.00", "21")
        assert first["discount"] == {"kind": "amount", "value": "60"}
        assert first["description"] == "Audit, three days"
        assert stored["totals"]["gross"] == "90.75"

        # The list shows it with its customer and total; search and status filter it.
        await page.get_by_role("link", name="Back to invoices").click()
        row = page.locator(f"tr[data-id='{invoice}']")
        await expect(row).to_contain_text("Dupont SARL")
        await expect(row).to_contain_text("€90.75")
        await expect(page.locator("tbody tr")).to_have_count(5)
        await expect(page.locator("tbody tr", has_text="Studio Verde")).to_contain_text("1")
        await screenshot(page, "invoice-list.png")
        await page.get_by_label("Search customers").fill("dupont")
        await expect(page.locator("tbody tr")).to_have_count(1)
        await page.get_by_label("Search customers").fill("")
        await page.get_by_label("Sort by").select_option("-gross")
        await expect(page.locator("tbody tr").first).to_contain_text("Atelier Morel")
        await page.get_by_label("Status").select_option("paid")
        await expect(page.get_by_text("No invoices match.")).to_be_visible()
        await page.get_by_label("Status").select_option("draft")
        await page.locator(f"tr[data-id='{invoice}'] a").press("Enter")  # keyboard opens it
        await expect(page.get_by_label("Customer name")).to_have_value("Dupont SARL")

        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        assert tab.errors == []


async def test_catalogue_fills_the_customer_and_a_line(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    token = await server.login(alice)
    async with httpx.AsyncClient(
        timeout=30.0, base_url=server.http, headers={"authorization": f"Bearer {token}"}
    ) as http:
        customer = {"name": "Maison Roux", "city": "Lyon", "country": "FR", "postcode": "69002"}
        (await http.post("/api/customers", json=customer)).raise_for_status()
        item = {"name": "Support plan", "unit": "MON", "unit_price": "120.00", "tax_rate": "20"}
        (await http.post("/api/items", json=item)).raise_for_status()
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, server, alice, f"/invoices/{invoice}")
        await page.get_by_label("Fill in from a saved customer").select_option(
            label="Maison Roux, Lyon"
        )
        await expect(page.get_by_label("Customer name")).to_have_value("Maison Roux")
        await expect(page.get_by_label("City", exact=True)).to_have_value("Lyon")
        await page.get_by_label("Add a line from the catalogue").select_option(index=1)
        line = page.get_by_role("group", name="Line 1")
        await expect(line.get_by_label("Description")).to_have_value("Support plan")
        await expect(line.get_by_label("Unit", exact=True)).to_have_value("MON")
        await expect(page.locator("[data-total=gross] dd")).to_have_text("€144.00")
        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["address"]["postcode"] == "69002"
        assert stored["lines"][0]["unit_price"] == "120.00"

        # Reorder and remove lines.
        await page.get_by_role("button", name="Add a line").click()
        second = page.get_by_role("group", name="Line 2")
        await expect(second.get_by_label("Description")).to_be_focused()
        await page.keyboard.type("Set-up fee")
        await second.get_by_label("Unit price").fill("80")
        await page.get_by_role("button", name="Move line 2 up").click()
        await expect(line.get_by_label("Description")).to_have_value("Set-up fee")
        await expect(page.locator("[data-total=gross] dd")).to_have_text("€240.00")
        stored = await api_document(server, alice, invoice)
        assert [x["description"] for x in stored["lines"]] == ["Set-up fee", "Support plan"]
        await page.get_by_role("button", name="Remove line 1").click()
        await expect(page.get_by_role("group", name="Line 2")).to_have_count(0)
        await expect(line.get_by_label("Description")).to_have_value("Support plan")
        await expect(page.locator("[data-source]")).to_have_attribute("data-source", "server")
        stored = await api_document(server, alice, invoice)
        assert [x["description"] for x in stored["lines"]] == ["Support plan"]
        assert tab.errors == []


async def test_two_factor_enrolment_then_sign_in_with_a_code(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, server, alice)
        await page.get_by_role("link", name="Two-factor authentication").click()
        await page.get_by_role("button", name="Set up two-factor authentication").click()
        await expect(
            page.get_by_role("img", name="QR code for your authenticator app")
        ).to_be_visible()
        secret = await page.locator("code.secret").inner_text()
        await page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
        await page.get_by_role("button", name="Turn on").click()
        codes = page.locator("ul.codes li")
        await expect(codes).to_have_count(10)
        first_set = await codes.all_inner_texts()
        await page.get_by_role("button", name="Continue").click()
        await expect(page.get_by_text("Two-factor authentication is on")).to_be_visible()

        # New recovery codes, for one of the old ones: shown once, the old ones dead.
        renew = page.locator("form", has=page.get_by_role("heading", name="New recovery codes"))
        await renew.get_by_label("Authentication code").fill(first_set[0])
        await page.get_by_role("button", name="Make new recovery codes").click()
        await expect(codes).to_have_count(10)
        second_set = await codes.all_inner_texts()
        assert not set(first_set) & set(second_set)
        recovery = second_set[0]
        await page.get_by_role("button", name="Continue").click()
        await expect(page.get_by_text("10 recovery codes left")).to_be_visible()
        assert (await login(server, alice, totp=first_set[1])).status_code == 401

        await page.get_by_role("button", name="Sign out").click()
        await page.get_by_label("Email").fill(alice.email)
        await page.get_by_label("Password").fill(alice.password)
        await page.get_by_role("button", name="Sign in").click()
        code = page.get_by_label("Authentication code")
        await expect(code).to_be_focused()
        await code.fill(recovery)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
        assert tab.errors == []
