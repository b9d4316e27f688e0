"""Reading statements and matching credits, without a server: camt.053 versions and shapes,
the defused parser, CSV amounts and dates, the matching order, the statements' body limit,
and the RF reference in the EPC QR code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from collab.invoice.creditor_reference import make, printed
from server.core.body_limit import BodyLimitMiddleware
from server.exports import epc
from server.reconciliation.matching import Basis, OpenInvoice, Verdict, match
from server.reconciliation.statements import (
    Mapping,
    StatementError,
    read_camt053,
    read_csv,
)

V08 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-03T08:00:00Z</CreDtTm></GrpHdr>
  <Stmt>
   <Id>S-08</Id>
   <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry>
    <Amt Ccy="EUR">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><DtTm>2026-12-03T10:15:00+01:00</DtTm></BookgDt>
    <AcctSvcrRef>E-1</AcctSvcrRef>
    <NtryDtls>
     <TxDtls>
      <Refs><AcctSvcrRef>T-1</AcctSvcrRef></Refs>
      <Amt Ccy="EUR">120.00</Amt>
      <RltdPties><Dbtr><Pty><Nm>Alpha GmbH</Nm></Pty></Dbtr></RltdPties>
      <RmtInf><Ustrd>RF82 F202 6000 001</Ustrd></RmtInf>
     </TxDtls>
     <TxDtls>
      <Amt Ccy="EUR">180.00</Amt>
      <RltdPties><Dbtr><Pty><Nm>Beta AG</Nm></Pty></Dbtr></RltdPties>
      <RmtInf><Ustrd>Rechnung</Ustrd><Ustrd>F2026-000002</Ustrd></RmtInf>
     </TxDtls>
    </NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
    <BookgDt><Dt>2026-12-03</Dt></BookgDt>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">20.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd>
    <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-03</Dt></BookgDt>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>"""


def test_camt053_001_08_batch_pending_and_reversal() -> None:
    found = read_camt053(V08)
    assert (found.bank_id, found.account, found.debits) == ("S-08", "DE89370400440532013000", 2)
    first, second = found.credits
    assert (first.amount, first.debtor, first.bank_reference) == (
        Decimal("120.00"),
        "Alpha GmbH",
        "T-1",
    )
    assert first.booking_date == date(2026, 12, 3) and not first.structured
    assert (second.amount, second.reference, second.bank_reference) == (
        Decimal("180.00"),
        "Rechnung F2026-000002",
        "E-1/2",
    )
    assert first.key != second.key


def test_a_key_without_a_bank_reference_hashes_what_the_entry_says() -> None:
    body = V08.replace(b"<AcctSvcrRef>E-1</AcctSvcrRef>", b"").replace(
        b"<Refs><AcctSvcrRef>T-1</AcctSvcrRef></Refs>", b""
    )
    keys = [credit.key for credit in read_camt053(body).credits]
    assert all(key.startswith("sha256:") for key in keys) and len(set(keys)) == 2
    assert keys == [credit.key for credit in read_camt053(body).credits]  # stable


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://example.com/x.dtd"><Document/>',
         "dtd_not_allowed"),
        (b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><Document>&e;</Document>',
         "dtd_not_allowed"),
        (b"<Document><BkToCstmrAcctRpt/></Document>", "not_a_statement"),
        (b"<Document><BkToCstmrStmt/></Document>", "not_a_statement"),
        (b"<Document", "malformed_xml"),
        (V08.replace(b"<Amt Ccy=\"EUR\">300.00</Amt>", b"<Amt>-3</Amt>"), "bad_entry"),
        (V08.replace(b"<BookgDt><DtTm>2026-12-03T10:15:00+01:00</DtTm></BookgDt>", b""),
         "bad_entry"),
    ],
)  # fmt: skip
def test_refused_statements(body: bytes, code: str) -> None:
    with pytest.raises(StatementError) as refused:
        read_camt053(body)
    assert refused.value.code == code


def test_csv_amounts_dates_and_debits() -> None:
    body = (
        "when|what|how much|who|ccy\n"
        "2026-12-01|a|1'234.56|A|EUR\n"
        "01/12/2026|b|-12.00|B|EUR\n"
        "|||| \n"
        "2026-12-02T09:00:00|c|+7|C|usd\n"
    ).encode("cp1252")
    mapping = Mapping(date="when", amount="how much", reference="what", name="who",
                      currency_column="ccy", delimiter="|")  # fmt: skip
    found = read_csv(body, mapping)
    assert found.debits == 1
    assert [(c.booking_date, c.amount, c.currency) for c in found.credits] == [
        (date(2026, 12, 1), Decimal("1234.56"), "EUR"),
        (date(2026, 12, 2), Decimal("7"), "USD"),
    ]
    comma = Mapping(date="d", amount="a", decimal=",", delimiter=";")
    found = read_csv(b"d;a\n31.12.2026;1.000,5\n", comma)
    assert found.credits[0].amount == Decimal("1000.5")
    for row in ("d;a\n2026-13-01;1\n", "d;a\n2026-12-01;1,2,3\n", "d;a\n2026-12-01;1e3\n"):
        with pytest.raises(StatementError):
            read_csv(row.encode(), comma)


