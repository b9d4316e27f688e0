"""Getting paid in a real browser (issue 16, docs/web.md "Getting paid"): an accountant records
a partial payment in the invoice's payments panel (a refused amount is said under its field
first) and the status moves to "Partially paid" in the header and on the list, the receivables
page counts what is left; an admin sends the invoice by e-mail with no SMTP server and finds
it in the outbox page, its body on click; an accountant switches the reminders on and saves;
an editor makes an invoice recurring and sees its next runs, then pauses and resumes it on the
recurring page. The panels and pages pass axe."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from server.auth.permissions import Role
from tests.conftest import Running, server_with
from tests.harness import Account
from tests.test_web_workflow import complete_invoice, put_profile
from tests.web.axe import axe_tab, violations
from tests.web.browser import chromium, new_tab, open_invoice, screenshot, sign_in

PEOPLE = {
    "ada": Role.ADMIN,
    "alice": Role.EDITOR,
    "abe": Role.APPROVER,
    "cora": Role.ACCOUNTANT,
}


async def api(running: Running, who: Account) -> httpx.AsyncClient:
    token = await running.server.login(who)
    return httpx.AsyncClient(
        base_url=running.server.http, headers={"authorization": f"Bearer {token}"}, timeout=30.0
    )


async def issued_invoice(running: Running) -> str:
    """An invoice of 1,620.00 EUR (3 x 450.00 + 20 % VAT), submitted by the editor, approved
    and issued by the approver through the API."""
    accounts = running.accounts
    await put_profile(running, accounts["ada"])
    invoice = await complete_invoice(running, accounts["alice"])
    for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
        async with await api(running, accounts[who]) as http:
            r = await http.post(f"/api/invoices/{invoice}/transitions", json={"action": action})
            assert r.status_code == 200, r.text
    return invoice


async def no_violations(page: Page, where: str) -> None:
    await page.wait_for_load_state("networkidle")
    found = await violations(page)
    assert found == [], f"{where}: {found}"


async def test_a_partial_payment_moves_the_status(tmp_path: Path) -> None:
    async with server_with(tmp_path, PEOPLE) as running, chromium() as browser:
        server, cora = running.server, running.accounts["cora"]
        invoice = await issued_invoice(running)
        tab = await axe_tab(browser)
        page = tab.page
        await open_invoice(page, server, cora, invoice)
        panel = page.get_by_test_id("payments")
        await expect(panel.get_by_test_id("pay-due")).to_have_text("€1,620.00")
        await expect(panel.get_by_test_id("pay-outstanding")).to_have_text("€1,620.00")
        await expect(panel).to_contain_text("No payments yet.")

        # A refused amount is said under the amount field, nothing recorded.
        form = panel.get_by_test_id("payment-form")
        amount = form.get_by_label("Amount")
        await amount.fill("0")
        await form.get_by_role("button", name="Record the payment").click()
        await expect(amount).to_have_attribute("aria-invalid", "true")
        await expect(form.locator("[data-field=amount] .issue")).to_have_text(
            "The amount must be above zero."
        )

        await amount.fill("500")
        await form.get_by_label("Date received").fill("2026-12-01")
        await form.get_by_label("Method").select_option("transfer")
        await form.get_by_label("Reference").fill("VIR MAISON ROUX")
        await form.get_by_role("button", name="Record the payment").click()
        await expect(form.get_by_role("status")).to_have_text("Payment of €500.00 recorded.")
        await expect(amount).not_to_have_attribute("aria-invalid", "true")
        await expect(panel.get_by_test_id("pay-paid")).to_have_text("€500.00")
        await expect(panel.get_by_test_id("pay-outstanding")).to_have_text("€1,120.00")
        await expect(panel.locator(".payment-list li")).to_have_text(
            [re.compile(r"1 Dec 2026 · Bank transfer · VIR MAISON ROUX\s*€500.00")]
        )
        await expect(page.get_by_test_id("invoice-status")).to_have_text("Partially paid")
        await no_violations(page, "editor with the payments panel")
        await panel.scroll_into_view_if_needed()
        await screenshot(page, "payments-panel.png")

        # The list shows the new status (read again when the list opens).
        await page.get_by_role("link", name="← Back to invoices").click()
        row = page.locator(f"table.invoices tbody tr[data-id='{invoice}']")
        await expect(row.locator(".status")).to_have_text("Partially paid")

        # What the customer still owes.
        await page.get_by_role("link", name="Getting paid").click()
        owed = page.locator("table.receivables tbody tr")
        await expect(owed).to_have_count(1)
        await expect(owed.first).to_contain_text("Maison Roux")
        await expect(owed.first).to_contain_text("€1,120.00")
        await no_violations(page, "receivables")
        assert tab.errors == []

        # An editor reads the balance but is offered no form (the server would answer 403).
        other = await new_tab(browser)
        await open_invoice(other.page, server, running.accounts["alice"], invoice)
        await expect(other.page.get_by_test_id("pay-paid")).to_have_text("€500.00")
        await expect(other.page.get_by_test_id("payment-form")).to_have_count(0)
        await expect(other.page.get_by_test_id("remind-form")).to_have_count(0)


async def test_send_by_email_lands_in_the_outbox(tmp_path: Path) -> None:
    async with server_with(tmp_path, PEOPLE) as running, chromium() as browser:
        server, ada = running.server, running.accounts["ada"]
        invoice = await issued_invoice(running)
        tab = await axe_tab(browser)
        page = tab.page
        await open_invoice(page, server, ada, invoice)
        mail = page.get_by_test_id("mail")
        await expect(mail).to_contain_text("Not sent yet.")
        await mail.get_by_text("Send by e-mail").click()
        form = mail.get_by_test_id("send-form")
        # The invoice carries no customer e-mail: the server's 409 is said under "To".
        await form.get_by_role("button", name="Send").click()
        await expect(form.locator("[data-field=to] .issue")).to_contain_text("no customer e-mail")
        await form.get_by_label("To").fill("compta@maison-roux.test")
        await form.get_by_label("Personal message").fill("Merci pour votre confiance.")
        await form.get_by_role("button", name="Send").click()
        await expect(form.get_by_role("status")).to_contain_text("waits in the outbox")
        sent = mail.locator(".message-list li")
        await expect(sent).to_have_count(1)
        await expect(sent.first).to_contain_text("compta@maison-roux.test")
        await expect(sent.first).to_contain_text("In the outbox")

        await page.goto(f"{server.http}/#/admin/outbox")
        rows = page.locator("table.outbox tbody tr")
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("compta@maison-roux.test")
        await expect(rows.first).to_contain_text("In the outbox")
        await rows.first.locator("th button").click()
        body = page.get_by_test_id("message-body")
        await expect(body).to_contain_text("Merci pour votre confiance.")
        await expect(body).to_contain_text(".pdf")
        # The status filter: nothing has been sent through SMTP.
        await page.get_by_label("Status").select_option("sent")
        await expect(page.locator("main")).to_contain_text("No messages.")
        await page.get_by_label("Status").select_option("outbox")
        await expect(rows).to_have_count(1)
        await expect(page.locator(".dead-jobs")).to_have_count(0)
        await expect(page.locator("main")).to_contain_text("No failed jobs.")
        await no_violations(page, "outbox")
        await rows.first.locator("th button").click()
        await screenshot(page, "outbox.png")
        assert tab.errors == []


async def test_reminders_on_and_saved(tmp_path: Path) -> None:
    async with server_with(tmp_path, PEOPLE) as running, chromium() as browser:
        server, cora = running.server, running.accounts["cora"]
        invoice = await issued_invoice(running)
        async with await api(running, running.accounts["ada"]) as http:
            r = await http.post("/api/customers", json={"name": "Maison Roux", "country": "FR"})
            assert r.status_code == 201, r.text
            customer = r.json()["id"]
        tab = await axe_tab(browser)
        page = tab.page
        await sign_in(page, server, cora, "/settings/reminders")
        settings = page.get_by_test_id("reminder-settings")
        # The default schedule, switched off.
        await expect(settings.locator("tbody tr")).to_have_count(4)
        enabled = settings.get_by_label("Send reminders automatically")
        await expect(enabled).not_to_be_checked()
        await enabled.check()
        await settings.get_by_label("Late-payment interest rate (% a year)").fill("10.15")
        await settings.get_by_role("button", name="+ Add a step").click()
        await expect(settings.locator("tbody tr")).to_have_count(5)
        await settings.get_by_label("Days from the due date, step 5").fill("45")
        await settings.get_by_label("Tone of step 5").select_option("final")
        await settings.get_by_role("button", name="Save").click()
        await expect(settings.get_by_role("status")).to_have_text("Reminder settings saved.")
        # Steps out of order: the server's refusal is shown, nothing saved.
        await settings.get_by_label("Days from the due date, step 5").fill("1")
        await settings.get_by_role("button", name="Save").click()
        await expect(settings.locator("[data-field=steps] > .issue")).to_contain_text("in order")
        # An opt-out is saved at once.
        await page.get_by_label("Maison Roux").check()
        await no_violations(page, "reminder settings")
        await screenshot(page, "reminder-settings.png", full_page=True)
        async with await api(running, cora) as http:
            stored = (await http.get(f"/api/orgs/{cora.org_id}/reminders")).json()
        assert stored["enabled"] is True
        assert stored["late_interest_rate"] == "10.15"
        assert [s["days"] for s in stored["steps"]] == [-3, 7, 15, 30, 45]
        assert stored["steps"][-1]["tone"] == "final"
        assert stored["opted_out"] == [customer]
        await page.reload()
        await expect(
            page.get_by_test_id("reminder-settings").get_by_label("Send reminders automatically")
        ).to_be_checked()

        # On the invoice: "Send a reminder now" without a customer e-mail is refused in place.
        await page.goto(f"{server.http}/#/invoices/{invoice}")
        reminders = page.get_by_test_id("reminders")
        await expect(reminders).to_be_visible()
        await reminders.get_by_text("Send a reminder now").first.click()
        await reminders.get_by_role("button", name="Send a reminder now").click()
        refusal = reminders.get_by_test_id("remind-form").locator(".form-error")
        await expect(refusal).to_contain_text("no reminder")
        assert tab.errors == []


async def test_make_recurring_and_see_next_runs(tmp_path: Path) -> None:
    async with server_with(tmp_path, PEOPLE) as running, chromium() as browser:
        server, alice = running.server, running.accounts["alice"]
        invoice = await issued_invoice(running)
        tab = await axe_tab(browser)
        page = tab.page
        await open_invoice(page, server, alice, invoice)
        panel = page.get_by_test_id("recurring")
        await expect(panel).to_contain_text("This invoice does not recur.")
        await panel.get_by_text("Make recurring").first.click()
        form = panel.get_by_test_id("schedule-form")
        await form.get_by_label("Frequency").select_option("monthly")
        await form.get_by_label("Day of the month").select_option("15")
        await form.get_by_label("Start").fill("2030-01-01")
        # An end before the start is said under the field.
        await form.get_by_label("End (optional)").fill("2029-01-01")
        await form.get_by_role("button", name="Make recurring").click()
        await expect(form.locator("[data-field=end] .issue")).to_have_text(
            "The end comes on or after the start."
        )
        await form.get_by_label("End (optional)").fill("")
        await form.get_by_label("Number of invoices (optional)").fill("12")
        await form.get_by_role("button", name="Make recurring").click()
        runs = panel.get_by_test_id("next-runs").locator("li")
        await expect(runs).to_have_count(3)
        await expect(runs.first).to_contain_text("15 Jan 2030")
        await expect(runs.nth(1)).to_contain_text("15 Feb 2030")
        await expect(panel).to_contain_text("Monthly, on day 15")
        await no_violations(page, "editor with a recurring schedule")

        await panel.get_by_role("link", name="All schedules").click()
        card = page.locator("article.schedule")
        await expect(card).to_have_count(1)
        await expect(card.get_by_test_id("next-runs").locator("li")).to_have_count(3)
        await card.get_by_role("button", name="Pause").click()
        await expect(card).to_have_attribute("data-status", "paused")
        await expect(card).to_contain_text("No runs planned.")
        await card.get_by_role("button", name="Resume").click()
        await expect(card).to_have_attribute("data-status", "active")
        # Edit: quarterly, the last day of the month.
        await card.get_by_role("button", name="Edit").click()
        await card.get_by_label("Frequency").select_option("quarterly")
        await card.get_by_label("Day of the month").select_option("last")
        await card.get_by_role("button", name="Save").click()
        edited = page.locator("article.schedule")
        await expect(edited).to_contain_text("Quarterly, on the last day of the month")
        await expect(edited.get_by_test_id("next-runs")).to_contain_text("31 Jan 2030")
        await no_violations(page, "recurring schedules")
        await screenshot(page, "recurring.png")
        assert tab.errors == []
