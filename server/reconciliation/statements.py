"""Reading bank statements: ISO 20022 camt.053 (BankToCustomerStatement, versions .001.02 to
.001.08) and CSV with a column mapping, into the credits they hold (docs/reconciliation.md).

Pure functions over bytes, no I/O. The XML parser is defused: a document type declaration is
refused (so no entity is ever declared, let alone expanded: no "billion laughs"), nothing is
fetched from the network, and the tree is bounded by the body limit and `MAX_ENTRIES`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

MAX_BYTES: Final = 5 * 1024 * 1024  # a month of a busy account; the route's body limit
MAX_ENTRIES: Final = 20_000  # entries (camt) or rows (CSV) in one statement
REFERENCE_LENGTH: Final = 140  # a SEPA remittance information's length
NAME_LENGTH: Final = 140


class StatementError(ValueError):
    """A statement that cannot be read, with a message for the person who uploaded it."""

    def __init__(self, message: str, *, code: str = "unreadable_statement") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Credit:
    """Money received, as the bank booked it."""

    position: int  # its place among the statement's entries (0-based)
    booking_date: date
    amount: Decimal  # above zero
    currency: str
    reference: str | None  # structured CdtrRefInf/Ref first, else the unstructured text
    structured: bool
    debtor: str | None
    bank_reference: str | None  # AcctSvcrRef: the bank's own id of the entry

    @property
    def key(self) -> str:
        """What makes this credit one line however often it is imported: the bank's reference
        of the entry, else a hash of what the entry says and where it stands."""
        if self.bank_reference:
            return f"ref:{self.bank_reference}"[:80]
        said = "|".join(
            (
                self.booking_date.isoformat(),
                f"{self.amount:f}",
                self.currency,
                self.reference or "",
                self.debtor or "",
                str(self.position),
            )
        )
        return "sha256:" + hashlib.sha256(said.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Statement:
    format: str  # "camt.053" or "csv"
    bank_id: str | None = None
    account: str | None = None
    credits: list[Credit] = field(default_factory=list)
    debits: int = 0  # debits, reversals and pending entries: not money received


# -- camt.053 ---------------------------------------------------------------------------------


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


# -- CSV ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Mapping:
    """Which column (by its header) holds what, and how numbers are written."""

    date: str
    amount: str
    reference: str | None = None
    name: str | None = None
    bank_reference: str | None = None
    currency_column: str | None = None
    currency: str = "EUR"  # when no column says it
    decimal: str = "."
    delimiter: str = ","


_DAY_FIRST: Final = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def read_csv(body: bytes, mapping: Mapping) -> Statement:
    """The credits of a CSV export: one row per entry, a header row naming the columns;
    positive amounts are credits, negative ones debits. Dates as 2026-12-01 or 01/12/2026
    (01.12.2026, 01-12-2026: day first). UTF-8 (with or without BOM), else Windows-1252.

    Raises:
        StatementError: a mapped column missing from the header, a row whose date or amount
            cannot be read, or too many rows.
    """
    if len(body) > MAX_BYTES:
        raise StatementError(f"a statement is at most {MAX_BYTES} bytes", code="too_large")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    header = reader.fieldnames or []
    wanted = [
        mapping.date,
        mapping.amount,
        mapping.reference,
        mapping.name,
        mapping.bank_reference,
        mapping.currency_column,
    ]
    missing = [name for name in wanted if name is not None and name not in header]
    if missing:
        raise StatementError(
            f"no column {missing[0]!r} in the header ({', '.join(header)})", code="bad_mapping"
        )
    credits: list[Credit] = []
    debits = 0
    try:
        for position, row in enumerate(reader):
            if position >= MAX_ENTRIES:
                raise StatementError(
                    f"a statement holds at most {MAX_ENTRIES} rows", code="too_many_entries"
                )
            line = position + 2  # the header is line 1
            raw_amount = (row.get(mapping.amount) or "").strip()
            raw_date = (row.get(mapping.date) or "").strip()
            if not raw_amount and not raw_date:
                continue  # a blank line
            amount = _csv_amount(raw_amount, mapping.decimal, line)
            if amount <= 0:
                debits += 1
                continue
            booked = _csv_date(raw_date, line)
            currency = mapping.currency
            if mapping.currency_column:
                currency = (row.get(mapping.currency_column) or "").strip().upper() or currency
            credits.append(
                Credit(
                    position=position,
                    booking_date=booked,
                    amount=amount,
                    currency=currency[:3],
                    reference=_cell(row, mapping.reference, REFERENCE_LENGTH),
                    structured=False,
                    debtor=_cell(row, mapping.name, NAME_LENGTH),
                    bank_reference=_cell(row, mapping.bank_reference, 35),
                )
            )
    except csv.Error as error:
        raise StatementError(f"unreadable CSV: {error}", code="malformed_csv") from None
    return Statement(format="csv", credits=credits, debits=debits)


def _cell(row: dict[str, str | None], column: str | None, limit: int) -> str | None:
    if column is None:
        return None
    value = " ".join((row.get(column) or "").split())
    return value[:limit] or None


def _csv_amount(text: str, decimal: str, line: int) -> Decimal:
    """ "1 234,56" with a decimal comma, "1,234.56" with a point: the other separators (and
    spaces, apostrophes) group thousands and are dropped."""
    grouping = {",", ".", " ", "'", "\u00a0", "\u202f"} - {decimal}
    cleaned = "".join(char for char in text if char not in grouping).replace(decimal, ".")
    cleaned = cleaned.replace("\u2212", "-")
    if not re.fullmatch(r"[+-]?[0-9]{1,15}(\.[0-9]{1,5})?", cleaned):
        raise StatementError(f"line {line}: {text!r} is not an amount", code="bad_entry")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        raise StatementError(f"line {line}: {text!r} is not an amount", code="bad_entry") from None


def _csv_date(text: str, line: int) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    if found := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in found.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    try:  # a timestamp some banks write
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise StatementError(
            f"line {line}: {text!r} is not a date (2026-12-01 or 01/12/2026)", code="bad_entry"
        ) from None
