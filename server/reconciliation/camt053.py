"""Reading ISO 20022 camt.053 statements (BankToCustomerStatement, versions .001.02 to .001.08)
into the credits they hold (docs/reconciliation.md).

Pure functions over bytes, no I/O. The XML parser is defused: a document type declaration is
refused (so no entity is ever declared, let alone expanded: no "billion laughs"), nothing is
fetched from the network, and the tree is bounded by the body limit and `MAX_ENTRIES`.
Separate from the CSV reader: the XML walk and its defences are a concern of their own.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from server.reconciliation.credits import (
    MAX_BYTES,
    MAX_ENTRIES,
    NAME_LENGTH,
    REFERENCE_LENGTH,
    Credit,
    Statement,
    StatementError,
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down `path` by local names, whatever the namespace version."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c) == name), None)
    return element


def _children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is not None:
        yield from (c for c in element if _local(c) == name)


def _text(element: etree._Element | None, *path: str) -> str | None:
    found = _child(element, *path)
    if found is None or found.text is None:
        return None
    text = " ".join(found.text.split())
    return text or None


def read_camt053(body: bytes) -> Statement:
    """The credits of a camt.053 statement (every `Stmt` of the document).

    Raises:
        StatementError: not XML, a DTD, not a BankToCustomerStatement, an entry without a
            usable amount, currency or date, or too many entries.
    """
    if len(body) > MAX_BYTES:
        raise StatementError(f"a statement is at most {MAX_BYTES} bytes", code="too_large")
    # Refused before parsing: a legitimate statement never has a DTD, and markup in its text
    # is escaped (&lt;), so these bytes only ever start a declaration.
    if re.search(rb"<!(DOCTYPE|ENTITY)", body, re.IGNORECASE):
        raise StatementError(
            "a statement may not declare a document type (DTD)", code="dtd_not_allowed"
        )
    try:
        tree = etree.parse(io.BytesIO(body), _parser())
    except etree.XMLSyntaxError as error:
        raise StatementError(f"not well-formed XML: {error.msg}", code="malformed_xml") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise StatementError(
            "a statement may not declare a document type (DTD)", code="dtd_not_allowed"
        )
    root = tree.getroot()
    report = _child(root, "BkToCstmrStmt") if _local(root) == "Document" else None
    if report is None:
        raise StatementError(
            "not an ISO 20022 camt.053 statement: expected Document/BkToCstmrStmt",
            code="not_a_statement",
        )
    statements = list(_children(report, "Stmt"))
    if not statements:
        raise StatementError("the statement holds no Stmt", code="not_a_statement")
    credits: list[Credit] = []
    debits = 0
    position = 0
    first = statements[0]
    for stmt in statements:
        account_currency = _text(stmt, "Acct", "Ccy")
        for entry in _children(stmt, "Ntry"):
            if position >= MAX_ENTRIES:
                raise StatementError(
                    f"a statement holds at most {MAX_ENTRIES} entries", code="too_many_entries"
                )
            found = _entry_credits(entry, position, account_currency)
            if found is None:
                debits += 1
            else:
                credits.extend(found)
            position += 1
    return Statement(
        format="camt.053",
        bank_id=_text(first, "Id"),
        account=_text(first, "Acct", "Id", "IBAN"),
        credits=credits,
        debits=debits,
    )


def _entry_credits(
    entry: etree._Element, position: int, account_currency: str | None
) -> list[Credit] | None:
    """One credit per transaction of a booked credit entry; None for a debit, a reversal or
    an entry not booked yet."""
    if _text(entry, "CdtDbtInd") != "CRDT":
        return None
    if (_text(entry, "RvslInd") or "").lower() == "true":
        return None  # a credit reversing an earlier debit of ours: not a customer paying
    status = _text(entry, "Sts") or _text(entry, "Sts", "Cd")
    if status is not None and status != "BOOK":
        return None  # pending or informational: the money is not there yet
    booked = _date(_text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm"))
    booked = booked or _date(_text(entry, "ValDt", "Dt") or _text(entry, "ValDt", "DtTm"))
    if booked is None:
        raise StatementError(f"entry {position + 1} has no booking date", code="bad_entry")
    amount, currency = _amount(_child(entry, "Amt"), account_currency, position)
    entry_ref = _text(entry, "AcctSvcrRef")
    details = [tx for block in _children(entry, "NtryDtls") for tx in _children(block, "TxDtls")]
    extra = _text(entry, "AddtlNtryInf")
    if len(details) <= 1:
        tx = details[0] if details else None
        return [
            _credit(tx, position, booked, amount, currency, entry_ref, extra, None),
        ]
    # A batch booking: one credit per transaction, each with its own amount when stated.
    found = []
    for index, tx in enumerate(details):
        tx_amount, tx_currency = amount, currency
        stated = _child(tx, "Amt")
        if stated is None:
            stated = _child(tx, "AmtDtls", "TxAmt", "Amt")
        if stated is not None:
            tx_amount, tx_currency = _amount(stated, currency, position)
        found.append(_credit(tx, position, booked, tx_amount, tx_currency, entry_ref, extra, index))
    return found


def _credit(
    tx: etree._Element | None,
    position: int,
    booked: date,
    amount: Decimal,
    currency: str,
    entry_ref: str | None,
    extra: str | None,
    index: int | None,
) -> Credit:
    structured = _text(tx, "RmtInf", "Strd", "CdtrRefInf", "Ref")
    unstructured = " ".join(
        text for element in _children(_child(tx, "RmtInf"), "Ustrd") if (text := _text(element))
    )
    reference = structured or unstructured or extra
    debtor = (
        _text(tx, "RltdPties", "Dbtr", "Nm")
        or _text(tx, "RltdPties", "Dbtr", "Pty", "Nm")  # camt.053.001.08
        or _text(tx, "RltdPties", "UltmtDbtr", "Nm")
    )
    bank_ref = _text(tx, "Refs", "AcctSvcrRef")
    if bank_ref is None and entry_ref is not None:
        bank_ref = entry_ref if index is None else f"{entry_ref}/{index + 1}"
    return Credit(
        position=position if index is None else position * 1000 + index,
        booking_date=booked,
        amount=amount,
        currency=currency,
        reference=reference[:REFERENCE_LENGTH] if reference else None,
        structured=structured is not None,
        debtor=debtor[:NAME_LENGTH] if debtor else None,
        bank_reference=bank_ref[:35] if bank_ref else None,
    )


def _amount(
    element: etree._Element | None, fallback_currency: str | None, position: int
) -> tuple[Decimal, str]:
    text = (element.text or "").strip() if element is not None else ""
    currency = (element.get("Ccy") if element is not None else None) or fallback_currency
    if not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,5})?", text) or not currency:
        raise StatementError(
            f"entry {position + 1} has no usable amount and currency", code="bad_entry"
        )
    amount = Decimal(text)
    if amount <= 0:
        raise StatementError(f"entry {position + 1} has a zero amount", code="bad_entry")
    return amount, currency.upper()


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
