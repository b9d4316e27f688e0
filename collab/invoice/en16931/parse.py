"""Reading an e-invoice: UBL 2.1 Invoice / CreditNote or UN/CEFACT CII (the XML of Factur-X)
into a Cofacture document, with the warnings of what the document cannot hold. Pure: no I/O.

The XML comes from outside, so it is parsed defensively: no network, no DTD (a DOCTYPE is
refused outright, so no entity can be declared, let alone expanded), libxml2's default limits
on text and depth (`huge_tree=False`), a size cap before parsing and a nesting cap after it.

Reading is split by concern: `parse_ubl` and `parse_cii` locate the business terms of their
syntax, `parse_document` and `parse_lines` decide what the document can hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from collab.invoice.en16931.parse_cii import CII_NS, read_cii
from collab.invoice.en16931.parse_document import build_document
from collab.invoice.en16931.parse_read import Element, UnreadableInvoice
from collab.invoice.en16931.parse_ubl import CREDIT_NOTE_NS, INVOICE_NS, read_ubl

__all__ = ["MAX_DEPTH", "MAX_XML_BYTES", "ImportedInvoice", "UnreadableInvoice", "parse_invoice"]

# A UBL or CII invoice of MAX_LINES (1000) verbose lines is about 2 MB; 5 MiB leaves room for
# long notes and embedded nothing else (attachments, BT-125, are not read).
MAX_XML_BYTES: Final = 5 * 1024 * 1024
# Both syntaxes nest about 10 levels deep; anything past this is not an invoice.
MAX_DEPTH: Final = 40


@dataclass(frozen=True, slots=True)
class ImportedInvoice:
    """A readable e-invoice as a draft's content, with what it could not carry."""

    syntax: str  # "ubl" | "cii"
    number: str  # BT-1 as written in the file (the draft does not keep it)
    type_code: str  # BT-3 as written
    document: dict[str, Any]  # {"invoice": {...}, "lines": [...]}, as INVOICE_SHAPE describes
    warnings: tuple[str, ...]


def parse_invoice(
    xml: bytes, *, new_id: Callable[[], str] = lambda: str(uuid.uuid4())
) -> ImportedInvoice:
    """The invoice in `xml` as a document; `new_id` names its lines.

    Raises:
        UnreadableInvoice: too large, not well-formed, a DOCTYPE, nested too deep, not a UBL
            Invoice / CreditNote nor a CII CrossIndustryInvoice, no usable currency, or more
            lines than a draft holds; the message says which.
    """
    root = secure_root(xml)
    name = etree.QName(root)
    if (name.namespace, name.localname) in (
        (INVOICE_NS, "Invoice"),
        (CREDIT_NOTE_NS, "CreditNote"),
    ):
        read = read_ubl(root, name.localname)
    elif (name.namespace, name.localname) == (CII_NS, "CrossIndustryInvoice"):
        read = read_cii(root)
    else:
        raise UnreadableInvoice(
            f"not a UBL Invoice or CreditNote, nor a CII CrossIndustryInvoice (the root element "
            f"is {name.localname!r} in namespace {name.namespace or 'none'!r})"
        )
    document, warnings = build_document(read, new_id=new_id)
    return ImportedInvoice(
        syntax=read.syntax,
        number=read.number,
        type_code=read.type_code,
        document=document,
        warnings=tuple(warnings),
    )


def secure_root(xml: bytes) -> Element:
    """The root element of `xml`, parsed with every external and expanding feature off."""
    if len(xml) > MAX_XML_BYTES:
        raise UnreadableInvoice(f"the XML is larger than {MAX_XML_BYTES} bytes")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise UnreadableInvoice(f"the file is not well-formed XML: {exc}") from None
    except ValueError as exc:  # e.g. a str with an encoding declaration; bytes are expected
        raise UnreadableInvoice(f"the file cannot be read as XML: {exc}") from None
    if root is None:
        raise UnreadableInvoice("the file holds no XML element")
    if root.getroottree().docinfo.doctype:
        raise UnreadableInvoice(
            "an e-invoice has no DOCTYPE: a document type declaration is refused"
        )
    _check_depth(root)
    return root


def _check_depth(root: Element) -> None:
    """Iteratively (a deep tree cannot exhaust the stack): no element nested past MAX_DEPTH."""
    stack: list[tuple[Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnreadableInvoice(f"the XML nests deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in element)
