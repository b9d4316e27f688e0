"""Per-field locks in real browsers: the field one person is in is locked for the others, who
see the holder and cannot type; leaving the field releases it; an admin can break a lock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from server.auth.permissions import Role
from tests.conftest import Running, server_with
from tests.harness import new_invoice
from tests.web.browser import api_document, chromium, new_tab, open_invoice, screenshot


def field(page: Page, path: str) -> Locator:
    return page.locator(f".field[data-field='{path}']")


def lock_badge(page: Page, path: str) -> Locator:
    return page.locator(f".field.locked[data-field='{path}'] .lock-badge")


@pytest.fixture
async def with_admin(tmp_path: Path) -> AsyncIterator[Running]:
    """Two editors and an administrator of one organization, and a server."""
    async with server_with(
        tmp_path, {"alice": Role.EDITOR, "bob": Role.EDITOR, "adam": Role.ADMIN}
    ) as started:
        yield started


async def test_a_focused_field_is_locked_for_the_others(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a, b = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, bob, invoice)
        await expect(b.page.locator(".avatars li")).to_have_count(2)

        # Alice is in the customer name: Bob sees it locked by her and cannot type there.
        await a.page.get_by_label("Customer name").press_sequentially("Dupont")
        name = b.page.get_by_label("Customer name")
        await expect(lock_badge(b.page, "invoice.customer.name")).to_contain_text("alice")
        await expect(name).not_to_be_editable()
        await expect(name).to_have_accessible_description("Locked: alice is editing this field")
        await expect(b.page.get_by_role("button", name="Break lock")).to_have_count(0)
        await name.click(force=True)
        await name.press_sequentially("XYZ")
        await expect(name).to_have_value("Dupont")
        # Her own tab shows no lock; she keeps typing and Bob sees it.
        await expect(a.page.locator(".field.locked")).to_have_count(0)
        await a.page.get_by_label("Customer name").press_sequentially(" SARL")
        await expect(name).to_have_value("Dupont SARL")

        # A line: Alice in its unit price locks that field and keeps the line from being
        # removed or moved by Bob; its description stays free.
        await a.page.get_by_role("button", name="Add a line").click()
        a_line = a.page.get_by_role("group", name="Line 1")
        b_line = b.page.get_by_role("group", name="Line 1")
        await a_line.get_by_label("Description").fill("Audit")
        await a_line.get_by_label("Unit price").fill("120")
        await expect(b_line.get_by_label("Unit price")).not_to_be_editable()
        await expect(b_line.locator(".lock-badge")).to_contain_text("alice")
        await expect(b_line.get_by_role("button", name="Remove line 1")).to_be_disabled()
        await expect(b_line.get_by_label("Description")).to_be_editable()
        # Leaving the customer name released it (one field at a time).
        await expect(name).to_be_editable()
        await expect(lock_badge(b.page, "invoice.customer.name")).to_have_count(0)
        await b_line.get_by_label("Description").press("End")
        await b_line.get_by_label("Description").press_sequentially(" and advice")
        await expect(a_line.get_by_label("Description")).to_have_value("Audit and advice")
        await screenshot(b.page, "editor-locked-field.png")

        # Alice leaves the line: the price is Bob's to change, and the line his to remove.
        await a.page.get_by_label("Payment terms").focus()
        await expect(b_line.get_by_label("Unit price")).to_be_editable()
        await expect(b_line.get_by_role("button", name="Remove line 1")).to_be_enabled()
        await expect(lock_badge(b.page, "invoice.payment_terms")).to_contain_text("alice")
        await b_line.get_by_label("Unit price").fill("150")
        await expect(a_line.get_by_label("Unit price")).to_have_value("150")
        # Now Bob holds the price: Alice cannot type in it.
        await expect(a_line.get_by_label("Unit price")).not_to_be_editable()
        await expect(a_line.locator(".lock-badge")).to_contain_text("bob")

        # A closed tab releases its locks at once.
        await b.context.close()
        await expect(a_line.get_by_label("Unit price")).to_be_editable()
        await expect(a.page.locator(".field.locked")).to_have_count(0)

        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["customer"]["name"] == "Dupont SARL"
        assert stored["lines"][0]["description"] == "Audit and advice"
        assert stored["lines"][0]["unit_price"] == "150"
        assert a.errors == [] and b.errors == []


async def test_an_admin_breaks_a_lock(with_admin: Running) -> None:
    server, accounts = with_admin.server, with_admin.accounts
    alice, adam = accounts["alice"], accounts["adam"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a, d = await new_tab(browser), await new_tab(browser, locale="fr-FR")
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(d.page, server, adam, invoice)
        await a.page.get_by_label("Buyer reference").press_sequentially("PO-1")

        due = "invoice.buyer_reference"
        await expect(lock_badge(d.page, due)).to_contain_text("alice")
        await expect(d.page.get_by_label("Référence de l'acheteur")).not_to_be_editable()
        breaker = d.page.get_by_role("button", name="Forcer le verrou de alice sur ce champ")
        await breaker.click()
        await expect(lock_badge(d.page, due)).to_have_count(0)
        await expect(d.page.get_by_label("Référence de l'acheteur")).to_be_editable()
        # Alice is told, and does not take it back while she stays in the field.
        released = a.page.locator(".notice", has_text="Your lock on this field was released")
        await expect(released).to_be_visible()
        await d.page.get_by_label("Référence de l'acheteur").fill("PO-2")
        await expect(a.page.get_by_label("Buyer reference")).to_have_value("PO-2")
        await expect(lock_badge(a.page, due)).to_contain_text("adam")

        stored = await api_document(server, alice, invoice)
        assert stored["invoice"]["buyer_reference"] == "PO-2"
        assert a.errors == [] and d.errors == []
