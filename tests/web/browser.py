"""A real Chromium (Debian's package) driven by Playwright, for the browser tests.

Never `playwright install`: the browser is /usr/bin/chromium. Without it the tests are skipped
with the reason, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)

from tests.harness import ROOT, Account, ServerProcess
from tests.web.build import build

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 10_000  # the longest any condition is waited for
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
TIMEZONE = "Europe/Paris"  # every tab's: "today" is Paris's, whatever the machine's zone


def require_browser() -> None:
    """Skip (locally) or fail (in CI) when Chromium is missing."""
    if not CHROMIUM.exists():
        reason = f"browser tests need {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    require_browser()
    build()  # web/dist up to date with the sources (returns at once when it is)
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Tab:
    """One person's browser: its own context (cookies, storage, network), one page, and the
    JavaScript errors the page raised (a test ends by checking there were none)."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)


async def new_tab(
    browser: Browser,
    *,
    locale: str = "en-GB",
    viewport: ViewportSize = DESKTOP,
    bypass_csp: bool = False,
) -> Tab:
    """A fresh context and page. `bypass_csp` lets a test inject a script (tests/web/axe.py)
    past the page's Content-Security-Policy, in that context only."""
    context = await browser.new_context(
        viewport=viewport, locale=locale, timezone_id=TIMEZONE, bypass_csp=bypass_csp
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = Tab(context, await context.new_page())
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab


async def sign_in(page: Page, server: ServerProcess, account: Account, path: str = "") -> None:
    await page.goto(f"{server.http}/#/login")
    # By field name, not label: the page may be in French.
    await page.locator("input[name=email]").fill(account.email)
    await page.locator("input[name=password]").fill(account.password)
    await page.locator("form button[type=submit]").click()
    await expect(page.get_by_test_id("user")).to_be_visible()
    if path:
        await page.goto(f"{server.http}/#{path}")


async def open_invoice(page: Page, server: ServerProcess, account: Account, invoice: str) -> None:
    await sign_in(page, server, account, f"/invoices/{invoice}")
    await expect(page.locator(".connection")).to_have_attribute("data-state", "connected")


async def api_document(server: ServerProcess, account: Account, invoice: str) -> dict[str, Any]:
    """The invoice as the REST API returns it, read as `account`."""
    token = await server.login(account)
    async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
        r = await http.get(f"/api/invoices/{invoice}", headers={"authorization": f"Bearer {token}"})
    r.raise_for_status()
    data: dict[str, Any] = r.json()
    return data


async def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
    """Take the screenshot `name`; written to docs/screenshots (committed, the README shows
    them) only with UPDATE_SCREENSHOTS=1, so that a test run leaves the work tree clean."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else _scratch()
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(
        path=str(folder / name), animations="disabled", caret="hide", full_page=full_page
    )


def _scratch() -> Path:
    return Path(tempfile.gettempdir()) / "cofacture-screenshots"
