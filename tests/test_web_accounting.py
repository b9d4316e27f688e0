"""The accounting page in a real browser (issue 17), in French: the chart of accounts with its
defaults shown, a change saved and refused, and the FEC downloaded through the export form,
byte for byte the API's file. The page passes axe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import expect

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import seed
from tests.test_accounting_api import document, issued, read_fec
from tests.test_organization_profile import SIREN
from tests.test_workflow_api import _people, _profile
from tests.web.axe import assert_accessible, axe_tab
from tests.web.browser import chromium, sign_in


async def test_the_chart_and_the_fec_download(running: Running, tmp_path: Path) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    extra = await seed(running.server.data_dir, users={"cleo": Role.ACCOUNTANT})
    running.accounts.update(extra)
    cleo = extra["cleo"]
    today = datetime.now(UTC).date()
    # 2 x 100.00 at 20 %: net 200.00, VAT 40.00, gross 240.00, issued today.
    client = {"name": "Client SA", "siren": "732829320"}
    content = document("EUR", client, today, [("a", "2", "100.00", "20")])
    await issued(running, people, running.accounts["alice"], content)

    async with chromium() as browser:
        tab = await axe_tab(browser, locale="fr-FR")
        page = tab.page
        await sign_in(page, running.server, cleo, "/settings/accounting")
        chart = page.get_by_test_id("accounting-chart")
        customer = chart.get_by_label("Compte clients (collectif)")
        await expect(customer).to_have_value("411000")
        await expect(chart.locator('[data-default="customer_account"]')).to_have_text(
            "Par défaut : 411000"
        )
        advances = chart.get_by_label("Compte des acomptes reçus (montants payés d\u2019avance)")
        await expect(advances).to_have_value("419100")  # BT-113 leaves 411 for 4191
        charge = chart.get_by_label("Compte d\u2019écarts d\u2019arrondi, charges")
        await expect(charge).to_have_value("658000")
        await expect(chart).to_contain_text("Les valeurs par défaut sont utilisées.")
        await expect(chart.locator("tbody tr")).to_have_count(9)  # the default rules
        await assert_accessible(page, "accounting page")

        # A bad account is refused under its field; a good one is saved.
        await customer.fill("41")
        await chart.get_by_role("button", name="Enregistrer le plan").click()
        await expect(customer).to_have_attribute("aria-invalid", "true")
        await customer.fill("411100")
        await chart.get_by_role("button", name="Enregistrer le plan").click()
        await expect(chart.get_by_role("status")).to_have_text("Plan enregistré.")
        await expect(chart).to_contain_text("Plan enregistré, modifié le")

        # The FEC of this month, downloaded: the API's bytes, with the new customer account.
        form = page.get_by_test_id("accounting-export")
        closing = form.get_by_label("Au (date de clôture)")
        # The browser's own today (its time zone may be a day ahead of UTC near midnight).
        local = await page.evaluate("new Date().toLocaleDateString('sv')")
        await expect(closing).to_have_value(local)
        await form.get_by_label("Du", exact=True).fill(today.replace(day=1).isoformat())
        await closing.fill(today.isoformat())  # the invoice's UTC issue date is in the period
        async with page.expect_download() as downloading:
            await form.get_by_role("button", name="Télécharger").click()
        download = await downloading.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        assert download.suggested_filename == f"{SIREN[:9]}FEC{today.strftime('%Y%m%d')}.txt"
        rows = read_fec(saved.read_bytes())
        assert {(r["CompteNum"], r["Debit"], r["Credit"]) for r in rows} == {
            ("411100", "240,00", "0,00"),
            ("706200", "0,00", "200,00"),
            ("44571200", "0,00", "40,00"),
        }
        period = f"from={today.replace(day=1)}&to={today}&separator=pipe"
        async with api(running.server, await token(running.server, cleo)) as http:
            r = await http.get(f"/api/orgs/{cleo.org_id}/exports/fec?{period}")
        assert saved.read_bytes() == r.content
        assert tab.errors == []
