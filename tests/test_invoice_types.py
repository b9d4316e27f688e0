"""The invoice type (BT-3: 380, 384 corrective, 386 prepayment) and the invoice it refers to
(BG-3), from the document to the XML, the import and the PDF (collab/invoice/invoice_type.py).

Expected messages are worked by hand from the rules written in invoice_type.py's docstring."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import date
from typing import Any

import pypdf
import pytest
from lxml import etree  # type: ignore[import-untyped]

from collab.invoice import document as schema
from collab.invoice.en16931 import CREDIT_NOTE, to_cii, to_semantic, to_ubl
from collab.invoice.en16931.parse import parse_invoice
from collab.invoice.validation import ERROR, WARNING, evaluate
from server.exports.pdf import Layout, render_pdf
from server.exports.validation import check_cii, check_ubl
from tests.harness import ROOT
from tests.invoices_en16931 import ISSUED, SELLER, document, line
from tests.web.build import WEB, build, node_or_fail

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
LINES = [line("a", "2", "100.00", "20")]  # net 200.00, VAT 40.00, gross 240.00


def _doc(**header: Any) -> dict[str, Any]:
    return document(LINES, issue_date="2026-03-02", **header)


CORRECTIVE = _doc(type_code="384", preceding_number="F2026-000007", preceding_date="2026-02-10")
PREPAYMENT = _doc(type_code="386")


def _issues(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The type's own messages (the example documents are otherwise clean)."""
    return [(i.path, i.code, i.severity) for i in evaluate(doc).issues]


# -- validation --------------------------------------------------------------------------------

CASES: list[tuple[dict[str, Any], list[tuple[str, str, str]]]] = [
    (_doc(), []),  # empty type: a commercial invoice, nothing to say
    (_doc(type_code="380"), []),
    (PREPAYMENT, []),
    (CORRECTIVE, []),
    # 381 is the credit-note flow's, never typed in the document; nor anything else
    (_doc(type_code="381"), [("invoice.type_code", "invalid_type_code", ERROR)]),
    (_doc(type_code="38"), [("invoice.type_code", "invalid_type_code", ERROR)]),
    # 384 without anything: the number is an error, the date a warning
    (
        _doc(type_code="384"),
        [
            ("invoice.preceding_number", "preceding_required", ERROR),
            ("invoice.preceding_date", "preceding_date_missing", WARNING),
        ],
    ),
    # 384 with a number only: just the date's warning; blank is no number
    (
        _doc(type_code="384", preceding_number="F-7"),
        [("invoice.preceding_date", "preceding_date_missing", WARNING)],
    ),
    (
        _doc(type_code="384", preceding_number="  ", preceding_date="2026-02-10"),
        [("invoice.preceding_number", "preceding_required", ERROR)],
    ),
    # 2026-03-03 is after the issue date 2026-03-02: impossible to correct
    (
        _doc(type_code="384", preceding_number="F-7", preceding_date="2026-03-03"),
        [("invoice.preceding_date", "preceding_after_issue", ERROR)],
    ),
    # the same day is fine (an invoice corrected on the day it was issued)
    (_doc(type_code="384", preceding_number="F-7", preceding_date="2026-03-02"), []),
    (
        _doc(type_code="384", preceding_number="F-7", preceding_date="2026-02-30"),
        [("invoice.preceding_date", "invalid_date", ERROR)],
    ),
    # other types may refer to an invoice (BG-3 on any invoice): a number alone is fine...
    (_doc(type_code="", preceding_number="A-1"), []),
    (_doc(type_code="386", preceding_number="A-1", preceding_date="2026-01-05"), []),
    # ...a date alone cannot be carried (BR-55 wants the number): a warning
    (
        _doc(preceding_date="2026-01-05"),
        [("invoice.preceding_number", "preceding_required", WARNING)],
    ),
    # without an issue date there is nothing to compare with
    (
        document(LINES, type_code="384", preceding_number="F-7", preceding_date="2030-01-01"),
        [],
    ),
]


