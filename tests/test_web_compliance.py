"""The official EN 16931 rules in the editor, in a real Chromium: a draft the local checks let
through but the Schematron refuses shows the rule on the field to fix, and the message goes
once the field is fixed."""

from __future__ import annotations

import time
from typing import Any

from playwright.async_api import expect
from pycrdt import Array, Doc, Map

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from tests.conftest import Running
from tests.harness import db_url, new_invoice, seed
from tests.test_web_workflow import put_profile
from tests.web.browser import chromium, new_tab, open_invoice


async def _intra_community_draft(running: Running) -> str:
    """A delivery of goods to a Belgian business (category K, 0 %, VATEX-EU-IC) whose buyer
    has no VAT number: fine by our own checks, refused by BR-IC-02."""
    doc: Doc[Any] = Doc()
    header, lines = doc.get("invoice", type=Map), doc.get("lines", type=Array)
    header["currency"] = "EUR"
    header["issue_date"] = "2026-11-27"
    header["due_date"] = "2026-12-27"
    address = {"line1": "Rue Haute 1", "postcode": "1000", "city": "Bruxelles", "country": "BE"}
    header["customer"] = Map({"name": "Klant NV", "address": Map(address)})
    line = {"id": "a", "description": "Machine", "quantity": "1", "unit_price": "1000.00"}
    code = {"tax_category": "K", "tax_rate": "0", "exemption_code": "VATEX-EU-IC"}
    lines.append(Map({**line, **code}))
    alice = running.accounts["alice"]
    invoice_id = await new_invoice(running.server.data_dir, alice)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, doc.get_update(), alice.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    return invoice_id


async def test_a_broken_rule_shows_on_its_field_and_goes_when_fixed(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    adam = (await seed(server.data_dir, users={"adam": Role.ADMIN}))["adam"]
    await put_profile(running, adam)
    invoice = await _intra_community_draft(running)
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await open_invoice(page, server, alice, invoice)
        field = page.locator(".field[data-field='invoice.customer.vat_id']")
        await expect(field.locator(".issue")).to_contain_text("BR-IC-02", timeout=15_000)
        await expect(field).to_have_class("field invalid")
        await field.locator("input").fill("BE0403019261")
        await expect(field.locator(".issue")).to_have_text("", timeout=15_000)
        assert tab.errors == []
