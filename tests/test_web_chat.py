"""The organization's Slack and Teams channels page in a real browser: an admin adds a Slack
channel with the kinds it receives, sees its URL masked, sends a test message that a local
receiver gets as Block Kit, narrows its kinds, switches it off and removes it."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from server.auth.permissions import Role
from tests.access_helpers import server_with
from tests.chat_receiver import receiver
from tests.harness import wait_for
from tests.web.axe import assert_accessible, axe_tab
from tests.web.browser import chromium, sign_in


async def test_an_admin_adds_tests_narrows_and_removes_a_slack_channel(tmp_path: Path) -> None:
    with receiver() as hooks:
        async with (
            server_with(tmp_path, {"ada": Role.ADMIN}, CHAT_ALLOW_ANY_HOST="1") as (server, made),
            chromium() as browser,
        ):
            page = (await axe_tab(browser)).page
            await sign_in(page, server, made["ada"], "/admin/members")
            await page.get_by_role("link", name="Slack and Teams").click()
            await expect(
                page.get_by_role("heading", name="Slack and Teams channels of Acme")
            ).to_be_visible()
            # Without PUBLIC_URL the page says messages go without a link.
            await expect(page.get_by_text("PUBLIC_URL is not set")).to_be_visible()
            await expect(page.get_by_text("No channel yet.")).to_be_visible()

            form = page.locator("form.chat-add")
            await form.get_by_label("Service").select_option("slack")
            await form.get_by_label("Name").fill("#finance")
            # The server refuses what is not a URL, in place.
            await form.get_by_label("Incoming webhook URL").fill("ftp://nowhere")
            await form.get_by_role("button", name="Add the channel").click()
            await expect(page.get_by_role("alert")).to_contain_text("https://")
            await form.get_by_label("Incoming webhook URL").fill(f"{hooks.base}/slack-finance")
            await form.get_by_label("Overdue invoices").check()
            await form.get_by_role("button", name="Add the channel").click()
            card = page.locator("li.chat-channel[data-channel='#finance']")
            await expect(card).to_contain_text("Slack · #finance")
            await expect(card.locator("code")).to_have_text("http://127.0.0.1/…/ance")
            await expect(card.get_by_label("Approvals waiting")).to_be_checked()
            await expect(card.get_by_label("Overdue invoices")).to_be_checked()
            assert hooks.base not in await page.content()
            await assert_accessible(page, "Slack and Teams page, one channel")

            await card.get_by_role("button", name="Send a test message").click()
            await expect(page.get_by_role("status")).to_contain_text(
                "A test message was posted to #finance."
            )
            await wait_for(lambda: _posted(hooks), what="the test message")
            [test] = hooks.bodies("/slack-finance")
            assert test["text"] == (
                "Test message from Cofacture: this channel receives approvals waiting, "
                "overdue invoices."
            )

            await card.get_by_label("Approvals waiting").uncheck()
            await expect(page.get_by_role("status")).to_have_text("Saved.")
            await expect(card.get_by_label("Approvals waiting")).not_to_be_checked()
            await card.get_by_role("button", name="Switch off").click()
            await expect(card).to_contain_text("Off")
            await card.get_by_role("button", name="Remove").click()
            await page.locator("dialog.confirm").get_by_role("button", name="Remove").click()
            await expect(page.get_by_text("No channel yet.")).to_be_visible()


async def _posted(hooks: object) -> bool:
    return bool(getattr(hooks, "posts", None))
