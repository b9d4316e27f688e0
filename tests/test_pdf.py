"""The PDF for people and Factur-X: rendered in both templates and both languages, read back
with pypdf and checked against figures worked by hand; the Factur-X attachment is the /cii.xml
answer byte for byte and passes the XSD and the EN 16931 Schematron; an issued invoice's files
are rendered once and served unchanged; other organizations get 404.

Screenshots of both templates go to docs/screenshots/ with UPDATE_SCREENSHOTS=1 only."""

from __future__ import annotations

import base64
import io
import os
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from collab.invoice.en16931 import SemanticInvoice, to_cii, to_semantic
from server.auth.permissions import Role
from server.core.db import create_engine
from server.exports import epc
from server.exports.labels import LABELS
from server.exports.models import IssuedRender
from server.exports.pdf import Layout, render_facturx, render_html, render_pdf
from server.exports.validation import check_sync
from server.exports.view import Branding
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import ROOT, db_url, seed
from tests.invoices_en16931 import CASES, SELLER, document, line
from tests.test_exports import _invoice, _move, _put_profile
from tests.test_organization_profile import IBAN

NUMBER = "F2026-000042"
# 3 x 45.00 - 15.00 = 120.00 at 20 % (VAT 24.00); 2 x 12.50 = 25.00 at 10 % (2.50);
# 4 x 9.99 = 39.96 at 5.5 % (2.1978 -> 2.20); 500.00 exempt (E, no VAT).
# Excl. VAT 684.96, VAT 28.70, incl. VAT 713.66.
VARIED = document(
    [
        line("a", "3", "45.00", "20", discount={"kind": "amount", "value": "15.00"}),
        line("b", "2", "12.50", "10"),
        line("c", "4", "9.99", "5.5"),
        line("d", "1", "500.00", "0", "E"),
    ],
    issue_date="2026-03-02",
)
EXPECTED = {
    "en": ["684.96 EUR", "28.70 EUR", "713.66 EUR", "120.00 EUR", "24.00 EUR", "25.00 EUR",
           "2.50 EUR", "39.96 EUR", "2.20 EUR", "500.00 EUR", "5.5 %", "20 %", "10 %",
           "Total incl. VAT", "Amount due", "Late payment penalties: 12.15 % a year",
           "recovery costs in case of late payment: 40.00 EUR", "Exempt from VAT"],
    "fr": ["684,96 EUR", "28,70 EUR", "713,66 EUR", "120,00 EUR", "24,00 EUR", "25,00 EUR",
           "2,50 EUR", "39,96 EUR", "2,20 EUR", "500,00 EUR", "5,5 %", "20 %", "10 %",
           "Total TTC", "Net à payer", "Pénalités de retard : taux annuel de 12,15 %",
           "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : "
           "40,00 EUR", "Code de commerce", "Exonération de TVA",
           "N° TVA intracommunautaire FR44732829320", "Date d'échéance"],
}  # fmt: skip
BOTH = ["SIREN 732829320", "Lumière SARL", "Client SA", "SIREN 552100554", "FR96552100554",
        "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP", "PO-4711"]  # fmt: skip


def _semantic(number: str | None = NUMBER, content: dict[str, Any] = VARIED) -> SemanticInvoice:
    return to_semantic(content, number=number, issue_date=date(2026, 3, 2), seller=SELLER)


