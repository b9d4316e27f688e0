"""Live co-editing in real browsers: two people in one invoice see each other's typing,
presence and totals; a viewer watches but cannot type; edits made offline converge."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.conftest import Running
from tests.harness import new_invoice
from tests.web.browser import api_document, chromium, new_tab, open_invoice, screenshot


def holder(page: Page, path_end: str, name: str) -> Locator:
    """Who is in a field: focusing a field takes its lock, and the lock badge names the holder
    in place of the presence marker (which it would otherwise cover on narrow fields)."""
    return page.locator(f".field[data-field$='{path_end}'] .lock-badge", has_text=name)


async def test_two_people_edit_one_invoice(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a, b = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, bob, invoice)

        # Each sees the other in the invoice.
        for page, other in ((a.page, "bob"), (b.page, "alice")):
            await expect(page.locator(".avatars li")).to_have_count(2)
            await expect(page.locator(f".avatars li[data-user='{other}']")).to_be_visible()

        # Alice types the customer; Bob sees it as she types, and where she is.
        await a.page.get_by_label("Customer name").press_sequentially("Dupont SARL")
        await expect(b.page.get_by_label("Customer name")).to_have_value("Dupont SARL")
        await expect(
            b.page.locator(".field.peer-here[data-field='invoice.customer.name']")
        ).to_be_visible()
        await expect(b.page.get_by_role("heading", level=1)).to_contain_text("Dupont SARL")

        # Bob adds a line; Alice sees it, and the totals move on both screens.
        await b.page.get_by_role("button", name="Add a line").click()
        bob_line = b.page.get_by_role("group", name="Line 1")
        await bob_line.get_by_label("Description").fill("Consulting")
        await bob_line.get_by_label("Quantity").fill("3")
        await bob_line.get_by_label("Unit price").fill("45")
        alice_line = a.page.get_by_role("group", name="Line 1")
        await expect(alice_line.get_by_label("Description")).to_have_value("Consulting")
        await expect(alice_line.get_by_label("Unit price")).to_have_value("45")
        for page in (a.page, b.page):
            await expect(page.locator("[data-total=gross] dd")).to_have_text("€162.00")

        # Alice edits the same line's description while Bob is in its price: both land.
        await bob_line.get_by_label("Unit price").focus()
        await alice_line.get_by_label("Description").press("End")
        await alice_line.get_by_label("Description").press_sequentially(" — on site")
        await expect(bob_line.get_by_label("Description")).to_have_value("Consulting — on site")
        await expect(holder(a.page, ".unit_price", "bob")).to_be_visible()
        await expect(holder(b.page, ".description", "alice")).to_be_visible()
        await bob_line.get_by_label("Unit price").fill("50")
        await expect(a.page.locator("[data-total=gross] dd")).to_have_text("€180.00")
        await expect(a.page.locator("[data-source]")).to_have_attribute("data-source", "server")
        await a.page.get_by_label("Customer email").fill("compta@dupont.example")
        await a.page.get_by_label("Address", exact=True).fill("12 rue de la Paix")
        await a.page.get_by_label("Postcode", exact=True).fill("75002")
        await a.page.get_by_label("City", exact=True).fill("Paris")
        await a.page.get_by_label("Country code").fill("fr")
        await a.page.get_by_label("Issue date").fill("2026-11-27")
        await a.page.get_by_label("Currency").fill("EUR")
        await a.page.get_by_label("Payment terms").fill("30 days, bank transfer")
        await b.page.get_by_role("button", name="Add a line").click()
        second = b.page.get_by_role("group", name="Line 2")
        await second.get_by_label("Description").fill("Travel, Paris to Lyon")
        await second.get_by_label("Unit price").fill("84.50")
        await second.get_by_label("VAT rate").fill("10")
        await expect(a.page.locator("[data-total=gross] dd")).to_have_text("€272.95")
        await a.page.get_by_label("Due date").focus()
        await expect(holder(b.page, "invoice.due_date", "alice")).to_be_visible()
        await bob_line.get_by_label("Unit price").focus()
        await expect(holder(a.page, ".unit_price", "bob")).to_be_visible()
        await expect(a.page.locator("[data-source]")).to_have_attribute("data-source", "server")
        await screenshot(a.page, "editor-two-people.png", full_page=True)

        # A closed tab disappears at once.
        await b.context.close()
        await expect(a.page.locator(".avatars li")).to_have_count(1)
        await expect(a.page.locator(".field.peer-here")).to_have_count(0)

        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Dupont SARL"
        assert stored["lines"][0]["description"] == "Consulting — on site"
        assert stored["invoice"]["customer"]["address"]["country"] == "FR"
        assert stored["totals"]["gross"] == "272.95"
        assert a.errors == [] and b.errors == []


async def test_a_viewer_sees_changes_but_cannot_type(running: Running) -> None:
    server, alice, vera = running.server, running.accounts["alice"], running.accounts["vera"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a, v = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(v.page, server, vera, invoice)
        await expect(v.page.get_by_test_id("read-only")).to_contain_text("Read only")
        await expect(v.page.get_by_test_id("read-only")).to_contain_text("viewer")
        await expect(v.page.get_by_role("button", name="New invoice")).to_have_count(0)

        await a.page.get_by_label("Customer name").fill("Maison Roux")
        await a.page.get_by_label("Notes", exact=True).press_sequentially("Payment by transfer")
        await a.page.get_by_role("button", name="Add a line").click()
        await expect(v.page.get_by_role("group", name="Line 1")).to_be_visible()
        await expect(v.page.get_by_label("Customer name")).to_have_value("Maison Roux")
        await expect(v.page.get_by_label("Notes", exact=True)).to_have_value("Payment by transfer")
        await expect(v.page.locator(".avatars li[data-user='alice']")).to_be_visible()

        for label in ("Customer name", "Notes", "Due date", "Currency", "Quantity"):
            await expect(v.page.get_by_label(label, exact=True).first).to_be_disabled()
        await expect(v.page.get_by_role("button", name="Add a line")).to_be_disabled()
        await v.page.get_by_label("Customer name").press("X", timeout=1000, no_wait_after=True)
        await expect(v.page.get_by_label("Customer name")).to_have_value("Maison Roux")
        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Maison Roux"
        assert a.errors == [] and v.errors == []


async def test_offline_edits_are_sent_on_reconnect(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a = await new_tab(browser)
        b = await new_tab(browser, locale="fr-FR")  # Bob works in French
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, bob, invoice)
        await a.page.get_by_role("button", name="Add a line").click()
        await expect(b.page.get_by_role("group", name="Ligne 1")).to_be_visible()

        await a.context.set_offline(True)
        connection = a.page.locator(".connection")
        await expect(connection).to_have_attribute("data-state", "offline")
        await a.page.get_by_label("Customer name").fill("Offline Ltd")
        line = a.page.get_by_role("group", name="Line 1")
        await line.get_by_label("Quantity").fill("2")
        await line.get_by_label("Unit price").fill("100")
        await expect(connection).to_contain_text("changes waiting")
        await expect(a.page.locator("[data-total=gross] dd")).to_have_text("€240.00")

        # Meanwhile Bob, online, writes the payment terms with a French decimal comma.
        await b.page.get_by_label("Conditions de paiement").fill("30 jours fin de mois")
        await b.page.get_by_label("Remise sur la facture", exact=True).fill("2,5")
        await expect(b.page.get_by_label("Nom du client")).to_have_value("")

        await a.context.set_offline(False)
        await expect(connection).to_have_attribute("data-state", "connected")
        await expect(connection).to_have_attribute("data-pending", "0")
        await expect(b.page.get_by_label("Nom du client")).to_have_value("Offline Ltd")
        await expect(a.page.get_by_label("Payment terms")).to_have_value("30 jours fin de mois")
        # 200.00 - 2.5 % = 195.00, VAT 20 % = 39.00
        await expect(b.page.locator("[data-total=gross] dd")).to_have_text("234,00\u00a0€")
        await expect(a.page.locator("[data-total=gross] dd")).to_have_text("€234.00")

        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Offline Ltd"
        assert stored["invoice"]["payment_terms"] == "30 jours fin de mois"
        assert stored["invoice"]["discount"]["value"] == "2.5"
        assert (stored["lines"][0]["quantity"], stored["lines"][0]["unit_price"]) == ("2", "100")
        assert stored["totals"]["gross"] == "234.00"
        assert a.errors == [] and b.errors == []