def _open(number: str, customer: str, outstanding: str, currency: str = "EUR") -> OpenInvoice:
    return OpenInvoice(number, number, customer, currency, Decimal(outstanding))


OPEN = [
    _open("F-1", "Alpha", "100.00"),
    _open("F-2", "Beta SA", "50.00"),
    _open("F-3", "Beta SA", "50.00"),
    _open("F-10", "Gamma", "70.00", "USD"),
]


def _match(amount: str, reference: str | None, debtor: str | None = None) -> Any:
    found = match(amount=Decimal(amount), currency="EUR", reference=reference, debtor=debtor,
                  invoices=OPEN)  # fmt: skip
    return found.verdict, [(s.invoice.id, s.basis) for s in found.suggestions]


def test_matching_order_and_verdicts() -> None:
    rf1 = make("F-1")
    assert _match("100.00", rf1) == (Verdict.EXACT, [("F-1", Basis.REFERENCE)])
    assert _match("40.00", f"paid {printed(rf1)}") == (Verdict.PARTIAL, [("F-1", Basis.REFERENCE)])
    assert _match("120.00", rf1) == (Verdict.OVER, [("F-1", Basis.REFERENCE)])
    # The reference wins over a number also written there.
    assert _match("50.00", f"{rf1} F-2") == (Verdict.PARTIAL, [("F-1", Basis.REFERENCE)])
    assert _match("50.00", "inv f-2") == (Verdict.EXACT, [("F-2", Basis.NUMBER)])
    assert _match("50.00", "F-2 and F-3")[0] is Verdict.AMBIGUOUS
    assert _match("70.00", "F-10") == (Verdict.UNKNOWN, [])  # another currency; F-1 not a word
    assert _match("50.00", "thanks", "BETA  sa") == (
        Verdict.AMBIGUOUS,
        [("F-2", Basis.AMOUNT_AND_NAME), ("F-3", Basis.AMOUNT_AND_NAME)],
    )
    assert _match("100.00", None, "alpha") == (Verdict.EXACT, [("F-1", Basis.AMOUNT_AND_NAME)])
    assert _match("99.99", None, "alpha") == (Verdict.UNKNOWN, [])
    assert _match("100.00", None, "Alphabet") == (Verdict.UNKNOWN, [])


async def test_the_statement_route_has_its_own_body_limit() -> None:
    answered: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    limited = BodyLimitMiddleware(
        app, max_bytes=10, routes={("POST", "/api/orgs/{org}/statements"): 100}
    )

    async def call(path: str, size: int) -> int:
        answered.clear()
        scope = {"type": "http", "method": "POST", "path": path,
                 "headers": [(b"content-length", str(size).encode())]}  # fmt: skip
        sent = iter([{"type": "http.request", "body": b"x" * size, "more_body": False}])

        async def receive() -> Any:
            return next(sent, {"type": "http.disconnect"})

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"])

        await limited(scope, receive, send)
        return answered[0]

    assert await call("/api/orgs/o-1/statements", 100) == 201
    assert await call("/api/orgs/o-1/statements", 101) == 413
    assert await call("/api/orgs/o-1/statements/x", 11) == 413  # one segment per parameter
    assert await call("/api/invoices", 11) == 413


def test_the_epc_code_carries_the_rf_reference_structured() -> None:
    iban = "FR7630006000011234567890189"
    reference = make("F2026-000001")
    text = epc.payload(epc.Transfer("Lumière SARL", iban, Decimal("162.00"), "ignored",
                                    reference=printed(reference)))  # fmt: skip
    assert text == f"BCD\n002\n1\nSCT\n\nLumière SARL\n{iban}\nEUR162.00\n\n{reference}"


def test_an_issued_invoice_prints_its_rf_reference_and_states_it_in_the_xml() -> None:
    from server.exports.pdf import Layout, render_html
    from tests.invoices_en16931 import SELLER
    from tests.test_pdf import NUMBER, _semantic

    semantic = _semantic()
    reference = make(NUMBER)
    assert semantic.payment is not None and semantic.payment.remittance == reference
    html = render_html(semantic, seller=SELLER, layout=Layout(), draft=False)
    assert printed(reference) in html
    from collab.invoice.en16931 import to_cii

    assert f"<ram:PaymentReference>{reference}</ram:PaymentReference>" in to_cii(semantic).decode()