def _text(pdf: bytes) -> str:
    """The PDF's text, spaces of every kind (no-break, narrow) made plain and collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(re.sub(r"[\u00a0\u202f]", " ", text).split())


def _logo() -> str:
    image = Image.new("RGBA", (240, 80), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 76, 76), fill="#e8a33d")
    draw.rectangle((92, 22, 236, 36), fill="#444444")
    draw.rectangle((92, 46, 196, 58), fill="#888888")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.mark.parametrize("template", ["classic", "modern"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_figure_and_mention_in_both_templates_and_languages(template: Any, lang: Any) -> None:
    pdf = render_pdf(_semantic(), seller=SELLER, layout=Layout(template, lang), draft=False)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in [NUMBER, *BOTH, *EXPECTED[lang]]:
        assert expected in text, (template, lang, expected)
    assert ("2 mars 2026" if lang == "fr" else "2 March 2026") in text
    assert ("1er avril 2026" if lang == "fr" else "1 April 2026") in text  # the due date
    assert "DRAFT" not in text and "BROUILLON" not in text


@pytest.mark.parametrize("template", ["classic", "modern"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_allowances_and_charges_are_listed_with_reason_rate_and_amount(
    template: Any, lang: Any
) -> None:
    # tests/invoices_en16931.py works the figures: a shipping charge of 15.00 at 20 % between
    # the sum of lines 120.00 and the total excl. VAT 135.00; on lines, each row under its line.
    charged = _semantic(content=CASES["document_charge_shipping"].document)
    text = _text(render_pdf(charged, seller=SELLER, layout=Layout(template, lang), draft=False))
    comma = (lambda v: v.replace(".", ",")) if lang == "fr" else (lambda v: v)
    words = LABELS[lang]
    lines_sum = f"{words['line_total']} {comma('120.00')} EUR"
    shipping = f"Shipping ({comma('20')} %) {comma('15.00')} EUR"
    net = f"{words['net']} {comma('135.00')} EUR"
    assert text.index(lines_sum) < text.index(shipping) < text.index(net), text
    lines = _semantic(content=CASES["line_allowances_and_charge"].document)
    text = _text(render_pdf(lines, seller=SELLER, layout=Layout(template, lang), draft=False))
    for shown in ("Volume rebate 10 % \u2212" + comma("10.00"), "Packing +" + comma("7.50"),
                  ("Remise" if lang == "fr" else "Discount") + " 10 % \u2212" + comma("2.00"),
                  "Insurance 5 % +" + comma("1.00")):  # fmt: skip
        assert shown in text, (shown, text)


def test_a_draft_is_watermarked_and_has_no_number() -> None:
    for lang, mark in (("en", "DRAFT"), ("fr", "BROUILLON")):
        text = _text(render_pdf(_semantic(None), seller=SELLER, layout=Layout("modern", lang),  # type: ignore[arg-type]
                                draft=True))  # fmt: skip
        assert mark in text and "713" in text
        assert "F2026" not in text


def test_the_epc_qr_payload() -> None:
    # EPC069-12: BCD, version 002, UTF-8 (1), SCT, BIC, name, IBAN, EUR amount, purpose,
    # structured reference, unstructured text; trailing empty fields left out.
    transfer = epc.Transfer("Lumière SARL", IBAN, Decimal("713.66"), NUMBER, "AGRIFRPP")
    assert epc.payload(transfer) == (
        f"BCD\n002\n1\nSCT\nAGRIFRPP\nLumière SARL\n{IBAN}\nEUR713.66\n\n\n{NUMBER}"
    )
    assert epc.payload(epc.Transfer("X", IBAN, Decimal("5"))) == (
        f"BCD\n002\n1\nSCT\n\nX\n{IBAN}\nEUR5.00"
    )
    for amount in ("0", "-1.00", "1000000000.00", "1.005"):
        assert epc.payload(epc.Transfer("X", IBAN, Decimal(amount))) is None, amount
    assert epc.payload(epc.Transfer("", IBAN, Decimal("1"))) is None


def test_qr_only_in_euros_logo_colour_and_escaping() -> None:
    euros = render_html(_semantic(), seller=SELLER, layout=Layout(), draft=False)
    assert euros.count("data:image/svg+xml") == 1  # the QR code
    yen = _semantic(content={**VARIED, "invoice": {**VARIED["invoice"], "currency": "JPY"}})
    assert "data:image/svg+xml" not in render_html(yen, seller=SELLER, layout=Layout(), draft=False)

    logo = _logo()
    branded = Layout("modern", "en", Branding(logo=logo, color="#aa0000"))
    html = render_html(_semantic(), seller=SELLER, layout=branded, draft=False)
    assert "--accent: #aa0000" in html and logo in html
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(_semantic(), seller=SELLER, layout=branded,
                                                   draft=False)))  # fmt: skip
    assert len(reader.pages[0].images) == 1  # the logo (the QR code is drawn as vectors)
    # Anything but a colour or an image data URI is ignored, never rendered.
    hostile = Layout("classic", "en", Branding(logo="file:///etc/passwd", color="red;}body{"))
    html = render_html(_semantic(), seller=SELLER, layout=hostile, draft=False)
    assert "passwd" not in html and "red;}" not in html and "--accent: #1f4e79" in html

    evil = {**VARIED, "invoice": {**VARIED["invoice"], "customer": {"name": "<b>Evil</b>"}}}
    html = render_html(_semantic(content=evil), seller=SELLER, layout=Layout(), draft=False)
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html and "<b>Evil" not in html


def test_facturx_carries_the_cii_unchanged_and_is_pdfa3() -> None:
    semantic = _semantic()
    cii = to_cii(semantic)
    data = render_facturx(semantic, cii=cii, seller=SELLER, layout=Layout(), draft=False)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.attachments["factur-x.xml"] == [cii]
    stream = reader.root_object["/Metadata"].get_object()
    assert isinstance(stream, pypdf.generic.StreamObject)
    metadata = stream.get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in metadata
    assert b"EN 16931" in metadata  # fx:ConformanceLevel
    assert NUMBER in _text(data)


def test_screenshots_of_both_templates() -> None:
    """docs/screenshots/pdf-classic.png and pdf-modern.png: the first page of each template."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        pytest.skip("screenshots are written with UPDATE_SCREENSHOTS=1")
    import pypdfium2  # type: ignore[import-untyped]

    for template, lang, color in (("classic", "en", "#1f4e79"), ("modern", "fr", "#7a1f5c")):
        layout = Layout(template, lang, Branding(logo=_logo(), color=color))  # type: ignore[arg-type]
        data = render_pdf(_semantic(), seller=SELLER, layout=layout, draft=False)
        page = pypdfium2.PdfDocument(data)[0]
        page.render(scale=1.5).to_pil().save(ROOT / "docs" / "screenshots" / f"pdf-{template}.png")


