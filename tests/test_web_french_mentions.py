"""The French mentions of 2026 in the editor, in a real Chromium: the deliver-to address is
folded away until asked for, and it and the nature of the operations edit the shared document
(read back through the REST API, as the server stores it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from playwright.async_api import expect

from tests.conftest import Running
from tests.harness import new_invoice
from tests.web.browser import api_document, chromium, new_tab, open_invoice


async def _stored(
    running: Running, invoice: str, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The header once `ready` says the server holds the edits (they reach it asynchronously)."""
    deadline = time.monotonic() + 10
    while True:
        header: dict[str, Any] = (
            await api_document(running.server, running.accounts["alice"], invoice)
        )["invoice"]
        if ready(header):
            return header
        assert time.monotonic() < deadline, header
        await asyncio.sleep(0.1)  # polled against a deadline, never a bare wait


async def test_delivery_address_and_nature_edit_the_document(running: Running) -> None:
    alice = running.accounts["alice"]
    invoice = await new_invoice(running.server.data_dir, alice)
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await open_invoice(page, running.server, alice, invoice)
        delivery = page.get_by_test_id("delivery")
        await expect(delivery).not_to_have_attribute("open", "")  # folded by default
        await delivery.locator("summary").click()
        await delivery.get_by_label("Deliver to (name)").fill("Entrepôt Nord")
        await delivery.get_by_label("City").fill("Lille")
        # A deliver-to address without its country is refused by EN 16931 (BR-57).
        country = delivery.locator(".field[data-field='invoice.delivery.address.country']")
        await expect(country.locator(".issue")).not_to_have_text("")
        await country.locator("input").fill("fr")
        await expect(country.locator(".issue")).to_have_text("")
        await page.get_by_label("Nature of operations").select_option("services")

        header = await _stored(
            running,
            invoice,
            lambda h: (
                h.get("operations") == "services"
                and h.get("delivery", {}).get("address", {}).get("country") == "FR"
            ),
        )
        assert header["delivery"] == {
            "name": "Entrepôt Nord",
            "address": {"city": "Lille", "country": "FR"},
        }
        assert tab.errors == []
