"""EN 16931 exports of an invoice (CII, UBL) and their XSD + Schematron checks: the only way in.

- `export(...)`: the invoice as CII or UBL XML, checked; drafts carry the number "DRAFT".
- `check_document(...)`: map a document and check both syntaxes, without the database: the
  issue-time gate (docs/e-invoices.md, "The validation gate").
- `pdf(...)`, `facturx(...)`: the PDF for people and Factur-X (pdf.py draws them, in a worker
  process: renderer.py).
- `check_cii`, `check_ubl`: the checks alone (validation.py says how they run).

Issued invoices are rendered once per format and variant and served from `issued_renders`
afterwards (renders.py); drafts are rendered on every request.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.en16931 import (
    MappingError,
    SemanticInvoice,
    to_cii,
    to_ubl,
)
from collab.sync import RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.core.errors import Conflict
from server.exports import compliance as compliance_check
from server.exports import epc as epc  # the payment page's EPC QR code (server/paypage)
from server.exports import renderer, renders
from server.exports.checks import Syntax as Syntax
from server.exports.checks import check_document as check_document
from server.exports.checks import semantic_of, write_and_check
from server.exports.gate import document_type as document_type  # BT-3/BG-3, platforms too
from server.exports.gate import issue_gate as issue_gate  # registered by server/core/app.py
from server.exports.labels import Language as Language
from server.exports.pdf import Layout, facturx_of, layout_for, pdf_of, rasterize
from server.exports.pdf import Template as Template
from server.exports.renderer import stop_rendering as stop_rendering  # at shutdown
from server.exports.validation import Finding as Finding
from server.exports.validation import Report as Report
from server.exports.validation import check_cii as check_cii
from server.exports.validation import check_ubl as check_ubl
from server.invoices import service as invoices
from server.organization import service as organization
from server.workflow import service as workflow


@dataclass(frozen=True, slots=True)
class Export:
    """One generated XML and what the checks found in it."""

    syntax: Syntax
    xml: bytes
    report: Report
    number: str  # BT-1 as written: the legal number, or "DRAFT"


@dataclass(frozen=True, slots=True)
class Stamp:
    """What issuing fixed for good: the legal number, the issue date and the seller profile."""

    number: str
    issue_date: date
    seller: Mapping[str, Any]
    document: Mapping[str, Any] | None  # as issued; None for invoices issued before it was kept


async def export(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str,
    invoice_id: str,
    syntax: Syntax,
) -> Export:
    """The invoice as `syntax` XML for any member who may read it (404 otherwise), checked.

    An issued invoice is written with the number, issue date and seller stamped at issue; a
    draft with "DRAFT", its own issue date (else today) and the organization's current profile.
    A fatal finding does not stop the export: a draft is expected to have some, and the report
    says which.
    """
    source = await _source(sessions, registry, store, user_id=user_id, invoice_id=invoice_id)
    if source.issued:
        xml = await _issued_xml(sessions, source, syntax)
        report = await (check_cii if syntax == "cii" else check_ubl)(xml)
    else:
        xml, report = await write_and_check(source.semantic(), syntax)
    return Export(syntax=syntax, xml=xml, report=report, number=source.number)


async def record_export(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    invoice_id: str,
    what: str,
    number: str,
    ip: str | None,
) -> None:
    """An export is a command of the trail (SPEC section 4): who took which file of which
    invoice. The editor's preview and compliance checks are not exports and are not recorded."""
    async with sessions.begin() as db:
        invoice = await invoices.get(db, invoice_id)
        audit.record(
            db,
            AuditKind.INVOICE_EXPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=invoice.org_id,
            target=f"invoice {invoice_id}",
            detail=f"{what} of {number}",
        )