@pytest.mark.parametrize(("doc", "expected"), CASES)
def test_validation(doc: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert _issues(doc) == expected


def test_the_types_do_not_change_the_totals() -> None:
    totals = [evaluate(doc).totals for doc in (_doc(), CORRECTIVE, PREPAYMENT)]
    assert totals[0] == totals[1] == totals[2]
    assert totals[0] is not None and totals[0]["gross"] == "240.00"


def test_the_browser_engine_says_the_same() -> None:
    """Same paths, codes, severities and messages in web/src/evaluate.ts."""
    build("--tests")
    documents = [doc for doc, _ in CASES]
    done = subprocess.run(
        [node_or_fail(), str(WEB / ".test-build" / "evaluate-cli.mjs")],
        input="\n".join(json.dumps(d) for d in documents) + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    browser = [json.loads(out)["issues"] for out in done.stdout.splitlines()]
    for doc, found in zip(documents, browser, strict=True):
        server = [
            (i.path, i.code, i.severity, i.message)
            for i in evaluate(doc).issues
            if i.code != "invalid_type_code"  # the value is quoted as each language quotes
        ]
        ours = [
            (i["path"], i["code"], i["severity"], i["message"])
            for i in found
            if i["code"] != "invalid_type_code"
        ]
        assert ours == server, doc
        assert [i["code"] for i in found] == [i.code for i in evaluate(doc).issues]


def test_the_browser_schema_names_the_same_types() -> None:
    source = (ROOT / "web" / "src" / "schema.ts").read_text()
    match = re.search(r"export const INVOICE_TYPES = \[(.*?)\]", source)
    assert match is not None
    assert tuple(re.findall(r"'([^']*)'", match.group(1))) == schema.INVOICE_TYPES
    assert f"export const CORRECTIVE_INVOICE = '{schema.CORRECTIVE_INVOICE}'" in source


# -- mapping through the XSD and the Schematron ----------------------------------------------


def _xml(doc: dict[str, Any], syntax: str, **kind: Any) -> bytes:
    semantic = to_semantic(doc, number="F2026-000042", issue_date=ISSUED, seller=SELLER, **kind)
    return to_cii(semantic) if syntax == "cii" else to_ubl(semantic)


def _type_and_preceding(xml: bytes, syntax: str) -> tuple[str, list[tuple[str, str]]]:
    root = etree.fromstring(xml)
    if syntax == "cii":
        code = root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS)
        refs = root.findall(".//ram:InvoiceReferencedDocument", NS)
        found = [
            (
                r.findtext("ram:IssuerAssignedID", namespaces=NS),
                r.findtext("ram:FormattedIssueDateTime/qdt:DateTimeString", "", NS),
            )
            for r in refs
        ]
        return code, found
    assert etree.QName(root).localname == "Invoice"  # 384 and 386 are Invoice documents
    code = root.findtext("cbc:InvoiceTypeCode", namespaces=NS)
    refs = root.findall("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    return code, [
        (r.findtext("cbc:ID", namespaces=NS), r.findtext("cbc:IssueDate", "", NS)) for r in refs
    ]


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize(
    ("doc", "code", "preceding"),
    [
        (CORRECTIVE, "384", ("F2026-000007", "2026-02-10")),
        (PREPAYMENT, "386", None),
        (_doc(preceding_number="A-1"), "380", ("A-1", "")),
    ],
)
async def test_each_type_passes_the_xsd_and_the_schematron(
    syntax: str, doc: dict[str, Any], code: str, preceding: tuple[str, str] | None
) -> None:
    xml = _xml(doc, syntax)
    found_code, refs = _type_and_preceding(xml, syntax)
    assert found_code == code
    if preceding is None:
        assert refs == []
    else:
        number, issued = preceding
        # CII writes BT-26 as format 102 (CCYYMMDD), UBL as ISO
        written = issued.replace("-", "") if syntax == "cii" else issued
        assert refs == [(number, written)]
    report = await (check_cii(xml) if syntax == "cii" else check_ubl(xml))
    assert not report.fatal, [(f.rule, f.message) for f in report.fatal]


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_a_credit_note_keeps_its_own_type_and_original(syntax: str) -> None:
    """The server's 381 and credited invoice win over what the document says."""
    xml = _xml(CORRECTIVE, syntax, type_code=CREDIT_NOTE, preceding=("F-1", date(2026, 1, 2)))
    root = etree.fromstring(xml)
    if syntax == "ubl":
        assert etree.QName(root).localname == "CreditNote"
        assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
        ids = [e.text for e in root.findall(".//cac:InvoiceDocumentReference/cbc:ID", NS)]
    else:
        assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
        ids = [
            e.text
            for e in root.findall(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", NS)
        ]
    assert ids == ["F-1"]


def test_an_unknown_type_is_exported_as_380_with_the_date_alone_left_out() -> None:
    semantic = to_semantic(
        _doc(type_code="999", preceding_date="2026-01-05"),
        number=None,
        issue_date=ISSUED,
        seller=SELLER,
    )
    assert (semantic.type_code, semantic.preceding) == ("380", ())


# -- import -----------------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize("doc", [CORRECTIVE, PREPAYMENT, _doc(preceding_number="A-1")])
def test_import_round_trip(syntax: str, doc: dict[str, Any]) -> None:
    imported = parse_invoice(_xml(doc, syntax))
    header = imported.document["invoice"]
    for key in ("type_code", "preceding_number", "preceding_date"):
        assert header.get(key, "") == doc["invoice"].get(key, ""), key
    assert not [w for w in imported.warnings if w.startswith(("BG-3", "BT-3"))]
    assert evaluate(imported.document).totals == evaluate(doc).totals


def test_import_of_a_corrective_invoice_without_reference_says_so() -> None:
    xml = _xml(_doc(type_code="384"), "ubl")
    imported = parse_invoice(xml)
    assert imported.document["invoice"]["type_code"] == "384"
    assert any(w.startswith("BT-3 384 (corrective invoice) without") for w in imported.warnings)


def test_a_credit_note_still_imports_as_an_invoice_draft() -> None:
    xml = _xml(_doc(), "cii", type_code=CREDIT_NOTE, preceding=("F-1", date(2026, 1, 2)))
    imported = parse_invoice(xml)
    header = imported.document["invoice"]
    assert imported.type_code == "381"
    assert "type_code" not in header and "preceding_number" not in header
    assert any(w.startswith("BT-3 381") for w in imported.warnings)
    assert any(w.startswith("BG-3") for w in imported.warnings)


def test_only_the_first_preceding_invoice_is_kept() -> None:
    xml = _xml(CORRECTIVE, "ubl")
    root = etree.fromstring(xml)
    reference = root.find("cac:BillingReference", NS)
    second = etree.fromstring(etree.tostring(reference))
    second.find("cac:InvoiceDocumentReference/cbc:ID", NS).text = "F2026-000008"
    reference.addnext(second)
    imported = parse_invoice(etree.tostring(root))
    assert imported.document["invoice"]["preceding_number"] == "F2026-000007"
    assert any("not kept: F2026-000008" in w for w in imported.warnings)


# -- the PDF ----------------------------------------------------------------------------------


def _pdf_text(doc: dict[str, Any], lang: Any) -> str:
    semantic = to_semantic(doc, number="F2026-000042", issue_date=ISSUED, seller=SELLER)
    pdf = render_pdf(semantic, seller=SELLER, layout=Layout("classic", lang), draft=False)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(re.sub(r"[\u00a0\u202f]", " ", text).split())


@pytest.mark.parametrize(
    ("doc", "lang", "expected"),
    [
        (CORRECTIVE, "en", ["Corrective invoice F2026-000042", "Corrects invoice F2026-000007"]),
        (CORRECTIVE, "fr", ["Facture rectificative F2026-000042", "Rectifie la facture"]),
        (PREPAYMENT, "en", ["Prepayment invoice F2026-000042"]),
        (PREPAYMENT, "fr", ["Facture d'acompte F2026-000042"]),
        (_doc(preceding_number="A-1"), "en", ["Invoice F2026-000042", "Preceding invoice A-1"]),
    ],
)
def test_the_pdf_title(doc: dict[str, Any], lang: str, expected: list[str]) -> None:
    text = _pdf_text(doc, lang)
    for words in expected:
        assert words in text, (words, text[:300])
