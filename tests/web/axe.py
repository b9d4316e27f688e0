"""The accessibility check of the browser tests (issue 13): axe-core, a devDependency of the web
app (web/package.json, installed by scripts/setup.sh), run in the page under test. Only serious
and critical violations fail a test; each is reported with its rule, targets and help.

The app's Content-Security-Policy allows no injected script, so the tab that runs axe is opened
with `axe_tab` (a context that bypasses the CSP, for that context only)."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest
from playwright.async_api import Browser, Page, ViewportSize

from tests.web.browser import DESKTOP, Tab, new_tab
from tests.web.build import WEB

AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")


class Violation(TypedDict):
    id: str
    impact: str
    help: str
    targets: list[str]


async def axe_tab(
    browser: Browser, *, locale: str = "en-GB", viewport: ViewportSize = DESKTOP
) -> Tab:
    """A tab axe can be injected into."""
    return await new_tab(browser, locale=locale, viewport=viewport, bypass_csp=True)


async def violations(page: Page) -> list[Violation]:
    """The serious and critical violations axe finds in the whole page as it is now."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run ./scripts/setup.sh (npm ci --prefix web)")
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    found: list[Violation] = await page.evaluate(
        """async (failing) => (await axe.run(document, { resultTypes: ['violations'] }))
            .violations.filter((v) => failing.includes(v.impact))
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                           targets: v.nodes.map((n) => n.target.join(' ')) }))""",
        list(FAILING),
    )
    return found


async def assert_accessible(page: Page, where: str) -> None:
    """Fail with axe's findings when the page has a serious or critical violation."""
    found = await violations(page)
    assert found == [], f"{where} ({page.url}):\n{json.dumps(found, indent=1)}"
