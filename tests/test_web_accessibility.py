"""Every page of the browser app checked by axe-core (issue 13): no serious or critical
violation, at 1280 px and at 390 px (a phone, the top bar folded under its menu, opened too).
Signed out: the first-run page, sign-in (its error and its two-factor step), the invitation
page. Signed in: the invoice list and its notifications menu, the editor (a line, an allowance
and a charge, a comment being written, the PDF preview), the catalogue (customers and items,
with the form open), the administration (members and pending invitations, audit log, two-factor
policy, seller profile), the getting-paid pages (receivables, bank reconciliation, recurring
schedules, reminder settings, outbox), the person's own two-factor page, the invitations
addressed to them. The wording is the same structure in French: the sign-in page, the list and
the editor are checked in French as well. Findings are collected over all pages, then reported
together with their rule, targets and help (tests/web/axe.py)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pyotp
from playwright.async_api import Page, ViewportSize, expect

from server.auth.permissions import Role
from tests.conftest import Running, server_with
from tests.harness import Account, ServerProcess, seed
from tests.test_web_workflow import complete_invoice, put_profile
from tests.web.axe import Violation, axe_tab, violations
from tests.web.browser import chromium, sign_in

WIDE: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
WIDTHS = (WIDE, PHONE)


class Findings:
    """axe's serious and critical findings, page by page."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.found: dict[str, list[Violation]] = {}

    async def check(self, page: Page, where: str) -> None:
        await page.wait_for_load_state("networkidle")
        width = page.viewport_size["width"] if page.viewport_size else 0
        name = f"{where} at {width}px"
        self.pages.append(name)
        if found := await violations(page):
            self.found[name] = found

    def assert_none(self) -> None:
        assert self.found == {}, json.dumps(self.found, indent=1)


async def client(server: ServerProcess, account: Account) -> httpx.AsyncClient:
    token = await server.login(account)
    return httpx.AsyncClient(
        timeout=30.0, base_url=server.http, headers={"authorization": f"Bearer {token}"}
    )


async def open_menu(page: Page) -> None:
    """On a phone, unfold the top bar (the links and the bell are under "Menu")."""
    toggle = page.locator(".menu-toggle")
    if await toggle.is_visible() and await toggle.get_attribute("aria-expanded") == "false":
        await toggle.click()


# -- signed out --------------------------------------------------------------------------------


async def test_first_run_page(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path)
    findings = Findings()
    try:
        await server.start()
        async with chromium() as browser:
            for viewport in WIDTHS:
                tab = await axe_tab(browser, viewport=viewport)
                await tab.page.goto(f"{server.http}/#/login")
                await expect(tab.page.locator("input[autocomplete=organization]")).to_be_visible()
                await findings.check(tab.page, "first-run page")
                assert tab.errors == []
                await tab.context.close()
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()
    findings.assert_none()


async def test_sign_in_two_factor_and_invitation_pages(tmp_path: Path) -> None:
    users = {"ada": Role.ADMIN, "tom": Role.EDITOR}
    async with server_with(tmp_path, users) as running, chromium() as browser:
        server, ada, tom = running.server, running.accounts["ada"], running.accounts["tom"]
        async with await client(server, tom) as http:  # tom signs in with a second factor
            secret = (await http.post("/api/auth/2fa/enroll")).json()["secret"]
            r = await http.post("/api/auth/2fa/confirm", json={"code": pyotp.TOTP(secret).now()})
            assert r.status_code == 200, r.text
        async with await client(server, ada) as http:
            r = await http.post(
                f"/api/orgs/{ada.org_id}/members",
                json={"email": "nina@elsewhere.test", "role": "editor"},
            )
            assert r.status_code == 201, r.text
            invitation = r.json()["invitation_token"]
        findings = Findings()
        for locale, viewport in (("en-GB", WIDE), ("en-GB", PHONE), ("fr-FR", WIDE)):
            tab = await axe_tab(browser, locale=locale, viewport=viewport)
            page = tab.page
            await page.goto(f"{server.http}/#/login")
            await expect(page.locator("input[name=email]")).to_be_visible()
            await findings.check(page, f"sign-in ({locale})")
            await page.locator("input[name=email]").fill(ada.email)
            await page.locator("input[name=password]").fill("not the password")
            await page.locator("form button[type=submit]").click()
            await expect(page.locator("form .form-error")).to_be_visible()
            await findings.check(page, f"sign-in refused ({locale})")
            await page.locator("input[name=email]").fill(tom.email)
            await page.locator("input[name=password]").fill(tom.password)
            await page.locator("form button[type=submit]").click()
            await expect(page.locator("input[name=totp]")).to_be_visible()
            await findings.check(page, f"sign-in, two-factor step ({locale})")
            await page.goto(f"{server.http}/#/invitation?token={invitation}")
            await expect(page.locator("main form")).to_be_visible()
            await findings.check(page, f"invitation, signed out ({locale})")
            assert tab.errors == []
            await tab.context.close()
        findings.assert_none()


# -- signed in ---------------------------------------------------------------------------------


