"""The KPI and reports page in a real browser (issue 14): on a seeded set moved through the real
workflow, the page shows the figures of GET /api/kpis (compared KPI by KPI, and the rates
worked out by hand), a chart is drawn on its canvas, and the CSV download is the API's file.

Docs screenshot: docs/screenshots/reports.png (with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import expect

from tests.access_helpers import api
from tests.conftest import Running
from tests.test_reports import document, invoice_with
from tests.test_workflow_api import _people, _profile
from tests.web.browser import chromium, new_tab, screenshot, sign_in

# Does the canvas hold drawn pixels? (a blank one is all transparent)
INKED = """(canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true
  return false
}"""


async def moved(running: Running, people: dict[str, str], invoice_id: str, *steps: str) -> None:
    """`who:action` steps; issuing renders the PDF, slow on a loaded machine: a long timeout."""
    for step in steps:
        who, action = step.split(":")
        body = {"action": action, **({"reason": "wrong price"} if action == "reject" else {})}
        async with api(running.server, people[who]) as http:
            r = await http.post(f"/api/invoices/{invoice_id}/transitions", json=body, timeout=60)
        assert r.status_code == 200, (step, r.text)


async def test_kpi_page_shows_the_api_figures_charts_and_downloads(
    running: Running, tmp_path: Path
) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    alice, adam = running.accounts["alice"], running.accounts["adam"]
    # one: net 145.00, VAT 29.00, gross 174.00, due 2026-11-20 (overdue now): issued at once.
    one = await invoice_with(
        running,
        alice,
        document(
            "EUR", "Client SA", "2026-11-05", "2026-11-20",
            [("a", "3", "45.00", "20"), ("b", "1", "10.00", "20")],
        ),
    )  # fmt: skip
    # two: rejected once on its way, then issued.
    two = await invoice_with(
        running,
        alice,
        document("EUR", "Beta SARL", "2026-11-12", "2027-06-30", [("a", "2", "100.00", "20")]),
    )
    await moved(running, people, one, "alice:submit", "abe:approve", "abe:issue")
    await moved(
        running, people, two,
        "alice:submit", "abe:reject", "alice:submit", "abe:approve", "abe:issue",
    )  # fmt: skip
    async with api(running.server, people["adam"]) as http:
        r = await http.get("/api/kpis", params={"org": alice.org_id})
        assert r.status_code == 200, r.text
        kpis: dict[str, Any] = r.json()
        period = {"org": alice.org_id, "from": kpis["from"], "to": kpis["to"], "format": "csv"}
        r = await http.get("/api/reports/aged_receivables", params=period)
        assert r.status_code == 200, r.text
        api_csv = r.content
    # By hand, this month: both issued now; two was rejected once: first-time right 1 / 2 =
    # 50.00 %; decisions: approve one, reject two, approve two: rejection rate 1 / 3 = 33.33 %.
    assert kpis["first_time_right"]["value"] == "50.00"
    assert kpis["rejection_rate"]["value"] == "33.33"

    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, running.server, adam, "/reports")
        # The period defaults to this month.
        await expect(page.get_by_label("From", exact=True)).to_have_value(kpis["from"])
        await expect(page.get_by_label("To", exact=True)).to_have_value(kpis["to"])
        ftr = page.get_by_test_id("kpi-first_time_right")
        await expect(ftr).to_contain_text("50.00 %")
        await expect(ftr).to_contain_text("(1 / 2)")
        await expect(page.get_by_test_id("kpi-rejection_rate")).to_contain_text("33.33 %")
        for name in ("first_time_right", "rejection_rate", "error_rate"):
            value = kpis[name]["value"]
            shown = f"{value} %" if value is not None else "n/a"
            await expect(page.get_by_test_id(f"kpi-{name}")).to_contain_text(shown)
        hours = kpis["processing_time"]["hours"]
        await expect(page.get_by_test_id("kpi-processing_time")).to_contain_text(f"{hours} h")
        # Overdue per currency, never summed: one's 174.00 EUR, 11 days past due.
        overdue = page.get_by_test_id("kpi-overdue_amount")
        for amount in kpis["overdue_amount"]["amounts"]:
            assert amount["currency"] == "EUR"
            await expect(overdue).to_contain_text(f"€{amount['amount']}")
        # Each KPI says what it measures (the API's definition).
        definition = kpis["rejection_rate"]["definition"]
        await expect(page.locator('[data-kpi="rejection_rate"] .hint')).to_have_text(definition)

        # Aged receivables: a table (the chart's text alternative) and a drawn chart.
        aged = page.locator('[data-report="aged_receivables"]')
        await expect(aged.locator("tbody tr")).to_have_count(5)  # every bucket of EUR
        await expect(aged.locator("tbody")).to_contain_text("€174.00")
        canvas = aged.locator("canvas")
        await expect(canvas).to_have_attribute("aria-describedby", "report-aged_receivables-table")
        await page.wait_for_function(INKED, arg=await canvas.element_handle(), timeout=10_000)
        await screenshot(page, "reports.png", full_page=True)

        # The CSV download is the API's file.
        async with page.expect_download() as downloading:
            await aged.locator("button[data-download=csv]").click()
        download = await downloading.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        assert saved.read_bytes() == api_csv
        assert saved.suffix == ".csv"
        assert tab.errors == []
