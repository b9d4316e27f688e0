"""The editor's preview and downloads in a real Chromium: the server's PDF is shown beside the
form and drawn again after an edit (the new PDF carries the edit), and the download buttons
hand over a PDF, a Factur-X PDF with its XML inside, and the XML files.

Screenshot: docs/screenshots/editor-preview.png (with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
from playwright.async_api import Page, expect

from server.auth.permissions import Role
from tests.conftest import Running
from tests.harness import seed
from tests.test_web_workflow import complete_invoice, put_profile
from tests.web.browser import chromium, new_tab, open_invoice, screenshot


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def _download(page: Page, kind: str) -> bytes:
    async with page.expect_download() as started:
        await page.locator(f".downloads button[data-download='{kind}']").click()
    path = await (await started.value).path()
    return Path(path).read_bytes()


async def test_the_preview_follows_edits_and_the_downloads_answer_files(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    adam = (await seed(server.data_dir, users={"adam": Role.ADMIN}))["adam"]
    await put_profile(running, adam)
    invoice = await complete_invoice(running, alice, [("b", "Travel costs", "120.00")])
    async with chromium() as browser:
        tab = await new_tab(browser)
        page = tab.page
        preview = page.get_by_test_id("preview")
        await open_invoice(page, server, alice, invoice)
        await expect(preview).to_have_attribute("data-state", "ready")
        first = page.get_by_test_id("preview-pages").get_by_role("img").first
        await expect(first).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
        await expect(first).to_have_attribute("alt", "Page 1 of 1")
        assert await first.evaluate("(img) => img.naturalWidth") > 600  # drawn, sharp enough

        # An edit: once it is quiet the preview draws the server's PDF again, which has it.
        before = await first.get_attribute("src")
        await page.get_by_label("Customer name").fill("Maison Roux et Fils")
        await expect(first).not_to_have_attribute("src", before or "")
        await expect(preview).to_have_attribute("data-state", "ready")
        text = _text(await _download(page, "pdf"))
        assert "Maison Roux et Fils" in text and "BROUILLON" in text  # a French seller

        # The modern template in French, chosen in the panel, is what the PDF button downloads.
        await preview.get_by_label("Template").select_option("modern")
        await preview.get_by_label("Language of the PDF").select_option("fr")
        await expect(preview).to_have_attribute("data-state", "ready")
        pdf = await _download(page, "pdf")
        assert pdf.startswith(b"%PDF-")
        assert "BROUILLON" in _text(pdf) and "Net à payer" in _text(pdf)
        facturx = await _download(page, "facturx.pdf")
        attached = pypdf.PdfReader(io.BytesIO(facturx)).attachments["factur-x.xml"][0]
        assert b"CrossIndustryInvoice" in attached
        assert (await _download(page, "ubl.xml")).startswith(b"<?xml")
        assert (await _download(page, "cii.xml")) == attached

        await preview.get_by_label("Template").select_option("classic")
        await expect(preview).to_have_attribute("data-state", "ready")
        await screenshot(page, "editor-preview.png")
        assert tab.errors == []
