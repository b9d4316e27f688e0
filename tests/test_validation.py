"""Validation messages and totals computed from a draft's content."""

from __future__ import annotations

from typing import Any

import pytest

from collab.invoice.validation import evaluate


def line(line_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": line_id, "quantity": "1", "unit_price": "10", "tax_rate": "20", **fields}


def issues_of(document: dict[str, Any]) -> dict[str, str]:
    return {issue.path: issue.code for issue in evaluate(document).issues}


def test_worked_example_with_a_line_discount() -> None:
    document = {
        "invoice": {"currency": "EUR"},
        "lines": [
            line(
                "a",
                quantity="3",
                unit_price="45.00",
                tax_rate="21",
                discount={"kind": "amount", "value": "60.00"},
            )
        ],
    }
    result = evaluate(document)
    assert result.issues == [] and result.complete
    assert result.totals is not None
    assert (result.totals["net"], result.totals["tax"], result.totals["gross"]) == (
        "75.00",
        "15.75",
        "90.75",
    )
    assert result.totals["tax_breakdown"] == [
        {"category": "S", "rate": "21", "base": "75.00", "amount": "15.75"}
    ]


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"quantity": "12."}, "lines.a.quantity", "incomplete"),
        ({"quantity": "abc"}, "lines.a.quantity", "syntax"),
        ({"unit_price": "-5"}, "lines.a.unit_price", "negative"),
        ({"unit_price": ""}, "lines.a.unit_price", "required"),
        ({"quantity": "1.23456"}, "lines.a.quantity", "too_precise"),
        (
            {"discount": {"kind": "percent", "value": "150"}},
            "lines.a.discount.value",
            "out_of_range",
        ),
        (
            {"discount": {"kind": "amount", "value": "50"}},
            "lines.a.discount.value",
            "discount_exceeds_base",
        ),
    ],
)
def test_half_typed_and_invalid_line_values_become_messages(
    fields: dict[str, Any], path: str, code: str
) -> None:
    document = {"invoice": {}, "lines": [line("a", **fields), line("b")]}
    result = evaluate(document)
    assert {issue.path: issue.code for issue in result.issues}.get(path) == code, result.issues
    assert not result.complete
    assert result.totals is not None and result.totals["gross"] == "12.00"  # line b still counts


@pytest.mark.parametrize(
    ("header", "path", "code"),
    [
        ({"currency": "EUX"}, "invoice.currency", "unknown_currency"),
        (
            {"issue_date": "2026-12-01", "due_date": "2026-11-30"},
            "invoice.due_date",
            "due_before_issue",
        ),
        ({"due_date": "2026-02-30"}, "invoice.due_date", "invalid_date"),
        ({"due_date": "31/12/2026"}, "invoice.due_date", "invalid_date"),
        ({"customer": {"vat_id": "FR00303265045"}}, "invoice.customer.vat_id", "invalid_vat_id"),
        ({"customer": {"siren": "732829321"}}, "invoice.customer.siren", "invalid_siren"),
        ({"customer": {"siren": "73282932000075"}}, "invoice.customer.siren", "invalid_siren"),
        ({"customer": {"email": "nobody"}}, "invoice.customer.email", "invalid_email"),
        (
            {"customer": {"address": {"country": "France"}}},
            "invoice.customer.address.country",
            "invalid_country",
        ),
    ],
)
def test_header_problems_become_messages(header: dict[str, Any], path: str, code: str) -> None:
    assert issues_of({"invoice": header, "lines": [line("a")]}).get(path) == code


def test_valid_identifiers_pass() -> None:
    header: dict[str, Any] = {
        "currency": "EUR",
        "issue_date": "2026-11-27",
        "due_date": "2026-12-27",
        "customer": {
            "email": "ap@client.example",
            "vat_id": "FR40303265045",
            "siren": "732829320",
            "address": {"country": "FR"},
        },
    }
    assert evaluate({"invoice": header, "lines": [line("a")]}).issues == []
    header["customer"]["siren"] = "73282932000074"  # a SIRET is accepted too
    assert evaluate({"invoice": header, "lines": []}).issues == []


def test_unknown_currency_gives_no_totals() -> None:
    result = evaluate({"invoice": {"currency": "XYZ"}, "lines": [line("a")]})
    assert result.totals is None and not result.complete


def test_document_discount_and_mixed_rates_in_jpy() -> None:
    document = {
        "invoice": {"currency": "JPY", "discount": {"kind": "amount", "value": "100"}},
        "lines": [
            line("a", quantity="2", unit_price="1000", tax_rate="10"),
            line("b", quantity="1", unit_price="500", tax_rate="8"),
        ],
    }
    result = evaluate(document)
    assert result.issues == [] and result.totals is not None
    assert result.totals["net"] == "2400"
    assert sum(int(t["base"]) for t in result.totals["tax_breakdown"]) == 2400
