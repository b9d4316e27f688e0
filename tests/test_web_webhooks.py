"""The webhooks page in a real browser: an admin adds an endpoint (URL, events), sees its secret
once, sends a test event that a real receiver verifies with that secret, reads the delivery
log with the response code, replays an event, changes the events, switches it off and
removes it; the page in French; an editor is sent home."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Locator, expect

from server.auth.permissions import Role
from tests.access_helpers import server_with
from tests.harness import new_invoice, wait_for
from tests.web.axe import assert_accessible, axe_tab
from tests.web.browser import chromium, new_tab, sign_in
from tests.webhook_receiver import receiver


async def test_add_test_log_replay_and_remove_a_webhook(tmp_path: Path) -> None:
    users = {"ada": Role.ADMIN, "alice": Role.EDITOR}
    env = {"WEBHOOKS_ALLOW_PRIVATE": "1"}
    async with (
        receiver() as hook,
        server_with(tmp_path, users, **env) as (server, accounts),
        chromium() as browser,
    ):
        tab = await axe_tab(browser)
        page = tab.page
        await sign_in(page, server, accounts["ada"])
        await page.get_by_role("link", name="Administration").click()
        await page.get_by_role("link", name="Webhooks").click()
        await expect(page.get_by_role("heading", name="Webhooks of Acme")).to_be_visible()
        await expect(page.get_by_text("No webhook yet.")).to_be_visible()

        form = page.locator("form.chat-add")
        await form.get_by_label("Endpoint URL").fill(hook.url)
        await form.get_by_label("Description").fill("Our ERP")
        await form.get_by_label("invoice.created").check()
        await form.get_by_role("button", name="Add the webhook").click()
        secret = await page.get_by_test_id("webhook-secret").input_value()
        assert secret.startswith("whsec_")
        await expect(page.get_by_text("Copy this secret now")).to_be_visible()
        await page.get_by_role("button", name="I have copied it").click()
        await expect(page.get_by_test_id("webhook-secret")).to_have_count(0)

        card = page.locator(f"li.webhook[data-url='{hook.url}']")
        await expect(card).to_contain_text("Our ERP")
        await card.get_by_role("button", name="Send a test event").click()
        status = page.locator(".webhooks-page > p.saved")
        await expect(status).to_have_text(
            "A test event was queued; its attempts appear in the delivery log."
        )

        async def arrived() -> bool:
            return len(hook.received) >= 1

        await wait_for(arrived, timeout=15, what="the test event")
        test_payload: dict[str, str] = hook.received[0].verified(secret)  # type: ignore[assignment]
        assert test_payload["type"] == "webhook.test"
        first = card.locator(f"tr[data-event='{hook.received[0].id}']")
        await _logged(card, first)
        await expect(first.locator("td.status-code")).to_have_text("200")
        await expect(first).to_contain_text("Delivered")
        await assert_accessible(page, "webhooks page, an endpoint and its log")

        invoice_id = await new_invoice(tmp_path, accounts["alice"])  # invoice.created

        async def two() -> bool:
            return len(hook.received) >= 2

        await wait_for(two, timeout=15, what="the invoice.created event")
        event_id = hook.received[1].id
        row = card.locator(f"tr[data-event='{event_id}']")
        await _logged(card, row)
        await expect(row).to_contain_text("invoice.created")
        await row.get_by_role("button", name="Send again").click()

        async def three() -> bool:
            return len(hook.received) >= 3

        await wait_for(three, timeout=15, what="the replay")
        assert hook.received[2].id == event_id  # the same webhook-id
        replayed: dict[str, dict[str, str]] = hook.received[2].verified(secret)  # type: ignore[assignment]
        assert replayed["data"]["invoice_id"] == invoice_id

        await expect(status).to_have_text("The event was queued again, with the same webhook-id.")
        await card.get_by_label("invoice.overdue").check()
        await expect(status).to_have_text("Saved.")
        await card.get_by_role("button", name="Switch off").click()
        await expect(card).to_contain_text("Off: disabled by an admin")
        await expect(card.get_by_role("button", name="Send a test event")).to_be_disabled()
        await card.get_by_role("button", name="Remove").click()
        dialog = page.get_by_role("dialog", name="Remove this webhook?")
        await dialog.get_by_role("button", name="Remove").click()
        await expect(page.get_by_text("No webhook yet.")).to_be_visible()

        french = await new_tab(browser, locale="fr-FR")
        await sign_in(french.page, server, accounts["ada"], "/admin/webhooks")
        await expect(french.page.get_by_role("heading", name="Webhooks de Acme")).to_be_visible()
        await expect(french.page.get_by_role("button", name="Ajouter le webhook")).to_be_visible()

        editor = await new_tab(browser)
        await sign_in(editor.page, server, accounts["alice"], "/admin/webhooks")
        await expect(editor.page).to_have_url(f"{server.http}/#/invoices")
        assert tab.errors == [] and french.errors == [] and editor.errors == []


async def _logged(card: Locator, row: Locator) -> None:
    """Open the delivery log until `row` is in it (the receiver records a request before the
    server, which logs the attempt once the answer is in)."""

    async def shown() -> bool:
        await card.get_by_role("button", name="Delivery log").click()
        return await row.count() == 1

    await wait_for(shown, timeout=10, what="the attempt in the delivery log")