# -- through the server ------------------------------------------------------------------------


async def test_routes_draft_then_issued_renders_kept_unchanged(running: Running) -> None:
    extra = await seed(running.server.data_dir, users={"abe": Role.APPROVER, "adam": Role.ADMIN})
    running.accounts.update(extra)
    people = {name: await token(running.server, a) for name, a in running.accounts.items()}
    org = running.accounts["alice"].org_id
    await _put_profile(running, people["adam"], org)
    invoice_id = await _invoice(running, running.accounts["alice"], VARIED)
    base = f"/api/invoices/{invoice_id}"

    async with api(running.server, people["vera"]) as http:  # a viewer reads the draft
        r = await http.get(f"{base}/pdf", params={"template": "modern", "lang": "en"})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/pdf"
        assert "no-store" in r.headers["cache-control"]
        text = _text(r.content)
        assert "DRAFT" in text and "713.66 EUR" in text and "F2026" not in text
        r = await http.get(f"{base}/pdf", params={"template": "nope"})
        assert r.status_code == 400, r.text

    for action, who in (("submit", "alice"), ("approve", "abe"), ("issue", "abe")):
        await _move(running, people[who], invoice_id, action)

    async with api(running.server, people["vera"]) as http:
        first = {
            path: (await http.get(f"{base}/{path}")).content
            for path in ("pdf", "facturx.pdf", "cii.xml", "ubl.xml", "pdf?template=modern")
        }
    text = _text(first["pdf"])  # a French seller: French by default
    assert "F2026-000001" in text and "713,66 EUR" in text and "Net à payer" in text
    assert "BROUILLON" not in text
    attachment = pypdf.PdfReader(io.BytesIO(first["facturx.pdf"])).attachments["factur-x.xml"]
    assert attachment == [first["cii.xml"]]
    report = check_sync("cii", first["cii.xml"])
    assert report.ok, report.fatal

    # The seller profile changes: every file of the issued invoice stays byte for byte.
    await _put_profile(running, people["adam"], org, legal_name="Renamed SAS", iban=IBAN)
    async with api(running.server, people["alice"]) as http:
        for path, data in first.items():
            r = await http.get(f"{base}/{path}")
            assert r.status_code == 200 and r.content == data, path
        r = await http.get(f"{base}/pdf", headers={"accept": "application/json"})
        body = r.json()
        assert body["number"] == "F2026-000001" and body["draft"] is False
        assert body["lang"] == "fr" and base64.b64decode(body["pdf"]) == first["pdf"]
    engine = create_engine(db_url(running.server.data_dir))
    async with engine.connect() as db:
        stored = await db.scalar(select(func.count()).where(IssuedRender.invoice_id == invoice_id))
    await engine.dispose()
    assert stored == 5  # pdf classic/fr, pdf modern/fr, facturx classic/fr, cii, ubl


async def test_other_organizations_get_404(running: Running) -> None:
    invoice_id = await _invoice(running, running.accounts["alice"], VARIED)
    olga = (await seed(running.server.data_dir, org="Other", users={"olga": Role.ADMIN}))["olga"]
    async with api(running.server, await token(running.server, olga)) as http:
        for path in ("pdf", "facturx.pdf"):
            r = await http.get(f"/api/invoices/{invoice_id}/{path}")
            assert r.status_code == 404, r.text
            assert r.json() == {"error": "no such invoice"}
    async with api(running.server) as http:
        assert (await http.get(f"/api/invoices/{invoice_id}/pdf")).status_code == 401
