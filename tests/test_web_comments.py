"""Comments in real browsers: a reviewer comments on a line and on a text range, the editor
sees the threads appear live, replies and resolves; anchors follow edits; a thread on a deleted
line stays readable; a viewer reads without writing; a mention shows in the top bar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from server.auth.permissions import Role
from tests.conftest import Running, server_with
from tests.harness import new_invoice
from tests.web.browser import chromium, new_tab, open_invoice, screenshot


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Running]:
    """An editor, a reviewer and a viewer of one organization, and a server."""
    async with server_with(
        tmp_path, {"alice": Role.EDITOR, "rita": Role.REVIEWER, "vera": Role.VIEWER}
    ) as started:
        yield started


def panel(page: Page) -> Locator:
    return page.get_by_test_id("comments")


def thread(page: Page, text: str) -> Locator:
    return panel(page).locator(".thread", has_text=text)


async def post(page: Page, body: str, *, on: str | None = None) -> None:
    """Fill the open composer (choosing the anchor labelled `on`) and post."""
    composer = panel(page).locator("form.composer")
    await expect(composer).to_be_visible()
    if on is not None:
        await composer.get_by_label("On", exact=True).select_option(label=on)
    await composer.get_by_label("Comment", exact=True).fill(body)
    await composer.get_by_role("button", name="Post").click()
    await expect(composer).to_be_hidden()


async def test_review_comments_live(team: Running) -> None:
    server, accounts = team.server, team.accounts
    alice, rita, vera = accounts["alice"], accounts["rita"], accounts["vera"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a, r = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await a.page.get_by_label("Customer name").fill("Maison Roux")
        await a.page.get_by_role("button", name="Add a line").click()
        a_line = a.page.get_by_role("group", name="Line 1")
        await a_line.get_by_label("Description").fill("Consulting, 3 days on site")
        await a_line.get_by_label("Unit price").fill("450")
        await open_invoice(r.page, server, rita, invoice)
        await expect(r.page.get_by_test_id("read-only")).to_contain_text("reviewer")
        r_line = r.page.get_by_role("group", name="Line 1")
        await expect(r_line.get_by_label("Description")).to_have_value("Consulting, 3 days on site")
        await expect(r_line.get_by_label("Description")).not_to_be_editable()
        await expect(panel(r.page).get_by_role("button", name="Open (0)")).to_be_visible()

        # Rita comments on the line, mentioning Alice; Alice sees it appear, with a marker.
        await r_line.get_by_role("button", name="Comment on Line 1").click()
        await post(r.page, "Is 450 the agreed daily rate? @alice")
        await expect(thread(r.page, "agreed daily rate")).to_be_visible()
        live = thread(a.page, "agreed daily rate")
        await expect(live).to_contain_text("Line 1")
        await expect(live.locator(".mention.me")).to_have_text("@alice")
        await expect(a_line.get_by_role("button", name="1 open comment on Line 1")).to_be_visible()
        await expect(a.page.locator(".notifications")).to_have_attribute("data-unread", "1")

        # Alice replies and resolves; Rita sees both.
        reply = live.get_by_label("Reply to this thread")
        await reply.press_sequentially("Yes, 450 per day as quoted. @ri")
        await live.get_by_role("option", name="rita (@rita)").click()
        await expect(reply).to_have_value("Yes, 450 per day as quoted. @rita ")
        await live.get_by_role("button", name="Reply", exact=True).click()
        await expect(thread(r.page, "agreed daily rate")).to_contain_text("450 per day as quoted")
        await live.get_by_role("button", name="Resolve").click()
        await expect(panel(a.page).get_by_role("button", name="Open (0)")).to_be_visible()
        await expect(panel(r.page).get_by_role("button", name="Open (0)")).to_be_visible()
        await panel(r.page).get_by_role("button", name="Resolved (1)").click()
        resolved = thread(r.page, "agreed daily rate")
        await expect(resolved).to_have_attribute("data-status", "resolved")
        await expect(resolved.locator(".tag.resolved")).to_be_visible()
        await expect(r_line.locator(".comment-marker")).to_have_count(0)

        # A comment on a text range: Rita selects "3 days" in the description.
        await r_line.get_by_label("Description").evaluate(
            "area => area.setSelectionRange(area.value.indexOf('3 days'), "
            "area.value.indexOf('3 days') + 6)"
        )
        await r_line.get_by_role("button", name="Comment on Line 1").click()
        await post(r.page, "Was it 3 or 4 days?", on="Line 1 · Description: “3 days”")
        ranged = thread(a.page, "3 or 4 days")
        await expect(ranged.locator(".quote")).to_have_text("3 days")
        # The range follows edits before and inside it.
        description = a_line.get_by_label("Description")
        await description.press("Home")
        await description.press_sequentially("Senior ")
        await description.evaluate(
            "area => { const at = area.value.indexOf(' days'); area.setSelectionRange(at, at) }"
        )
        await description.press_sequentially(" full")
        await expect(description).to_have_value("Senior Consulting, 3 full days on site")
        await expect(thread(r.page, "3 or 4 days").locator(".quote")).to_have_text("3 full days")
        await ranged.get_by_role("button", name="Line 1 · Description").click()
        selected = await description.evaluate(
            "area => area.value.slice(area.selectionStart, area.selectionEnd)"
        )
        assert selected == "3 full days"

        # Rita edits her comment; Alice sees it marked edited.
        thread_id = await thread(r.page, "3 or 4 days").get_attribute("data-thread")
        mine = panel(r.page).locator(f".thread[data-thread='{thread_id}']")
        await mine.get_by_role("button", name="Edit your comment").click()
        await mine.get_by_label("Edit your comment").fill(
            "Was it 3 or 4 days? The timesheet says 4."
        )
        await mine.get_by_role("button", name="Save").click()
        await expect(ranged).to_contain_text("The timesheet says 4.")
        await expect(ranged.locator(".edited")).to_be_visible()
        await a.page.evaluate("window.scrollTo(0, 0)")
        await screenshot(a.page, "editor-comments.png", full_page=True)

        # A viewer reads the threads but has nothing to write with.
        v = await new_tab(browser)
        await open_invoice(v.page, server, vera, invoice)
        await expect(thread(v.page, "3 or 4 days")).to_be_visible()
        for action in ("Reply", "Resolve"):
            button = panel(v.page).get_by_role("button", name=action, exact=True)
            await expect(button).to_have_count(0)
        await expect(v.page.locator(".comment-add")).to_have_count(0)

        # Alice removes the line: its threads stay readable, marked as such, everywhere.
        await a_line.get_by_role("button", name="Remove line 1").click()
        for page in (a.page, r.page, v.page):
            await expect(thread(page, "3 or 4 days").locator(".tag.deleted")).to_have_text(
                "line deleted"
            )
            await expect(thread(page, "3 or 4 days")).to_contain_text("timesheet says 4")

        # The mention is in Alice's notifications, and reading it clears the count.
        await a.page.get_by_test_id("notifications").click()
        mention = a.page.locator(".notification-list a", has_text="rita mentioned you")
        await expect(mention).to_contain_text("agreed daily rate")
        await a.page.get_by_role("button", name="Mark all as read").click()
        await expect(a.page.locator(".notifications")).to_have_attribute("data-unread", "0")
        assert a.errors == [] and r.errors == [] and v.errors == []