async def compliance(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str,
    invoice_id: str,
) -> dict[str, Any]:
    """The EN 16931 findings of the invoice as it stands, each placed on the field to fix:
    what the issue gate would say now (compliance.py caches them by content)."""
    source = await _source(sessions, registry, store, user_id=user_id, invoice_id=invoice_id)

    def prepare() -> tuple[str, SemanticInvoice]:
        return compliance_check.content_key(source.document, source.mapping), source.semantic()

    # Hashing and mapping a long invoice take milliseconds: not on the loop that fans out edits.
    key, semantic = await anyio.to_thread.run_sync(prepare)
    return await compliance_check.check(key, semantic)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A PDF or Factur-X file, the number it carries ("DRAFT" before issue), how it looks."""

    data: bytes
    number: str
    draft: bool
    layout: Layout


@dataclass(frozen=True, slots=True)
class Preview:
    """The first pages of a PDF as PNG images, how many pages it has, and the PDF."""

    pages: list[bytes]
    count: int
    rendered: Rendered


@dataclass(frozen=True, slots=True)
class _Source:
    """What every output of one invoice is drawn from: the document and what `to_semantic`
    maps it with (the number, issue date and seller stamped at issue, else the draft's). The
    PDFs map it in their worker process: for a 200-line invoice that is tens of milliseconds
    the event loop does not spend."""

    invoice_id: str
    document: dict[str, Any]
    mapping: dict[str, Any]  # to_semantic's keyword arguments
    issued: bool

    @property
    def number(self) -> str:
        return str(self.mapping["number"] or "DRAFT")

    @property
    def seller(self) -> Mapping[str, Any]:
        found: Mapping[str, Any] = self.mapping["seller"]
        return found

    def semantic(self) -> SemanticInvoice:
        return semantic_of(self.document, **self.mapping)


async def pdf(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str,
    invoice_id: str,
    template: Template = "classic",
    lang: Language | None = None,
) -> Rendered:
    """The PDF for people, for any member who may read the invoice (404 otherwise). A draft
    carries a DRAFT watermark and no number; an issued invoice is rendered once per template
    and language, then served unchanged."""
    source = await _source(sessions, registry, store, user_id=user_id, invoice_id=invoice_id)
    layout = layout_for(template, lang, source.seller)
    data = await _kept_or_rendered(sessions, source, "pdf", layout, pdf_of)
    return Rendered(data, source.number, not source.issued, layout)


async def facturx(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str | None,
    invoice_id: str,
    template: Template = "classic",
    lang: Language | None = None,
) -> Rendered:
    """Factur-X (EN 16931 profile): the PDF as PDF/A-3b with the CII attached. The attached
    XML is the very bytes `export(..., syntax="cii")` answers: for an issued invoice the
    stored CII, for a draft the same deterministic writing of the same semantic model.
    `user_id` None: the server itself asks (a reminder job), without a member's access check."""
    source = await _source(sessions, registry, store, user_id=user_id, invoice_id=invoice_id)
    layout = layout_for(template, lang, source.seller)
    cii = None  # a draft's CII is written in the worker, from the same mapping
    if source.issued and not await renders.stored(sessions, invoice_id, "facturx", layout.variant):
        cii = await _issued_xml(sessions, source, "cii")
    data = await _kept_or_rendered(sessions, source, "facturx", layout, facturx_of, cii=cii)
    return Rendered(data, source.number, not source.issued, layout)


async def preview(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str,
    invoice_id: str,
    template: Template = "classic",
    lang: Language | None = None,
) -> Preview:
    """The PDF's pages as PNG images, for the editor's preview: the very PDF `pdf(...)`
    answers (an issued invoice's stored one), drawn by PDFium."""
    source = await _source(sessions, registry, store, user_id=user_id, invoice_id=invoice_id)
    layout = layout_for(template, lang, source.seller)
    data = await _kept_or_rendered(sessions, source, "pdf", layout, pdf_of)
    pages, count = await renderer.run(rasterize, pdf=data)
    return Preview(pages, count, Rendered(data, source.number, not source.issued, layout))


async def _kept_or_rendered(
    sessions: async_sessionmaker[AsyncSession],
    source: _Source,
    fmt: renders.Format,
    layout: Layout,
    work: Callable[..., bytes],
    **extra: Any,
) -> bytes:
    """A draft: rendered now, in a worker process. An issued invoice: the stored render, or
    rendered now and stored (the first to store wins: renders.keep)."""
    if source.issued and (
        kept := await renders.stored(sessions, source.invoice_id, fmt, layout.variant)
    ):
        return kept
    try:
        data = await renderer.run(
            work,
            document=source.document,
            mapping=source.mapping,
            layout=layout,
            draft=not source.issued,
            **extra,
        )
    except MappingError as exc:
        raise Conflict(f"the invoice cannot be exported: {exc}", code="not_exportable") from None
    if source.issued:
        data = await renders.keep(sessions, source.invoice_id, fmt, data, layout.variant)
    return data


async def _source(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str | None,
    invoice_id: str,
) -> _Source:
    """The invoice as its outputs see it. An issued invoice: the number, issue date, seller
    and document stamped at issue; a draft: "DRAFT", its own issue date (else today) and the
    organization's current profile."""
    async with sessions() as db:
        if user_id is None:  # the server itself (a reminder job): no member to check
            invoice = await invoices.get(db, invoice_id)
        else:
            invoice = (await invoices.access(db, user_id=user_id, invoice_id=invoice_id)).invoice
        stamp = await _stamp(db, invoice.id, invoice.number)
        seller: Mapping[str, Any] = {}
        if stamp is not None:
            seller = stamp.seller
        elif (profile := await organization.profile(db, invoice.org_id)) is not None:
            seller = profile.as_dict()
        type_code, preceding = await document_type(db, invoice_id=invoice.id)
        seller = {**seller, **_branding(await organization.branding(db, invoice.org_id))}
    document = dict(stamp.document) if stamp and stamp.document is not None else None
    if document is None:
        document = await invoices.read_document(registry, store, invoice.id)
    mapping = {
        "number": stamp.number if stamp else None,
        "issue_date": stamp.issue_date if stamp else _draft_date(document),
        "seller": seller,
        "type_code": type_code,
        "preceding": preceding,
    }
    return _Source(invoice.id, document, mapping, issued=stamp is not None)


def _branding(found: organization.Branding) -> dict[str, str]:
    """The organization's colour and logo as the templates read them from the seller. Not part
    of the issue stamp: an issued invoice's PDF is rendered once, with the branding of then."""
    out = {"color": found.color} if found.color else {}
    if found.logo is not None:
        out["logo"] = f"data:{found.logo_type};base64,{base64.b64encode(found.logo).decode()}"
    return out


async def _issued_xml(
    sessions: async_sessionmaker[AsyncSession], source: _Source, syntax: Syntax
) -> bytes:
    """An issued invoice's XML: stored at its first export, the same bytes ever after."""
    if kept := await renders.stored(sessions, source.invoice_id, syntax):
        return kept
    semantic = source.semantic()
    xml = to_cii(semantic) if syntax == "cii" else to_ubl(semantic)
    return await renders.keep(sessions, source.invoice_id, syntax, xml)


def _draft_date(document: dict[str, Any]) -> date:
    """The date issuing would stamp today: the document's issue date, else today (UTC)."""
    header = document.get("invoice") or {}
    value = header.get("issue_date") if isinstance(header, dict) else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else datetime.now(UTC).date()
    except ValueError:
        return datetime.now(UTC).date()


async def _stamp(db: AsyncSession, invoice_id: str, number: str | None) -> Stamp | None:
    """The issue stamp of an issued invoice (`workflow.service.issued`); None for one without
    a legal number."""
    if number is None:
        return None
    found = await workflow.issued(db, invoice_id)
    if found is None:
        return None
    return Stamp(
        number=number, issue_date=found.issue_date, seller=found.seller, document=found.document
    )
