"""The rough edges a new user hit (issue 13) in the editor's fields, in a real Chromium: numbers
typed with a thousands separator, a new invoice's defaults, incomplete totals, the keyboard's
tab stops and country codes. A phone's width, lock badges on narrow fields and the live
notifications badge are in tests/test_web_rough_edges_display.py, which uses the helpers here."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Locator, Page, expect

from tests.conftest import Running
from tests.harness import Account, ServerProcess, new_invoice, wait_for
from tests.web.browser import TIMEZONE, api_document, chromium, new_tab, open_invoice, sign_in


async def api(server: ServerProcess, account: Account) -> httpx.AsyncClient:
    token = await server.login(account)
    return httpx.AsyncClient(
        timeout=30.0, base_url=server.http, headers={"authorization": f"Bearer {token}"}
    )


async def add_line(page: Page, n: int) -> Locator:
    await page.get_by_role("button", name="Add a line").click()
    return page.get_by_role("group", name=f"Line {n}")


async def stored_line(server: ServerProcess, account: Account, invoice: str) -> dict[str, Any]:
    line: dict[str, Any] = (await api_document(server, account, invoice))["lines"][0]
    return line


# -- 1. numbers --------------------------------------------------------------------------------


async def test_a_thousands_separator_never_changes_an_amount_silently(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        en, fr = await new_tab(browser), await new_tab(browser, locale="fr-FR")
        await open_invoice(en.page, server, alice, invoice)
        line = await add_line(en.page, 1)
        price = line.get_by_label("Unit price")
        issue = line.locator("[data-field$='.unit_price'] .issue")
        parsed = line.locator("[data-field$='.unit_price'] .parsed")

        # English: "1,000" is a thousand (the comma groups thousands here), and the field says
        # how it read it while the person types.
        await price.fill("1,000")
        await expect(issue).to_be_empty()
        await expect(parsed).to_have_text("= 1,000")
        await stored_price(server, alice, invoice, "1000")
        await price.fill("1000.5")
        await expect(parsed).to_have_text("= 1,000.5")
        # "1.000" could be one or a thousand: refused, said on the field, nothing kept.
        await price.fill("1.000")
        await expect(issue).to_have_text("“1.000” could be 1 or 1000: type 1 or 1000.")
        await expect(price).to_have_attribute("aria-invalid", "true")
        await expect(parsed).to_be_hidden()  # no reading to show
        await stored_price(server, alice, invoice, "")
        await line.get_by_label("Quantity").focus()
        await expect(price).to_have_value("1.000")  # kept as typed, to be corrected
        await price.fill("1,234.5")
        await expect(issue).to_be_empty()
        await stored_price(server, alice, invoice, "1234.5")
        await expect(parsed).to_have_text("= 1,234.5")
        await line.get_by_label("Quantity").focus()
        await expect(parsed).to_be_hidden()  # said while typing only
        await price.focus()
        # Misplaced separators are refused too.
        await price.fill("12,34,5")
        await expect(issue).to_contain_text("thousands separators are misplaced")

        # French: "1,000" and "1.000" are both ambiguous; "1 000" and "12,5" are not.
        await line.get_by_label("Description").focus()  # Alice leaves the price (its lock)
        await open_invoice(fr.page, server, bob, invoice)
        fr_line = fr.page.get_by_role("group", name="Ligne 1")
        fr_price = fr_line.get_by_label("Prix unitaire")
        fr_issue = fr_line.locator("[data-field$='.unit_price'] .issue")
        await fr_price.fill("1,000")
        await expect(fr_issue).to_have_text("« 1,000 » peut se lire 1 ou 1000 : tapez 1 ou 1000.")
        await stored_price(server, alice, invoice, "")
        await fr_price.fill("1.000")
        await expect(fr_issue).not_to_be_empty()
        await fr_price.fill("1 000,5")
        await expect(fr_line.locator("[data-field$='.unit_price'] .parsed")).to_have_text(
            re.compile(r"^= 1\s000,5$")
        )
        await fr_price.fill("1 000")
        await expect(fr_issue).to_be_empty()
        await stored_price(server, alice, invoice, "1000")
        await fr_price.fill("12,5")
        await stored_price(server, alice, invoice, "12.5")
        await expect(price).to_have_value("12.5")  # shown in English spelling to Alice
        assert en.errors == [] and fr.errors == []


async def stored_price(server: ServerProcess, account: Account, invoice: str, price: str) -> None:
    async def check() -> bool:
        return bool((await stored_line(server, account, invoice)).get("unit_price", "") == price)

    await wait_for(check, what=f"unit price {price!r} stored")


# -- 4. a new invoice's defaults ---------------------------------------------------------------


async def test_a_new_invoice_starts_in_euros_dated_today(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    async with chromium() as browser:
        a, b = await new_tab(browser), await new_tab(browser)
        await sign_in(a.page, server, alice)
        await a.page.get_by_role("button", name="New invoice").click()
        await expect(a.page.locator(".connection")).to_have_attribute("data-state", "connected")
        invoice = a.page.url.rsplit("/", 1)[1]
        # The browser's today, in its time zone: from 23:00 UTC Paris is a day ahead.
        today = datetime.datetime.now(ZoneInfo(TIMEZONE)).date()
        await expect(a.page.get_by_label("Currency")).to_have_value("EUR")
        await expect(a.page.get_by_label("Issue date")).to_have_value(today.strftime("%d/%m/%Y"))
        stored = (await api_document(server, alice, invoice))["invoice"]
        assert (stored["currency"], stored["issue_date"]) == ("EUR", today.isoformat())

        # Someone else opening it sees the same values and writes nothing of their own; a
        # reload of the creator's tab writes nothing again either.
        await a.page.get_by_label("Issue date").fill("2026-11-27")
        await open_invoice(b.page, server, bob, invoice)
        await expect(b.page.get_by_label("Issue date")).to_have_value("27/11/2026")
        await a.page.reload()
        await expect(a.page.locator(".connection")).to_have_attribute("data-state", "connected")
        await expect(a.page.get_by_label("Issue date")).to_have_value("27/11/2026")
        stored = (await api_document(server, alice, invoice))["invoice"]
        assert stored["issue_date"] == "2026-11-27"

        # An invoice made elsewhere (no creator's tab here) is not filled, but its empty
        # currency field says which currency the totals use.
        other = await new_invoice(server.data_dir, alice)
        await b.page.goto(f"{server.http}/#/invoices/{other}")
        await expect(b.page.locator(".connection")).to_have_attribute("data-state", "connected")
        await expect(b.page.get_by_label("Currency")).to_have_attribute("placeholder", "EUR")
        assert (await api_document(server, alice, other))["invoice"].get("issue_date") is None
        assert a.errors == [] and b.errors == []


# -- 7. incomplete totals ----------------------------------------------------------------------


async def test_totals_that_leave_lines_out_say_so(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await open_invoice(page, server, alice, invoice)
        totals = page.locator("aside.totals")
        first = await add_line(page, 1)
        await first.get_by_label("Unit price").fill("100")
        await expect(totals.locator("[data-source]")).to_have_attribute("data-source", "server")
        await expect(totals.locator("[data-source]")).to_have_text("✓ Checked by the server")
        second = await add_line(page, 2)
        await second.get_by_label("Unit price").fill("abc")
        third = await add_line(page, 3)
        await third.get_by_label("Unit price").fill("10")
        await third.get_by_label("Quantity").fill("2,")
        await expect(totals.get_by_test_id("totals-incomplete")).to_have_text(
            "2 lines not counted: these totals are incomplete."
        )
        await expect(totals.locator("[data-source]")).to_have_attribute("data-source", "server")
        source = totals.locator("[data-source]")
        await expect(source).to_have_text("Incomplete totals, checked by the server")
        await expect(source).not_to_have_class("source server")
        await third.get_by_label("Quantity").fill("2")
        await expect(totals.get_by_test_id("totals-incomplete")).to_have_text(
            "1 line not counted: these totals are incomplete."
        )
        assert tab.errors == []


# -- 8. keyboard -------------------------------------------------------------------------------


async def focused_label(page: Page) -> str:
    label: str = await page.evaluate(
        "() => { const e = document.activeElement; return e?.labels?.[0]?.textContent"
        " ?? e?.getAttribute('aria-label') ?? e?.textContent ?? '' }"
    )
    return label


async def test_one_tab_stop_per_field_and_a_shortcut_to_comment(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await open_invoice(page, server, alice, invoice)
        await page.get_by_label("Customer name").focus()
        order = ["Customer name"]
        for _ in range(11):
            await page.keyboard.press("Tab")
            order.append(await focused_label(page))
        assert order == [
            "Customer name",
            "Customer email",
            "Address",
            "Address, second line",
            "Postcode",
            "City",
            "Country code",
            "VAT number",
            "SIREN or SIRET",
            *order[9:],
        ], order
        await page.get_by_label("Issue date").focus()
        await page.keyboard.type("27/11/2026")
        await page.keyboard.press("Tab")
        await expect(page.get_by_label("Due date")).to_be_focused()
        await page.keyboard.press("Shift+Tab")
        await expect(page.get_by_label("Issue date")).to_be_focused()
        stored = (await api_document(server, alice, invoice))["invoice"]
        assert stored["issue_date"] == "2026-11-27"

        # The comment buttons are out of the tab order; the shortcut opens the composer.
        await page.get_by_label("City", exact=True).focus()
        await page.keyboard.press("Control+Alt+KeyM")
        composer = page.get_by_role("textbox", name="Comment", exact=True)
        await expect(composer).to_be_focused()
        await expect(page.locator(".composer select")).to_contain_text("City")
        assert tab.errors == []


# -- 10. country codes -------------------------------------------------------------------------


async def test_a_country_must_be_an_iso_3166_code(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice = await new_invoice(server.data_dir, alice)
    async with await api(server, alice) as http:
        refused = await http.post("/api/customers", json={"name": "Nowhere", "country": "XX"})
        assert refused.status_code == 400, refused.text
        assert "ISO 3166" in refused.text
        ok = await http.post("/api/customers", json={"name": "Somewhere", "country": "BE"})
        assert ok.status_code == 201, ok.text
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await open_invoice(page, server, alice, invoice)
        country = page.get_by_label("Country code")
        issue = page.locator("[data-field='invoice.customer.address.country'] .issue")
        await country.fill("xx")
        await expect(issue).to_have_text("Use a two-letter country code, such as FR.")
        await expect(page.locator("[data-source]")).to_have_attribute("data-source", "server")
        stored = await api_document(server, alice, invoice)
        codes = [(i["path"], i["code"]) for i in stored["validation"]]
        assert ("invoice.customer.address.country", "invalid_country") in codes
        # The field offers the countries by name.
        options = page.locator(f"datalist#{await country.get_attribute('list')} option")
        await expect(options.and_(page.locator("[value=FR]"))).to_have_text("France")
        assert await options.count() > 240
        await country.fill("de")
        await expect(issue).to_be_empty()
        assert tab.errors == []
