"""The administration screens in a real browser (issue 13, item 2): an admin invites someone,
who accepts through the link in their own browser and signs in with the role given; the admin
changes that role and it applies; the customer and item catalogues with the server's refusals on
their fields; the audit log and the check of its hash chain; the two-factor policy. The pages at
390 px and in French. Writes docs/screenshots/admin-members.png, admin-catalogue.png and
admin-audit.png (with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from server.auth.permissions import Role
from tests.conftest import Running, server_with
from tests.harness import Account
from tests.test_web_workflow import complete_invoice
from tests.web.browser import chromium, new_tab, screenshot, sign_in

NEWCOMER = "nina@elsewhere.test"
NEW_PASSWORD = "a brand new passphrase"


async def api(running: Running, account: Account, method: str, path: str, **kw: Any) -> Any:
    token = await running.server.login(account)
    async with httpx.AsyncClient(timeout=30.0, base_url=running.server.http) as http:
        r = await http.request(method, path, headers={"authorization": f"Bearer {token}"}, **kw)
    r.raise_for_status()
    return r.json()


async def role_of(running: Running, email: str, password: str) -> str:
    async with httpx.AsyncClient(timeout=30.0, base_url=running.server.http) as http:
        r = await http.post("/api/auth/login", json={"email": email, "password": password})
        r.raise_for_status()
        token = r.json()["access_token"]
        me = await http.get("/api/me", headers={"authorization": f"Bearer {token}"})
    (membership,) = me.json()["memberships"]
    return str(membership["role"])


async def no_sideways_scroll(page: Page) -> None:
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


async def test_members_invitation_role_catalogue_audit_policy(tmp_path: Path) -> None:
    users = {"ada": Role.ADMIN, "alice": Role.EDITOR}
    async with server_with(tmp_path, users) as running, chromium() as browser:
        ada, alice = running.accounts["ada"], running.accounts["alice"]
        server = running.server
        editor = await new_tab(browser)
        await sign_in(editor.page, server, alice)
        # Only those whose role manages members are offered the administration.
        await expect(editor.page.get_by_role("link", name="Administration")).to_have_count(0)
        await editor.page.goto(f"{server.http}/#/admin/members")
        await expect(editor.page).to_have_url(f"{server.http}/#/invoices")

        admin = await new_tab(browser)
        page = admin.page
        await sign_in(page, server, ada)
        await page.get_by_role("link", name="Administration").click()
        await expect(page.get_by_role("heading", name="Members of Acme")).to_be_visible()
        rows = page.locator("table.members tbody tr")
        await expect(rows).to_have_count(2)

        # Invite: the server makes a token, the page shows the link and says no email is sent.
        invite = page.locator("form.invite-form")
        await invite.get_by_label("Email").fill(NEWCOMER)
        await invite.get_by_label("Name (for a new account)").fill("Nina New")
        await invite.get_by_label("Role", exact=True).select_option("reviewer")
        await invite.get_by_role("button", name="Invite").click()
        await expect(invite).to_contain_text(f"Invitation for {NEWCOMER} as reviewer")
        await expect(invite).to_contain_text("No email is sent yet")
        link = await page.get_by_test_id("invitation-link").input_value()
        assert "#/invitation?token=" in link
        pending = page.get_by_test_id("pending-invitations")
        await expect(pending.locator(f"li[data-email='{NEWCOMER}']")).to_contain_text("reviewer")
        await screenshot(page, "admin-members.png", full_page=True)

        # A second invitation, withdrawn: it leaves the list (its link stops working).
        await invite.get_by_label("Email").fill("oops@acme.test")
        await invite.get_by_role("button", name="Invite").click()
        await expect(pending.locator("li[data-email='oops@acme.test']")).to_have_count(1)
        await page.get_by_role("button", name="Withdraw the invitation of oops@acme.test").click()
        await page.get_by_role("dialog").get_by_role("button", name="Withdraw").click()
        await expect(pending.locator("li[data-email='oops@acme.test']")).to_have_count(0)

        # The person opens the link in their own browser, chooses a password, is signed in.
        newcomer = await new_tab(browser)
        await newcomer.page.goto(link)
        await newcomer.page.get_by_label("Email").fill(NEWCOMER)
        await newcomer.page.get_by_label("Password").fill(NEW_PASSWORD)
        await newcomer.page.get_by_role("button", name="Accept and sign in").click()
        await expect(newcomer.page.get_by_test_id("user")).to_have_text("Nina New")
        assert await role_of(running, NEWCOMER, NEW_PASSWORD) == "reviewer"
        # A reviewer reads the catalogue but may not add to it.
        await newcomer.page.get_by_role("link", name="Catalogue").click()
        await expect(newcomer.page.get_by_role("heading", name="Catalogue")).to_be_visible()
        await expect(newcomer.page.get_by_role("button", name="+ New customer")).to_have_count(0)

        # The admin sees the new member and makes them an editor; it applies at once.
        await page.reload()
        await expect(rows).to_have_count(3)
        role = page.get_by_label("Role of Nina New")
        await expect(role).to_have_value("reviewer")
        row = rows.filter(has_text=NEWCOMER)
        await expect(row.get_by_role("button", name="Change role")).to_be_disabled()
        await role.select_option("editor")
        await row.get_by_role("button", name="Change role").click()
        changed = page.get_by_role("status").filter(has_text="Nina New is now editor.")
        await expect(changed).to_be_visible()
        assert await role_of(running, NEWCOMER, NEW_PASSWORD) == "editor"
        await newcomer.page.reload()
        await expect(newcomer.page.get_by_role("button", name="+ New customer")).to_be_visible()
        # The last admin cannot demote themselves: the server's refusal, as it says it.
        await page.get_by_label("Role of ada").select_option("viewer")
        await rows.filter(has_text=ada.email).get_by_role("button", name="Change role").click()
        await expect(page.locator(".members-page > .form-error")).to_be_visible()
        await expect(page.get_by_label("Role of ada")).to_have_value("admin")

        await catalogue(page, server.http)
        await audit_and_policy(running, page)
        for tab in (admin, editor, newcomer):
            assert tab.errors == [], tab.errors


async def catalogue(page: Page, http: str) -> None:
    await page.get_by_role("link", name="Catalogue").click()
    await page.get_by_role("button", name="+ New customer").click()
    form = page.locator("form.record-form")
    # Nothing typed: the server's refusal goes under the field it names.
    await form.get_by_role("button", name="Save").click()
    name = form.get_by_label("Name", exact=True)
    await expect(name).to_have_attribute("aria-invalid", "true")
    await expect(form.locator("[data-field=name] .issue")).to_contain_text("required")
    await name.fill("Maison Roux")
    await form.get_by_label("VAT number").fill("FR00000000000")
    await form.get_by_label("Country code").fill("fr")
    await form.get_by_role("button", name="Save").click()
    # The server's check names its field: the message sits under the VAT number.
    await expect(form.locator("[data-field=vat_id] .issue")).to_contain_text(
        "not a valid EU VAT number"
    )
    await form.get_by_label("VAT number").fill("FR40303265045")
    await form.get_by_label("City").fill("Paris")
    await form.get_by_role("button", name="Save").click()
    await expect(form).to_have_count(0)
    rows = page.locator("table.catalogue tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("FR")

    # Edit it: the change shows in the list; search finds it, or nothing.
    await page.get_by_role("button", name="Edit Maison Roux").click()
    await form.get_by_label("City").fill("Lyon")
    await form.get_by_role("button", name="Save").click()
    await expect(rows.first).to_contain_text("Lyon")
    await page.get_by_label("Search customers").fill("zzz")
    await expect(page.locator(".catalogue-page .empty")).to_be_visible()
    await page.get_by_label("Search customers").fill("roux")
    await expect(rows).to_have_count(1)

    # Items: the unit offered with its name; a price the server refuses is said under it.
    await page.get_by_role("link", name="Items").click()
    await page.get_by_role("button", name="+ New item").click()
    await form.get_by_label("Name", exact=True).fill("Audit day")
    await form.get_by_label("Unit", exact=True).fill("day")
    await form.get_by_label("Unit price").fill("450.50")
    await form.get_by_label("VAT rate (%)").fill("20")
    await form.get_by_role("button", name="Save").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("DAY — day")
    await expect(rows.first).to_contain_text("450.50")
    await page.get_by_role("button", name="+ New item").click()
    await form.get_by_label("Name", exact=True).fill("Refund")
    await form.get_by_label("Unit price").fill("-5")
    await form.get_by_label("VAT rate (%)").fill("20")
    await form.get_by_role("button", name="Save").click()
    await expect(form.get_by_label("Unit price")).to_have_attribute("aria-invalid", "true")
    await expect(form.locator("[data-field=unit_price] .issue")).to_contain_text("unit_price")
    await screenshot(page, "admin-catalogue.png", full_page=True)
    await form.get_by_role("button", name="Cancel").click()
    await expect(form).to_have_count(0)
    await expect(page.get_by_role("button", name="+ New item")).to_be_focused()
    # Delete asks first.
    await page.get_by_role("button", name="Delete Audit day").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    await expect(page.locator(".catalogue-page .empty")).to_be_visible()


async def audit_and_policy(running: Running, page: Page) -> None:
    await page.get_by_role("link", name="Administration").click()
    await page.get_by_role("link", name="Audit log").click()
    table = page.locator("table.audit tbody")
    for event in ("member.invited", "member.added", "member.role_changed"):
        await expect(table.locator(f"tr[data-event='{event}']").first).to_be_visible()
    # Actors are named from the members' list.
    await expect(table.locator("tr[data-event='member.invited']").first).to_contain_text("ada")
    await page.get_by_role("button", name="Verify the chain").click()
    await expect(page.get_by_test_id("audit-verdict")).to_contain_text("The chain is intact")
    await screenshot(page, "admin-audit.png")

    await page.get_by_role("link", name="Two-factor policy").click()
    # ada has no second factor: the page says what turning the policy on does to her.
    await expect(page.get_by_test_id("totp-self-warning")).to_be_visible()
    box = page.get_by_label("Require two-factor authentication from every member")
    await expect(box).not_to_be_checked()
    await box.check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status").filter(has_text="is required")).to_be_visible()
    ada = running.accounts["ada"]
    me = await api(running, ada, "GET", "/api/me")
    assert me["memberships"][0]["totp_required"] is True


async def test_admin_pages_on_a_phone_and_in_french(tmp_path: Path) -> None:
    async with server_with(tmp_path, {"ada": Role.ADMIN}) as running, chromium() as browser:
        ada = running.accounts["ada"]
        await api(running, ada, "POST", "/api/customers", json={"name": "Société Générale"})
        context = await browser.new_context(
            viewport={"width": 1280, "height": 844}, locale="fr-FR", timezone_id="Europe/Paris"
        )
        context.set_default_timeout(10_000)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await sign_in(page, running.server, ada)  # wide: sign_in waits for the name in the bar
        # Item 5: a server-side validation code in French, quoting what was typed.
        invoice = await complete_invoice(running, ada)
        await page.goto(f"{running.server.http}/#/invoices/{invoice}")
        quantity = page.locator("[data-field='lines.a.quantity']")
        await quantity.locator("input").fill("1e3")
        await expect(quantity.locator(".issue")).to_have_text(
            "« 1e3 » est en notation exponentielle : écrivez tous les chiffres."
        )
        await page.set_viewport_size({"width": 390, "height": 844})
        # The top bar folds under its menu; the administration is in it.
        await page.get_by_role("button", name="Menu").click()
        await page.get_by_role("link", name="Administration").click()
        await expect(page.get_by_role("heading", name="Membres de Acme")).to_be_visible()
        await no_sideways_scroll(page)
        # Keyboard: the invitation form is reached and sent without a mouse.
        email = page.locator("form.invite-form input[name=email]")
        await email.focus()
        await page.keyboard.type("zoe@acme.test")
        await page.keyboard.press("Enter")
        await expect(page.locator("form.invite-form")).to_contain_text("Aucun e-mail")
        await no_sideways_scroll(page)
        for path, heading in (
            ("admin/audit", "Journal d'audit de Acme"),
            ("admin/security", "Double authentification pour Acme"),
            ("catalogue/customers", "Catalogue"),
        ):
            await page.goto(f"{running.server.http}/#/{path}")
            await expect(page.get_by_role("heading", name=heading)).to_be_visible()
            await no_sideways_scroll(page)
        await expect(page.locator("table.catalogue")).to_contain_text("Société Générale")
        assert errors == [], errors
        await context.close()
