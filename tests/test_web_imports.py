"""The CSV import pages in a real browser (issue 17, docs/integrations.md).

- `#/catalogue/import`: an editor uploads the Salesforce-style French file of
  tests/test_crm_import.py (Windows-1252, `;`), sees the proposed mapping in dropdowns,
  unmaps the city, previews (each row's outcome), confirms, and exports the customers.
- `#/time-import`: the editor uploads the Toggl file of tests/test_timesheets.py, types the
  rates per person, previews the lines and totals worked by hand there (net 773.16, VAT
  154.63, gross 927.79), adds them to a draft she has open in another tab, and sees them
  arrive in the editor.
Both pages pass axe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from server.auth.permissions import Role
from tests.harness import Account, ServerProcess, new_invoice, seed
from tests.test_crm_import import FRENCH
from tests.test_timesheets import TOGGL
from tests.web.axe import axe_tab, violations
from tests.web.browser import chromium, new_tab, open_invoice, sign_in


@pytest.fixture
async def started(tmp_path: Path) -> AsyncIterator[tuple[ServerProcess, dict[str, Account]]]:
    accounts = await seed(tmp_path, users={"alice": Role.EDITOR})
    server = ServerProcess(tmp_path)
    try:
        await server.start()
        yield server, accounts
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()


async def test_customers_are_imported_and_exported_in_the_browser(
    started: tuple[ServerProcess, dict[str, Account]], tmp_path: Path
) -> None:
    server, accounts = started
    upload = tmp_path / "salesforce.csv"
    upload.write_bytes(FRENCH)
    async with chromium() as browser:
        tab = await axe_tab(browser)
        page = tab.page
        await sign_in(page, server, accounts["alice"], "/catalogue/import")
        main = page.locator("main")
        await page.get_by_label("CSV file").set_input_files(upload)
        await page.get_by_role("button", name="Upload").click()
        mapping = page.get_by_test_id("mapping")
        await expect(mapping.get_by_label("External id (CRM key)")).to_have_value("ID du compte")
        await expect(mapping.get_by_label("Name")).to_have_value("Nom du compte")
        await expect(mapping.get_by_label("Country")).to_have_value("Pays de facturation")
        await expect(main).to_contain_text("read as windows-1252, separated by « ; »")
        await expect(main).to_contain_text("Société Générale Élec")
        await mapping.get_by_label("City").select_option("")
        await page.get_by_role("button", name="Preview").click()
        rows = page.locator("table.preview-rows tbody tr")
        await expect(rows).to_have_count(5)
        await expect(page.get_by_test_id("counts")).to_have_text(
            "5 to create, 0 to update, 0 unchanged, 0 with errors."
        )
        await expect(rows.first).to_contain_text("New")
        found = await violations(page)
        assert found == [], found
        await page.get_by_role("button", name="Import the good rows").click()
        await expect(page.get_by_test_id("import-said")).to_have_text(
            "Imported: 5 new, 0 updated; 0 rows with errors left out."
        )
        async with page.expect_download() as download:
            await page.get_by_test_id("export").click()
        saved = tmp_path / "exported.csv"
        await (await download.value).save_as(saved)
        text = saved.read_bytes()
        assert text.startswith(b"\xef\xbb\xbfexternal_id,name,")
        assert "Société Générale Élec" in text.decode("utf-8")
        assert ",Zürich," not in text.decode("utf-8")  # the city was unmapped
        assert tab.errors == []


async def test_time_entries_become_lines_of_an_open_draft(
    started: tuple[ServerProcess, dict[str, Account]], tmp_path: Path
) -> None:
    server, accounts = started
    invoice_id = await new_invoice(server.data_dir, accounts["alice"])
    upload = tmp_path / "toggl.csv"
    upload.write_bytes(TOGGL)
    async with chromium() as browser:
        editor = await new_tab(browser)
        await open_invoice(editor.page, server, accounts["alice"], invoice_id)
        tab = await axe_tab(browser)
        page = tab.page
        await sign_in(page, server, accounts["alice"], "/time-import")
        await page.get_by_label("CSV file").set_input_files(upload)
        await page.get_by_role("button", name="Upload").click()
        await expect(page.get_by_test_id("layout")).to_have_text(
            "Recognised: Toggl Track (detailed report)."
        )
        await expect(
            page.get_by_test_id("mapping").get_by_label("Duration (H:MM:SS)")
        ).to_have_value("Duration")
        await page.get_by_label("Default hourly rate").fill("80")
        await page.get_by_label("Add to").select_option(invoice_id)
        await page.get_by_role("button", name="Preview").click()
        rates = page.get_by_test_id("rates")
        await rates.get_by_label("Alice Martin").fill("120")
        await rates.get_by_label("Bob Roy").fill("95,50")
        await page.get_by_role("button", name="Preview").click()
        totals = page.get_by_test_id("time-totals")
        await expect(totals).to_contain_text("€773.16")
        await expect(totals).to_contain_text("€154.63")
        await expect(totals).to_contain_text("€927.79")
        await expect(page.locator("table.time-lines tbody tr")).to_have_count(3)
        await expect(page.get_by_test_id("time-errors")).to_contain_text("Row 7:")
        await expect(page.get_by_test_id("time-counts")).to_have_text(
            "4 entries billed, 1 left out (not billable or no time), 1 with errors."
        )
        found = await violations(page)
        assert found == [], found
        await page.get_by_role("button", name="Add the lines").click()
        await expect(page.get_by_test_id("time-said")).to_contain_text("3 lines added.")
        # The draft open in the other tab shows the lines as they arrive.
        third = editor.page.get_by_role("group", name="Line 3")
        await expect(third.get_by_label("Description")).to_have_value(
            "Website — 2026-11-02 to 2026-11-05 (Alice Martin)"
        )
        await expect(third.get_by_label("Quantity")).to_have_value("3.8333")
        assert tab.errors == [] and editor.errors == []
