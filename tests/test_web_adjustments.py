"""Allowances and charges in the editor (issue 12), in a real Chromium: a document charge and a
line allowance counted in the totals (worked by hand) and seen live by another member, the
reason a row needs in both languages, a line's rows removed with it, locks on their fields,
accessibility and a phone's width."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.conftest import Running
from tests.harness import Account, ServerProcess, new_invoice, wait_for
from tests.web.axe import assert_accessible, axe_tab
from tests.web.browser import api_document, chromium, new_tab, open_invoice, screenshot

PHONE: ViewportSize = {"width": 390, "height": 844}
MINUS = "\u2212"  # the totals write a subtracted amount with a minus sign


def section(page: Page) -> Locator:
    return page.locator("section.adjustments-section")


def total(page: Page, name: str) -> Locator:
    return page.locator(f"[data-total={name}] dd")


async def add_line(page: Page, n: int, price: str) -> Locator:
    await page.get_by_role("button", name="Add a line").click()
    line = page.get_by_role("group", name=f"Line {n}", exact=True)
    await line.get_by_label("Description").fill("Audit")
    await line.get_by_label("Unit price").fill(price)
    return line


async def adjustments(server: ServerProcess, account: Account, invoice: str) -> list[Any]:
    rows: list[Any] = (await api_document(server, account, invoice)).get("adjustments", [])
    return rows


async def stored(server: ServerProcess, account: Account, invoice: str, count: int) -> list[Any]:
    """The stored rows once there are `count` of them."""

    async def check() -> bool:
        return len(await adjustments(server, account, invoice)) == count

    await wait_for(check, what=f"{count} allowances or charges stored")
    return await adjustments(server, account, invoice)


async def test_a_charge_and_a_line_allowance_count_and_reach_everyone(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        a, b = await new_tab(browser), await new_tab(browser)
        await open_invoice(a.page, server, alice, invoice)
        await open_invoice(b.page, server, bob, invoice)
        line = await add_line(a.page, 1, "100")  # 1 x 100, VAT 20 %

        # A document charge of 10.00 at 20 %, freight: 100 + 10 = 110, VAT 22, total 132.
        await section(a.page).get_by_role("button", name="Add charge").click()
        charge = section(a.page).get_by_role("group", name="Charge 1")
        await expect(charge.get_by_label("VAT rate")).to_have_value("20")
        await charge.get_by_label("Amount", exact=True).fill("10")
        await charge.get_by_label("Reason code").select_option("FC")
        await expect(total(a.page, "line_total")).to_have_text("€100.00")
        await expect(total(a.page, "charges")).to_have_text("€10.00")
        await expect(total(a.page, "net")).to_have_text("€110.00")
        await expect(total(a.page, "tax")).to_have_text("€22.00")
        await expect(total(a.page, "gross")).to_have_text("€132.00")
        await expect(a.page.locator(".totals")).to_contain_text("FC — Freight service")

        # Bob sees it appear, with the same totals.
        b_charge = section(b.page).get_by_role("group", name="Charge 1")
        await expect(b_charge.get_by_label("Amount", exact=True)).to_have_value("10")
        await expect(b_charge.get_by_label("Reason code")).to_have_value("FC")
        await expect(total(b.page, "gross")).to_have_text("€132.00")

        # Stored by the server: there after a reload.
        [row] = await stored(server, alice, invoice, 1)
        assert (row["line"], row["type"], row["amount"], row["reason_code"]) == (
            "",
            "charge",
            "10",
            "FC",
        )
        await a.page.reload()
        await expect(a.page.locator(".connection")).to_have_attribute("data-state", "connected")
        charge = section(a.page).get_by_role("group", name="Charge 1")
        await expect(charge.get_by_label("Amount", exact=True)).to_have_value("10")
        await expect(total(a.page, "gross")).to_have_text("€132.00")

        # 10 % off the line, folded under it: line net 90; 90 + 10 = 100, VAT 20, total 120.
        line = a.page.get_by_role("group", name="Line 1", exact=True)
        folded = line.get_by_test_id("line-adjustments")
        await folded.locator("summary").click()
        await folded.get_by_role("button", name="Add allowance").click()
        allowance = folded.get_by_role("group", name="Allowance 1")
        await allowance.get_by_label("Calculated as").select_option("percent")
        await allowance.get_by_label("Percent", exact=True).fill("10")
        await allowance.get_by_label("Reason code").select_option("95")
        base = allowance.get_by_label("Base amount")
        await expect(base).to_have_attribute("placeholder", "100.00")  # the line's amount
        await expect(line.get_by_label("Line total")).to_have_text("€90.00")
        await expect(allowance.get_by_label("Computed amount")).to_have_text(f"{MINUS}€10.00")
        await expect(folded.locator("summary")).to_contain_text("(1)")
        await expect(total(a.page, "line_total")).to_have_text("€90.00")
        await expect(total(a.page, "net")).to_have_text("€100.00")
        await expect(total(a.page, "tax")).to_have_text("€20.00")
        await expect(total(a.page, "gross")).to_have_text("€120.00")
        b_line = b.page.get_by_role("group", name="Line 1", exact=True)
        await expect(b_line.get_by_test_id("line-adjustments").locator("summary")).to_contain_text(
            "(1)"
        )
        await expect(total(b.page, "gross")).to_have_text("€120.00")
        rows = await stored(server, alice, invoice, 2)
        assert [(r["type"], r["percent"], r["amount"]) for r in rows] == [
            ("charge", "", "10"),
            ("allowance", "10", ""),
        ]

        # Removing the line removes its allowance (one change); the document charge stays.
        await line.get_by_role("button", name="Remove line 1").click()
        [left] = await stored(server, alice, invoice, 1)
        assert (left["type"], left["line"]) == ("charge", "")
        await expect(b_line).to_have_count(0)
        await expect(total(b.page, "net")).to_have_text("€10.00")
        assert a.errors == [] and b.errors == []


async def test_a_row_needs_a_reason_said_in_each_language(running: Running) -> None:
    server, alice, bob = running.server, running.accounts["alice"], running.accounts["bob"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        en, fr = await new_tab(browser), await new_tab(browser, locale="fr-FR")
        await open_invoice(en.page, server, alice, invoice)
        await add_line(en.page, 1, "100")
        await section(en.page).get_by_role("button", name="Add allowance").click()
        allowance = section(en.page).get_by_role("group", name="Allowance 1")
        await allowance.get_by_label("Amount", exact=True).fill("5")
        reason = allowance.locator("[data-field$='.reason'] .issue")
        await expect(reason).to_have_text("Give a reason or a reason code.")
        await expect(allowance.get_by_label("Reason", exact=True)).to_have_attribute(
            "aria-invalid", "true"
        )
        # Counted all the same (BR-33 is reported, the amount is known): 100 - 5 = 95.
        await expect(total(en.page, "allowances")).to_have_text(f"{MINUS}€5.00")
        await expect(total(en.page, "net")).to_have_text("€95.00")

        await open_invoice(fr.page, server, bob, invoice)
        remise = section(fr.page).get_by_role("group", name="Remise 1")
        await expect(remise.locator("[data-field$='.reason'] .issue")).to_have_text(
            "Indiquez un motif ou un code motif."
        )
        await expect(remise.get_by_label("Motif", exact=True)).to_be_visible()

        # A reason written by Bob clears the message for both.
        await remise.get_by_label("Motif", exact=True).fill("Geste commercial")
        await expect(reason).to_be_empty()
        await expect(allowance.get_by_label("Reason", exact=True)).to_have_value("Geste commercial")

        # Bob is in the reason: Alice sees his lock there and cannot remove the row.
        await expect(allowance.locator(".lock-badge")).to_contain_text("bob")
        await expect(allowance.get_by_label("Reason", exact=True)).not_to_be_editable()
        await expect(allowance.get_by_role("button", name="Remove Allowance 1")).to_be_disabled()
        await fr.page.get_by_label("Conditions de paiement").focus()
        await expect(allowance.get_by_role("button", name="Remove Allowance 1")).to_be_enabled()
        assert en.errors == [] and fr.errors == []


async def test_the_section_is_accessible_and_fits_a_phone(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice = await new_invoice(server.data_dir, alice)
    async with chromium() as browser:
        tab = await axe_tab(browser)
        page = tab.page
        await open_invoice(page, server, alice, invoice)
        line = await add_line(page, 1, "100")
        folded = line.get_by_test_id("line-adjustments")
        await folded.locator("summary").click()
        await folded.get_by_role("button", name="Add allowance").click()
        await (
            folded.get_by_role("group", name="Allowance 1")
            .get_by_label("Reason", exact=True)
            .fill("Loyalty")
        )
        await section(page).get_by_role("button", name="Add charge").click()
        charge = section(page).get_by_role("group", name="Charge 1")
        await charge.get_by_label("Amount", exact=True).fill("10")
        await charge.get_by_label("Reason", exact=True).fill("Delivery to the 5th floor")
        await expect(total(page, "charges")).to_have_text("€10.00")

        # Keyboard: from the charge's reason, Tab reaches its code, its mode, its amount.
        await charge.get_by_label("Reason", exact=True).focus()
        for label in ("Reason code", "Calculated as", "Amount"):
            await page.keyboard.press("Tab")
            await expect(charge.get_by_label(label, exact=True)).to_be_focused()

        await page.set_viewport_size(PHONE)
        width: int = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        await section(page).scroll_into_view_if_needed()
        await screenshot(page, "adjustments-phone.png")

        await page.set_viewport_size({"width": 1440, "height": 900})
        await line.scroll_into_view_if_needed()
        await screenshot(page, "adjustments-desktop.png")
        # The whole page, the PDF preview's pages included (tests/web/axe.py).
        await assert_accessible(page, "the editor with allowances and charges")
        assert tab.errors == []
