"""First run in the browser: on an empty database the start page creates the organization and
its administrator, signs them in, and is gone afterwards (the API refuses a second setup)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.harness import ServerProcess
from tests.web.browser import chromium, new_tab
from tests.web.build import build


@pytest.fixture
async def empty_server(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    server = ServerProcess(tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_first_run_creates_the_organization_and_admin(empty_server: ServerProcess) -> None:
    server = empty_server
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        await page.goto(server.http)
        await expect(page.get_by_role("heading", name="Welcome to Cofacture")).to_be_visible()
        await page.get_by_label("Organization name").fill("Ateliers Dubois")
        await page.get_by_label("Your name").fill("Ada Dubois")
        await page.get_by_label("Email").fill("ada@dubois.example")
        await page.get_by_label("Password", exact=True).fill("long enough")
        await page.get_by_label("Repeat the password").fill("long enougj")
        await page.get_by_role("button", name="Create the organization").click()
        await expect(page.get_by_role("alert")).to_have_text("The two passwords differ.")
        await page.get_by_label("Repeat the password").fill("long enough")
        await page.get_by_role("button", name="Create the organization").click()

        await expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
        await expect(page.get_by_test_id("user")).to_have_text("Ada Dubois")
        await expect(page.get_by_role("banner")).to_contain_text("Ateliers Dubois")
        await page.get_by_role("button", name="New invoice").click()  # an admin can create
        await expect(page).to_have_url(re.compile(r"#/invoices/[0-9a-f-]{36}$"))

        # The page is gone: another visitor gets the sign-in page.
        other = await new_tab(browser)
        await other.page.goto(f"{server.http}/#/setup")
        await expect(other.page).to_have_url(re.compile(r"#/login$"))
        assert tab.errors == [] and other.errors == []

    async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
        assert (await http.get("/api/setup")).json() == {"needed": False}
        again = await http.post(
            "/api/setup",
            json={"organization": "Evil", "email": "evil@example.com", "password": "long enough"},
        )
        assert again.status_code == 403 and "already set up" in again.json()["error"]


async def test_concurrent_setups_create_one_admin(empty_server: ServerProcess) -> None:
    async with httpx.AsyncClient(timeout=30.0, base_url=empty_server.http) as http:
        assert (await http.get("/api/setup")).json() == {"needed": True}
        bad = await http.post("/api/setup", json={"organization": "X", "email": "x@y.z"})
        assert bad.status_code == 400 and bad.json()["error"] == "`password` is required"
        assert bad.json()["details"] == [{"path": "password", "message": "`password` is required"}]
        answers = await asyncio.gather(
            *(
                http.post(
                    "/api/setup",
                    json={
                        "organization": f"Org {i}",
                        "email": f"admin{i}@example.com",
                        "password": "long enough",
                    },
                )
                for i in range(5)
            )
        )
        assert sorted(r.status_code for r in answers) == [201, 403, 403, 403, 403]
        winner = next(r.json() for r in answers if r.status_code == 201)
        login = await http.post(
            "/api/auth/login", json={"email": winner["email"], "password": "long enough"}
        )
        token = login.json()["access_token"]
        me = (await http.get("/api/me", headers={"authorization": f"Bearer {token}"})).json()
        assert [m["role"] for m in me["memberships"]] == ["admin"]


async def test_the_server_serves_the_app_without_shadowing_the_api(
    empty_server: ServerProcess,
) -> None:
    build()
    async with httpx.AsyncClient(timeout=30.0, base_url=empty_server.http) as http:
        page = await http.get("/")
        assert page.status_code == 200 and '<div id="app">' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        script = re.search(r'src="(/assets/app-[^"]+\.js)"', page.text)
        assert script is not None
        asset = await http.get(script.group(1))
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
        missing = await http.get("/api/no-such-route")
        assert missing.status_code == 404 and "error" in missing.json()
        assert (await http.get("/assets/nope.js")).status_code == 404
        assert (await http.get("/api/health")).json()["status"] == "ok"
