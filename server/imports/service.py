"""Importing an e-invoice as a new draft: the only way in.

`import_invoice` takes the file as sent (UBL or CII XML, or a Factur-X PDF), reads it with the
pure reader `collab.invoice.en16931.parse`, checks the XML with the exports' XSD + Schematron,
creates a draft with the same right as `POST /api/invoices` and writes the content through the
live room as the caller's change (so it is logged, attributed and in the history).

Decisions (docs/e-invoices.md, "Import"):
- The EN 16931 check of the file never refuses it: old invoices from other tools are often
  imperfect, and the point of importing is to correct or credit them. Its fatal findings are
  returned among the warnings, named by rule.
- Only what cannot be read at all is refused (400): not XML, not UBL or CII, unsafe XML, no
  currency, a PDF without Factur-X XML.
- Parsing, PDF extraction and the check run off the event loop (worker threads; the check on
  the exports' own validation thread).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any, Final, Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.en16931.parse import (
    MAX_XML_BYTES,
    ImportedInvoice,
    UnreadableInvoice,
    parse_invoice,
)
from collab.invoice.validation import evaluate
from collab.sync import RoomRegistry
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, acting_member
from server.core.errors import ApiError, BadRequest
from server.exports import service as exports
from server.invoices import service as invoices

# A Factur-X PDF carries the human-readable pages too: 5 MiB holds a few pages with a logo.
MAX_IMPORT_BYTES: Final = MAX_XML_BYTES
XML_TYPES: Final = frozenset({"application/xml", "text/xml"})
PDF_TYPES: Final = frozenset({"application/pdf"})
# The file's own EN 16931 findings listed as warnings, at most this many (a broken file can
# break hundreds of rules; the first ones say enough).
MAX_FINDINGS: Final = 20


class UnsupportedMediaType(ApiError):
    status = 415


class PayloadTooLarge(ApiError):
    status = 413


async def import_invoice(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    *,
    user_id: str,
    org_id: str | None,
    content_type: str,
    body: bytes,
    ip: str | None,
) -> dict[str, Any]:
    """A new draft from the e-invoice in `body`; its summary, `source` and `warnings`."""
    media = content_type.split(";")[0].strip().lower()
    if media not in XML_TYPES | PDF_TYPES:
        raise UnsupportedMediaType(
            "send the invoice as application/xml (UBL or CII) or application/pdf (Factur-X), "
            f"not {media or 'no content type'}"
        )
    if len(body) > MAX_IMPORT_BYTES:  # the body limit cuts first; this guards other callers
        raise PayloadTooLarge(f"request body above {MAX_IMPORT_BYTES} bytes")
    if not body:
        raise BadRequest("the request body is empty: send the invoice file")
    async with sessions() as db:  # the right first: nobody makes us parse files for nothing
        await acting_member(db, user_id, org_id, Capability.INVOICE_CREATE, "create invoices")
    container: Literal["xml", "pdf"] = "pdf" if media in PDF_TYPES else "xml"
    xml = await asyncio.to_thread(_xml_in_pdf, body) if container == "pdf" else body
    try:
        imported = await asyncio.to_thread(parse_invoice, xml)
    except UnreadableInvoice as exc:
        raise BadRequest(str(exc), code="unreadable_invoice") from None
    valid, findings = await _check(imported.syntax, xml)
    warnings = list(imported.warnings) + findings
    async with sessions.begin() as db:
        figures = _figures(imported)  # what its invoice.created event tells
        facts = {k: figures[k] for k in ("customer_name", "currency")}
        invoice = await invoices.create_invoice(
            db,
            user_id=user_id,
            org_id=org_id,
            facts={**facts, "gross": figures["totals"]["gross"]},
        )
        audit.record(
            db,
            AuditKind.INVOICE_IMPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=invoice.org_id,
            target=f"invoice {invoice.id}",
            detail=f"{imported.syntax} {container} {imported.number!r}: "
            f"{len(warnings)} warning(s), {'valid' if valid else 'not valid'} EN 16931",
        )
    await invoices.write_content(registry, invoice.id, imported.document, user_id=user_id)
    return {
        **invoices.summary(invoice),
        **figures,
        "source": {
            "syntax": imported.syntax,
            "container": container,
            "number": imported.number,
            "type_code": imported.type_code,
            "valid": valid,
        },
        "warnings": warnings,
    }


def _xml_in_pdf(pdf: bytes) -> bytes:
    """The Factur-X / ZUGFeRD XML embedded in a PDF (found by the factur-x library; its schema
    check is off: the file is checked like any XML afterwards, and imperfect is allowed)."""
    from facturx import get_xml_from_pdf  # type: ignore[import-untyped]  # imported when used

    try:
        _, xml = get_xml_from_pdf(pdf, check_xsd=False)
    except Exception as exc:  # pypdf raises many types on a damaged PDF
        raise BadRequest(f"the PDF cannot be read: {exc}", code="unreadable_invoice") from None
    if not xml:
        raise BadRequest(
            "the PDF has no Factur-X / ZUGFeRD invoice XML attached", code="unreadable_invoice"
        )
    data: bytes = xml
    return data


async def _check(syntax: str, xml: bytes) -> tuple[bool, list[str]]:
    """The file's XSD + Schematron findings as warnings; whether it passed."""
    try:
        report = await (exports.check_cii(xml) if syntax == "cii" else exports.check_ubl(xml))
    except Exception as exc:  # advisory only: a check that fails says so
        return False, [f"the file could not be checked against EN 16931: {exc}"]
    listed = [
        f"the file breaks EN 16931 {f.rule}: {f.message}" for f in report.fatal[:MAX_FINDINGS]
    ]
    if len(report.fatal) > MAX_FINDINGS:
        listed.append(f"and {len(report.fatal) - MAX_FINDINGS} more EN 16931 findings")
    return report.ok, listed


def _figures(imported: ImportedInvoice) -> dict[str, Any]:
    """What the summary columns will hold once the room records them: said now, from the
    document, so the answer does not depend on when the recorder runs."""
    header = imported.document["invoice"]
    totals = evaluate(imported.document).totals
    figures = {key: totals[key] if totals else None for key in ("net", "tax", "gross")}
    return {
        "customer_name": (header.get("customer") or {}).get("name"),
        "currency": header.get("currency"),
        "line_count": len(imported.document["lines"]),
        "totals": {k: str(Decimal(v)) if v is not None else None for k, v in figures.items()},
    }