async def test_list_catalogue_administration_and_own_pages(tmp_path: Path) -> None:
    users = {"ada": Role.ADMIN, "bob": Role.EDITOR}
    async with server_with(tmp_path, users) as running, chromium() as browser:
        server, ada, bob = running.server, running.accounts["ada"], running.accounts["bob"]
        await put_profile(running, ada)
        invoice = await complete_invoice(running, ada)
        other = await seed_other_org(running)
        async with await client(server, ada) as http:
            await http.post("/api/customers", json={"name": "Maison Roux", "country": "FR"})
            r = await http.post(
                f"/api/orgs/{ada.org_id}/members",
                json={"email": "nina@elsewhere.test", "role": "reviewer"},
            )
            assert r.status_code == 201, r.text
        async with await client(server, other) as http:  # an invitation addressed to ada
            r = await http.post(
                f"/api/orgs/{other.org_id}/members", json={"email": ada.email, "role": "editor"}
            )
            assert r.status_code == 201, r.text
        async with await client(server, bob) as http:  # a mention: the bell has something
            body = {"anchor": {"path": "invoice.notes"}, "body": "@ada can you check?"}
            r = await http.post(f"/api/invoices/{invoice}/comments", json=body)
            assert r.status_code == 201, r.text
        findings = Findings()
        for viewport in WIDTHS:
            tab = await axe_tab(browser)
            page = tab.page
            await sign_in(page, server, ada)  # wide: sign_in waits for the name in the bar
            await page.set_viewport_size(viewport)
            await expect(page.locator("table.invoices tbody tr")).to_have_count(1)
            await findings.check(page, "invoice list")
            await open_menu(page)
            await page.get_by_test_id("notifications").click()
            await expect(page.locator("#notifications-panel li").first).to_be_visible()
            await findings.check(page, "invoice list, menu and notifications open")
            await page.get_by_test_id("notifications").click()
            for path, ready in PAGES:
                await page.goto(f"{server.http}/#/{path}")
                await expect(page.locator(ready).first).to_be_visible()
                await findings.check(page, path)
                if form := FORMS.get(path):
                    await page.locator(form).click()
                    await expect(page.locator("form.record-form")).to_be_visible()
                    await findings.check(page, f"{path}, its form open")
            await page.goto(f"{server.http}/#/admin/audit")
            await page.get_by_role("button", name="Verify the chain").click()
            await expect(page.get_by_test_id("audit-verdict")).to_be_visible()
            await findings.check(page, "admin/audit, the chain verified")
            await page.goto(f"{server.http}/#/security")
            await page.get_by_role("button", name="Set up two-factor authentication").click()
            await expect(page.locator("code.secret")).to_be_visible()
            await findings.check(page, "security, enrolling")
            assert tab.errors == []
            await tab.context.close()
        findings.assert_none()


# Each page (after `#/`) and what shows once it is loaded.
PAGES = (
    ("catalogue/customers", "table.catalogue tbody tr"),
    ("catalogue/items", ".catalogue-page"),
    ("admin/members", "[data-testid=pending-invitations] li"),
    ("admin/audit", "table.audit tbody tr"),
    ("admin/security", "main form"),
    ("settings/profile", "main form"),
    ("security", "main h1"),
    ("invitation", "main h1"),
    ("receivables", ".receivables-page .empty"),
    ("reconciliation", ".reconciliation-page .empty"),
    ("recurring", ".recurring-page .empty"),
    ("settings/reminders", "[data-testid=reminder-settings] tbody tr"),
    ("admin/outbox", ".outbox-page .empty"),
    ("reports", ".kpi-grid"),
    ("time-import", "[data-testid=time-upload]"),
    ("settings/notifications", ".notification-settings-page form"),
    ("settings/accounting", "main form"),
    ("admin/webhooks", "main h1"),
    ("admin/tokens", "main h1"),
)
# The button that opens a page's form.
FORMS = {
    "catalogue/customers": "text=+ New customer",
    "catalogue/items": "text=+ New item",
}


async def seed_other_org(running: Running) -> Account:
    made = await seed(running.server.data_dir, users={"olga": Role.ADMIN}, org="Other SA")
    return made["olga"]


async def test_the_editor(tmp_path: Path) -> None:
    users = {"ada": Role.ADMIN, "alice": Role.EDITOR}
    async with server_with(tmp_path, users) as running, chromium() as browser:
        server, alice = running.server, running.accounts["alice"]
        await put_profile(running, running.accounts["ada"])
        invoice = await complete_invoice(running, alice)
        findings = Findings()
        for locale, viewport in (("en-GB", WIDE), ("en-GB", PHONE), ("fr-FR", WIDE)):
            tab = await axe_tab(browser, locale=locale)
            page = tab.page
            await sign_in(page, server, alice, f"/invoices/{invoice}")
            await page.set_viewport_size(viewport)
            await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")
            preview = page.get_by_test_id("preview")  # a PDF drawn: slow on a busy machine
            await expect(preview).to_have_attribute("data-state", "ready", timeout=60_000)
            await findings.check(page, f"editor ({locale})")
            if locale == "en-GB":
                line = page.get_by_role("group", name="Line 1", exact=True)
                folded = line.get_by_test_id("line-adjustments")
                await folded.locator("summary").click()
                if not await folded.get_by_role("group", name="Allowance 1").count():
                    await folded.get_by_role("button", name="Add allowance").click()
                    section = page.locator("section.adjustments-section")
                    await section.get_by_role("button", name="Add charge").click()
                await (
                    folded.get_by_role("group", name="Allowance 1")
                    .get_by_label("Reason", exact=True)
                    .fill("Loyalty")
                )
                await line.get_by_role("button", name="Comment on Line 1").click()
                await expect(page.locator("form.composer")).to_be_visible()
                await findings.check(page, f"editor, allowance and comment composer ({locale})")
                # A new invoice: nothing to preview yet (the preview's frame has no page).
                await page.goto(f"{server.http}/#/invoices")
                await page.get_by_role("button", name="+ New invoice").click()
                await expect(page.locator(".connection")).to_have_attribute(
                    "data-state", "connected"
                )
                await expect(preview).not_to_have_attribute("data-state", "loading")
                await findings.check(page, f"editor, a new invoice ({locale})")
            assert tab.errors == []
            await tab.context.close()
        findings.assert_none()
