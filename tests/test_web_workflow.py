"""The approval workflow in real browsers: an editor submits a complete invoice, an approver
(another user, watching live) approves and issues it; the number appears in both editors'
headers and in the list, and the editor's page turns read-only. A refusal (issuing without a
seller profile) is shown as the server words it, and so is a transition decided on a state
someone else has moved since. The assignee, the named versions (a restore converging both
editors), the seller-profile page and the approval rules beside it, with the server's checks
under their fields."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

import httpx
from playwright.async_api import Page, expect
from pycrdt import Array, Doc, Map

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from tests.conftest import Running
from tests.harness import Account, db_url, new_invoice, seed
from tests.test_organization_profile import PROFILE
from tests.web.browser import chromium, new_tab, open_invoice, screenshot, sign_in

NUMBER = re.compile(r"^F2026-0*1$")


async def complete_invoice(
    running: Running, creator: Account, more: Sequence[tuple[str, str, str]] = ()
) -> str:
    """A new invoice whose stored document is ready to submit (written before any room loads):
    the line `a` and `more` lines (id, description, unit price)."""
    doc: Doc[Any] = Doc()
    header, lines = doc.get("invoice", type=Map), doc.get("lines", type=Array)
    header["currency"] = "EUR"
    header["issue_date"] = "2026-11-27"
    header["due_date"] = "2026-12-27"
    address = {"line1": "12 rue de la Paix", "postcode": "75002", "city": "Paris", "country": "FR"}
    header["customer"] = Map({"name": "Maison Roux", "address": Map(address)})
    line = {"id": "a", "description": "Audit, three days", "quantity": "3"}
    lines.append(Map({**line, "unit_price": "450.00", "tax_rate": "20"}))
    for line_id, description, price in more:
        extra = {"id": line_id, "description": description, "quantity": "1"}
        lines.append(Map({**extra, "unit_price": price, "tax_rate": "20"}))
    invoice_id = await new_invoice(running.server.data_dir, creator)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, doc.get_update(), creator.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    return invoice_id


async def put_profile(running: Running, admin: Account) -> None:
    token = await running.server.login(admin)
    async with httpx.AsyncClient(timeout=30.0, base_url=running.server.http) as http:
        r = await http.put(
            f"/api/orgs/{admin.org_id}/profile",
            json=PROFILE,
            headers={"authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text


async def act(page: Page, action: str, *, reason: str = "") -> None:
    """Press the workflow button `action` and confirm it in the dialog."""
    await page.locator(f".workflow-actions button[data-action={action}]").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    if reason:
        await dialog.get_by_role("textbox").fill(reason)
    await dialog.locator("button[type=submit]").click()


async def test_submit_approve_issue_in_two_browsers(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    extra = await seed(server.data_dir, users={"abe": Role.APPROVER, "adam": Role.ADMIN})
    abe, adam = extra["abe"], extra["adam"]
    invoice = await complete_invoice(running, alice)
    async with chromium() as browser:
        a, b = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, abe, invoice)
        status_a, status_b = (p.get_by_test_id("invoice-status") for p in (a.page, b.page))
        await expect(status_a).to_have_text("Draft")
        await expect(a.page.get_by_test_id("read-only")).to_be_hidden()
        # An editor may submit or discard a draft, never approve or issue.
        buttons = a.page.locator(".workflow-actions button")
        await expect(buttons).to_have_text(["Submit", "Discard"])

        # The confirmation says what will happen; cancelling does nothing.
        await a.page.get_by_role("button", name="Submit").click()
        dialog = a.page.get_by_role("dialog")
        await expect(dialog).to_contain_text("can no longer be edited")
        await dialog.get_by_role("button", name="Cancel").click()
        await expect(dialog).to_have_count(0)
        await expect(status_a).to_have_text("Draft")

        await act(a.page, "submit")
        await expect(status_a).to_have_text("Submitted")
        await expect(a.page.get_by_test_id("read-only")).to_contain_text("submitted")
        await expect(a.page.get_by_label("Customer name")).to_be_disabled()
        await expect(buttons).to_have_text(["Reopen"])  # an editor may withdraw it

        # The approver, watching, sees the new state live and may approve or reject.
        await expect(status_b).to_have_text("Submitted")
        await expect(b.page.get_by_label("Customer name")).to_be_disabled()
        await expect(b.page.locator(".workflow-actions button")).to_have_text(
            ["Approve", "Reject", "Reopen"]
        )
        await act(b.page, "approve")
        await expect(status_b).to_have_text("Approved")
        await expect(status_a).to_have_text("Approved")
        await expect(buttons).to_have_count(0)  # the editor has nothing to do now

        # Issuing without a seller profile: the server refuses, the dialog says why.
        await act(b.page, "issue")
        refusal = b.page.get_by_role("dialog").get_by_role("alert")
        await expect(refusal).to_be_visible()
        await expect(refusal).not_to_be_empty()
        await b.page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        await expect(status_b).to_have_text("Approved")
        await expect(b.page.get_by_test_id("invoice-number")).to_be_hidden()

        await put_profile(running, adam)
        await b.page.locator(".workflow-actions button[data-action=issue]").click()
        # The confirmation names the number the invoice will take.
        await expect(b.page.get_by_role("dialog")).to_contain_text(
            re.compile(r"Issue F2026-0*1: the invoice can no longer be changed")
        )
        await b.page.get_by_role("dialog").locator("button[type=submit]").click()
        for page, status in ((a.page, status_a), (b.page, status_b)):
            await expect(status).to_have_text("Issued")
            await expect(page.get_by_test_id("invoice-number")).to_have_text(NUMBER)
            await expect(page.get_by_role("heading", level=1)).to_contain_text("Invoice F2026-")
            await expect(page.get_by_test_id("read-only")).to_contain_text("issued")
            await expect(page.get_by_label("Customer name")).to_be_disabled()
            await expect(page.get_by_role("button", name="Add a line")).to_be_disabled()
            # No transition is left; a credit note is what corrects an issued invoice.
            await expect(page.locator(".workflow-actions button")).to_have_text(["Credit note"])
        await screenshot(a.page, "editor-issued.png")

        # A reload keeps it so, and the list shows the number and the status.
        await a.page.reload()
        await expect(status_a).to_have_text("Issued")
        await expect(a.page.get_by_label("Customer name")).to_be_disabled()
        await a.page.goto(f"{server.http}/#/invoices")
        row = a.page.locator(f"tr[data-id='{invoice}']")
        await expect(row.locator("td").first).to_have_text(NUMBER)
        await expect(row.locator(".status")).to_have_text("Issued")
        assert a.errors == [] and b.errors == []


async def test_reject_needs_a_reason_and_returns_the_draft(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    abe = (await seed(server.data_dir, users={"abe": Role.APPROVER}))["abe"]
    invoice = await complete_invoice(running, alice)
    async with chromium() as browser:
        a, b = await new_tab(browser), await new_tab(browser, locale="fr-FR")
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, abe, invoice)
        await act(a.page, "submit")
        await expect(b.page.get_by_test_id("invoice-status")).to_have_text("Soumise")
        await b.page.get_by_role("button", name="Refuser").click()
        dialog = b.page.get_by_role("dialog")
        await dialog.locator("button[type=submit]").click()
        await expect(dialog.get_by_role("alert")).to_have_text("Indiquez un motif.")
        await dialog.get_by_label("Motif du refus").fill("Le prix unitaire est faux")
        await dialog.locator("button[type=submit]").click()
        await expect(dialog).to_have_count(0)
        # Back to draft: both can edit again.
        for page, status in ((a.page, "Draft"), (b.page, "Brouillon")):
            await expect(page.get_by_test_id("invoice-status")).to_have_text(status)
            await expect(page.get_by_test_id("read-only")).to_be_hidden()
        await expect(a.page.get_by_label("Customer name")).to_be_enabled()
        await a.page.get_by_label("Customer name").fill("Maison Roux et fils")
        await expect(b.page.get_by_label("Nom du client")).to_have_value("Maison Roux et fils")

        # The history panel names who changed the customer's name, from what to what.
        panel = a.page.locator("section.history")
        await panel.get_by_role("button", name="Show").click()
        entry = panel.locator("li[data-path='invoice.customer.name']").first
        await expect(entry).to_contain_text("alice")
        await expect(entry).to_contain_text("Customer name")
        await expect(entry.locator("del")).to_have_text("Maison Roux")
        await expect(entry.locator("ins")).to_have_text("Maison Roux et fils")
        await expect(entry.locator("time")).not_to_be_empty()
        await expect(panel.locator("li[data-path='lines.a']")).to_contain_text("Audit, three days")
        await screenshot(a.page, "editor-history.png", full_page=True)
        assert a.errors == [] and b.errors == []


async def test_the_seller_profile_page(running: Running) -> None:
    server = running.server
    adam = (await seed(server.data_dir, users={"adam": Role.ADMIN}))["adam"]
    async with chromium() as browser:
        editor = await new_tab(browser)
        await sign_in(editor.page, server, running.accounts["alice"])
        await expect(editor.page.get_by_role("link", name="Seller profile")).to_have_count(0)
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, server, adam)
        await page.get_by_role("link", name="Seller profile").click()
        profile = page.locator("form.profile-form")
        await expect(page.get_by_test_id("profile-missing")).to_be_visible()
        values = {
            "Legal name": PROFILE["legal_name"],
            "Address": "12 rue de la Paix",
            "Postcode": "75002",
            "City": "Paris",
            "Country code": "fr",
            "SIREN or SIRET": "732829320",
            "VAT number": "FR44732829320",
            "IBAN": "FR76 3000 6000 0112 3456 7890 180",  # a wrong check digit
            "BIC": "AGRIFRPP",
        }
        for label, value in values.items():
            await page.get_by_label(label, exact=True).fill(value)
        await profile.get_by_role("button", name="Save").click()
        iban = page.get_by_label("IBAN", exact=True)
        await expect(iban).to_have_attribute("aria-invalid", "true")
        await expect(page.locator("[data-field=iban] .issue")).not_to_be_empty()
        await expect(profile.locator(".form-error")).to_be_visible()

        await iban.fill("FR76 3000 6000 0112 3456 7890 189")
        await profile.get_by_role("button", name="Save").click()
        await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
        await expect(iban).not_to_have_attribute("aria-invalid", "true")
        await expect(iban).to_have_value("FR7630006000011234567890189")  # as stored
        await expect(page.get_by_label("Country code")).to_have_value("FR")
        # France needs the payment mentions before issuing.
        await expect(page.get_by_test_id("profile-missing")).to_contain_text("late_payment_rate")
        await page.get_by_label("Late-payment penalty rate (%)").fill("12.15")
        await page.get_by_label("Fixed recovery indemnity").fill("40.00")
        await page.get_by_label("Early-payment discount terms").fill("None")
        await profile.get_by_role("button", name="Save").click()
        await expect(page.get_by_test_id("profile-missing")).to_be_hidden()
        await screenshot(page, "seller-profile.png", full_page=True)

        await page.reload()
        await expect(page.get_by_label("IBAN", exact=True)).to_have_value(
            "FR7630006000011234567890189"
        )
        assert tab.errors == [] and editor.errors == []


async def test_a_transition_on_a_state_moved_since_is_refused_and_shown(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    extra = await seed(server.data_dir, users={"abe": Role.APPROVER, "adam": Role.ADMIN})
    invoice = await complete_invoice(running, alice)
    async with chromium() as browser:
        a, b, c = await new_tab(browser), await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, extra["abe"], invoice)
        await open_invoice(c.page, server, extra["adam"], invoice)
        await act(a.page, "submit")
        await expect(c.page.get_by_test_id("invoice-status")).to_have_text("Submitted")
        # Adam opens "Reopen" on the submitted invoice; meanwhile Abe approves it.
        await c.page.locator(".workflow-actions button[data-action=reopen]").click()
        await expect(c.page.get_by_role("dialog")).to_be_visible()
        await act(b.page, "approve")
        await expect(b.page.get_by_test_id("invoice-status")).to_have_text("Approved")
        # Confirming now would undo an approval Adam never saw: refused, and he is told.
        await c.page.get_by_role("dialog").locator("button[type=submit]").click()
        await expect(c.page.get_by_role("dialog")).to_have_count(0)
        await expect(c.page.locator(".notice.error")).to_contain_text("moved this invoice")
        await expect(c.page.get_by_test_id("invoice-status")).to_have_text("Approved")
        await expect(c.page.locator(".workflow-actions button")).to_have_text(["Issue", "Reopen"])
        assert a.errors == [] and b.errors == [] and c.errors == []


async def test_assignee_and_named_versions(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    abe = (await seed(server.data_dir, users={"abe": Role.APPROVER}))["abe"]
    invoice = await complete_invoice(running, alice)
    async with chromium() as browser:
        a, b, v = await new_tab(browser), await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, bob, invoice)
        await open_invoice(v.page, server, running.accounts["vera"], invoice)

        # Who should act next: editors choose among the members.
        assignee = a.page.get_by_label("Assignee")
        await expect(assignee).to_have_value("")
        await assignee.select_option(label="abe")
        await expect(assignee).to_have_value(abe.user_id)
        # A viewer can take no action: the server refuses, the select shows what is stored.
        await assignee.select_option(label="vera")
        await expect(a.page.locator(".assignee-error")).not_to_be_empty()
        await expect(assignee).to_have_value(abe.user_id)
        await a.page.reload()
        await expect(a.page.get_by_label("Assignee")).to_have_value(abe.user_id)
        # The viewer sees who, without a select.
        await v.page.reload()
        await expect(v.page.get_by_test_id("assignee")).to_have_text("abe")
        await expect(v.page.get_by_test_id("assignee-select")).to_be_hidden()

        # Name the current content, change it, restore: both editors converge.
        versions = a.page.get_by_test_id("versions")
        await expect(versions).to_contain_text("No named versions yet.")
        await versions.get_by_label("Name this version").fill("Before the new name")
        await versions.get_by_role("button", name="Save").click()
        row = versions.locator("li[data-kind=manual]")
        await expect(row).to_contain_text("Before the new name")
        await expect(row).to_contain_text("alice")
        await a.page.get_by_label("Customer name").fill("Maison Bleue")
        await expect(b.page.get_by_label("Customer name")).to_have_value("Maison Bleue")
        await expect(v.page.get_by_test_id("versions").get_by_role("button")).to_have_text(
            ["Refresh"]  # a viewer neither names nor restores
        )
        await screenshot(a.page, "versions-panel.png", full_page=True)
        await row.get_by_role("button", name="Restore").click()
        dialog = a.page.get_by_role("dialog")
        await expect(dialog).to_contain_text("new change")
        await dialog.locator("button[type=submit]").click()
        for page in (a.page, b.page, v.page):
            await expect(page.get_by_label("Customer name")).to_have_value("Maison Roux")

        # A submit names a version by itself; out of draft nothing is restored.
        await act(a.page, "submit")
        await expect(versions.locator("li[data-kind=auto]")).to_contain_text("Submitted")
        await expect(versions.get_by_role("button", name="Restore")).to_have_count(0)
        assert a.errors == [] and b.errors == [] and v.errors == []


async def test_approval_rules_on_the_settings_page(running: Running) -> None:
    server = running.server
    extra = await seed(server.data_dir, users={"adam": Role.ADMIN, "abe": Role.APPROVER})
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, server, extra["adam"], "/settings/profile")
        rules = page.locator("form.workflow-settings")
        four_eyes = rules.get_by_label("Four-eyes")
        amount = rules.get_by_label("Administrator approval above")
        await expect(four_eyes).to_be_checked()  # the default
        await expect(amount).to_have_value("")
        # A wrong amount: the server's check under the field.
        await amount.fill("5000.123456")
        await rules.get_by_role("button", name="Save").click()
        await expect(amount).to_have_attribute("aria-invalid", "true")
        await expect(
            rules.locator("[data-field='admin_threshold.amount'] .issue")
        ).not_to_be_empty()
        await amount.fill("5000")
        await rules.get_by_label("Threshold currency").select_option("EUR")
        await four_eyes.uncheck()
        await rules.get_by_role("button", name="Save").click()
        await expect(rules.get_by_role("status")).to_have_text("Approval rules saved.")
        await expect(amount).not_to_have_attribute("aria-invalid", "true")
        await screenshot(page, "workflow-settings.png", full_page=True)
        await page.reload()
        await expect(rules.get_by_label("Four-eyes")).not_to_be_checked()
        await expect(rules.get_by_label("Administrator approval above")).to_have_value("5000")

        # Four-eyes off: an approver may approve what they submitted (the server says so).
        abe = extra["abe"]
        invoice = await complete_invoice(running, abe)
        other = await new_tab(browser)
        await open_invoice(other.page, server, abe, invoice)
        await act(other.page, "submit")
        await expect(other.page.locator(".workflow-actions button")).to_have_text(
            ["Approve", "Reject", "Reopen"]
        )
        assert tab.errors == [] and other.errors == []
