"""The invoice as a PDF for people (Jinja2 templates rendered by WeasyPrint) and as Factur-X
(the same PDF as PDF/A-3b with the CII XML attached, by the `factur-x` library).

Synchronous and CPU-bound: callers run these off the event loop (renderer.py). Nothing here is
fetched from anywhere: the templates are read from this package, the stylesheets are inlined,
and the only images are data URIs (the logo, the QR code); any other URL is refused.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from collab.invoice.en16931 import SemanticInvoice, to_cii, to_semantic
from server.exports.labels import Language
from server.exports.view import Branding, context

Template = Literal["classic", "modern"]
TEMPLATES: Final = ("classic", "modern")
_FOLDER: Final = Path(__file__).with_name("templates")
_LOCALES: Final = {"en": "en-GB", "fr": "fr-FR"}
# The preview shows a few pages, sharp in the editor's 20rem side pane on a 2x screen (scale 1
# is 72 dpi: an A4 page 595 px wide); the downloaded PDF has them all.
PREVIEW_PAGES: Final = 8
PREVIEW_SCALE: Final = 1.2


@dataclass(frozen=True, slots=True)
class Layout:
    """How a PDF looks: which template, which language, which organization's branding."""

    template: Template = "classic"
    lang: Language = "en"
    branding: Branding = field(default_factory=Branding)

    @property
    def variant(self) -> str:
        """What a stored render is keyed by beside its format ("classic/fr")."""
        return f"{self.template}/{self.lang}"


def layout_for(template: Template, lang: Language | None, seller: Mapping[str, Any]) -> Layout:
    """The template, the language (by default French for a French seller, else English) and
    the seller's logo and colour when its profile carries them (`logo`: an image data URI,
    `color`: #rrggbb; the organization's branding, server/organization/branding.py)."""
    if lang is None:
        address = seller.get("address") or {}
        french = isinstance(address, Mapping) and address.get("country") == "FR"
        lang = "fr" if french else "en"
    logo, color = seller.get("logo"), seller.get("color")
    branding = Branding(
        logo=logo if isinstance(logo, str) else "", color=color if isinstance(color, str) else ""
    )
    return Layout(template=template, lang=lang, branding=branding)


@cache
def _environment() -> Environment:
    # Autoescape on for .html: every customer name, line description or note is text, never
    # markup. StrictUndefined: a misspelt variable fails the test suite instead of printing "".
    return Environment(
        loader=FileSystemLoader(_FOLDER),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# WeasyPrint, factur-x and PDFium are imported where they are used: only the render workers
# (server/exports/renderer.py) draw PDFs, and importing them costs every server start about two
# seconds (WeasyPrint parses its default stylesheets on import).


@cache
def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols=("data",))


def render_html(
    invoice: SemanticInvoice, *, seller: Mapping[str, Any], layout: Layout, draft: bool
) -> str:
    """The invoice as the template's HTML (what the PDF is drawn from)."""
    found = context(invoice, seller=seller, lang=layout.lang, draft=draft, branding=layout.branding)
    return _environment().get_template(f"{layout.template}.html").render(found)


def render_pdf(
    invoice: SemanticInvoice,
    *,
    seller: Mapping[str, Any],
    layout: Layout,
    draft: bool,
    archival: bool = False,
) -> bytes:
    """The PDF; `archival` makes it PDF/A-3b (fonts embedded, an sRGB output intent), the
    base Factur-X requires."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_html(invoice, seller=seller, layout=layout, draft=draft)
    document = HTML(string=html, base_url=str(_FOLDER), url_fetcher=_fetcher())
    options: dict[str, Any] = {"pdf_variant": "pdf/a-3b"} if archival else {}
    data: bytes = document.write_pdf(**options)
    return data


def render_facturx(
    invoice: SemanticInvoice,
    *,
    cii: bytes,
    seller: Mapping[str, Any],
    layout: Layout,
    draft: bool,
) -> bytes:
    """Factur-X, EN 16931 profile: the PDF/A-3b with `cii` attached as factur-x.xml, unchanged
    (the caller passes the bytes /cii.xml serves, so both are the same document)."""
    from facturx import generate_from_binary  # type: ignore[import-untyped]

    pdf = render_pdf(invoice, seller=seller, layout=layout, draft=draft, archival=True)
    title = f"{invoice.seller.name}: {invoice.number}"
    data: bytes = generate_from_binary(
        pdf,
        cii,
        flavor="factur-x",
        level="en16931",
        # The XML was checked against the XSD and the Schematron by the export already.
        check_xsd=False,
        pdf_metadata={
            "author": invoice.seller.name,
            "keywords": "Factur-X, Invoice",
            "title": title,
            "subject": f"Factur-X invoice {invoice.number} dated {invoice.issue_date.isoformat()}",
        },
        lang=_LOCALES[layout.lang],
    )
    return data


def pdf_of(
    document: dict[str, Any], *, mapping: Mapping[str, Any], layout: Layout, draft: bool
) -> bytes:
    """The PDF of an invoice document, mapped with `to_semantic(document, **mapping)`: the
    worker process's whole job, so the event loop does not even map a large invoice."""
    invoice = to_semantic(document, **mapping)
    return render_pdf(invoice, seller=mapping["seller"], layout=layout, draft=draft)


def facturx_of(
    document: dict[str, Any],
    *,
    mapping: Mapping[str, Any],
    layout: Layout,
    draft: bool,
    cii: bytes | None,
) -> bytes:
    """Factur-X of an invoice document; `cii` None writes it from the same mapping (what the
    /cii.xml export writes, byte for byte: the writer is deterministic)."""
    invoice = to_semantic(document, **mapping)
    xml = to_cii(invoice) if cii is None else cii
    return render_facturx(invoice, cii=xml, seller=mapping["seller"], layout=layout, draft=draft)


def rasterize(pdf: bytes) -> tuple[list[bytes], int]:
    """The first `PREVIEW_PAGES` pages of `pdf` as PNG images, drawn by PDFium (the engine of
    Chromium's own PDF viewer), and the number of pages. For the editor's preview: the app's
    Content-Security-Policy lets a page show data: images, not frame a PDF."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    document = pdfium.PdfDocument(pdf)
    try:
        pages: list[bytes] = []
        for index in range(min(len(document), PREVIEW_PAGES)):
            out = io.BytesIO()
            document[index].render(scale=PREVIEW_SCALE).to_pil().save(out, format="PNG")
            pages.append(out.getvalue())
        return pages, len(document)
    finally:
        document.close()
