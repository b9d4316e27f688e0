"""The API tokens page in a real browser: an admin reaches it from the administration tabs,
creates a token (name, scopes, expiry), sees its secret once with the warning, the secret works
on the REST API, is gone after a reload, and the token is revoked after a confirmation; the
page in French."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import expect

from server.auth.permissions import Role
from tests.conftest import server_with
from tests.web.axe import assert_accessible, axe_tab
from tests.web.browser import chromium, new_tab, sign_in


async def test_create_see_the_secret_once_and_revoke(tmp_path: Path) -> None:
    users = {"ada": Role.ADMIN, "alice": Role.EDITOR}
    async with server_with(tmp_path, users) as running, chromium() as browser:
        server, ada = running.server, running.accounts["ada"]
        tab = await new_tab(browser)
        page = tab.page
        await sign_in(page, server, ada)
        await page.get_by_role("link", name="Administration").click()
        await page.get_by_role("link", name="API tokens").click()
        await expect(page.get_by_role("heading", name="API tokens of Acme")).to_be_visible()
        await expect(page.get_by_text("No token yet.")).to_be_visible()

        form = page.locator("form.token-form")
        await form.get_by_role("button", name="Create the token").click()
        await expect(form.get_by_role("alert")).to_have_text("Give the token a name.")
        await form.get_by_label("Name").fill("Accounting sync")
        await form.get_by_label("Read").check()
        await form.get_by_label("Payments").check()
        await form.get_by_label("Expiry").select_option(label="In 30 days")
        await form.get_by_role("button", name="Create the token").click()

        shown = page.get_by_test_id("token-secret")
        await expect(shown).to_contain_text("shown only this once")
        secret = await page.get_by_test_id("token-value").input_value()
        assert secret.startswith("cof_") and len(secret) == 50
        row = page.locator("table.tokens tr[data-token='Accounting sync']")
        await expect(row).to_contain_text("Read, Payments")
        await expect(row).to_contain_text("ada")
        await expect(row.locator("td").nth(2)).to_have_text("Never")  # last used
        await page.get_by_role("button", name="Copy the token").click()
        # Copied, or (no clipboard permission in this browser) selected for Ctrl+C.
        await expect(shown.get_by_role("status")).to_have_text(
            re.compile(r"^(Copied\.|Selected: copy it with Ctrl\+C\.)$")
        )

        async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
            r = await http.get("/api/invoices", headers={"authorization": f"Bearer {secret}"})
            assert r.status_code == 200, r.text

        await page.get_by_role("button", name="I have copied it").click()
        await expect(page.get_by_test_id("token-value")).to_have_count(0)
        await page.reload()
        await expect(row).to_be_visible()
        await expect(row.locator("td").nth(2)).not_to_have_text("Never")
        assert secret not in await page.content()  # never shown again
        assert secret[:12] in await row.inner_text()  # only its prefix

        await row.get_by_role("button", name="Revoke the token Accounting sync").click()
        dialog = page.get_by_role("dialog", name="Revoke the token “Accounting sync”?")
        await dialog.get_by_role("button", name="Cancel").click()
        await expect(row).to_be_visible()
        await row.get_by_role("button", name="Revoke the token Accounting sync").click()
        await dialog.get_by_role("button", name="Revoke").click()
        await expect(page.locator(".tokens-page > p.saved")).to_have_text(
            "Token “Accounting sync” revoked."
        )
        await expect(row).to_have_count(0)
        async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
            r = await http.get("/api/invoices", headers={"authorization": f"Bearer {secret}"})
            assert (r.status_code, r.json()) == (401, {"error": "this API token was revoked"})

        french = await axe_tab(browser, locale="fr-FR")
        await sign_in(french.page, server, ada, "/admin/tokens")
        await expect(
            french.page.get_by_role("heading", name="Jetons d\u2019API de Acme")
        ).to_be_visible()
        await expect(french.page.get_by_role("button", name="Créer le jeton")).to_be_visible()
        await assert_accessible(french.page, "API tokens page, French")

        # An editor is not offered the page, and is sent home if they open it.
        editor = await new_tab(browser)
        await sign_in(editor.page, server, running.accounts["alice"], "/admin/tokens")
        await expect(editor.page).to_have_url(f"{server.http}/#/invoices")
        assert tab.errors == [] and french.errors == [] and editor.errors == []
