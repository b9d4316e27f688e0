"""The browser's schema module (web/src/schema.ts) names what collab/invoice/document.py names."""

from __future__ import annotations

import re

from collab.invoice import document as schema
from collab.shape import Field, Kind
from tests.harness import ROOT

SOURCE = (ROOT / "web" / "src" / "schema.ts").read_text()


def _constant(name: str) -> object:
    match = re.search(rf"export const {name} = (\[.*?\]|'[^']*'|\d+)", SOURCE, re.S)
    assert match, f"{name} missing from web/src/schema.ts"
    value = match.group(1)
    if value.startswith("'"):
        return value.strip("'")
    if value.isdigit():
        return int(value)
    return re.findall(r"'([^']*)'", value)


def _names(field: Field) -> list[str]:
    assert field.fields is not None
    return list(field.fields)


def test_roots_and_defaults_agree() -> None:
    assert _constant("ROOT_INVOICE") == schema.ROOT_INVOICE
    assert _constant("ROOT_LINES") == schema.ROOT_LINES
    assert _constant("LINE_ID") == schema.LINE_ID
    assert _constant("ROOT_ADJUSTMENTS") == schema.ROOT_ADJUSTMENTS
    assert _constant("ADJUSTMENT_ID") == schema.ADJUSTMENT_ID
    assert _constant("MAX_ADJUSTMENTS") == schema.MAX_ADJUSTMENTS
    names = [_constant(f"ROOT_{root.upper()}") for root in schema.ROOTS]
    assert names == list(schema.ROOTS) == list(schema.INVOICE_SHAPE.roots)
    assert _constant("DEFAULT_CURRENCY") == schema.DEFAULT_CURRENCY
    assert _constant("DEFAULT_UNIT") == schema.DEFAULT_UNIT
    assert _constant("DEFAULT_TAX_CATEGORY") == schema.DEFAULT_TAX_CATEGORY


def test_field_names_agree() -> None:
    assert _constant("HEADER_FIELDS") == _names(schema.HEADER)
    assert _constant("CUSTOMER_FIELDS") == _names(schema.CUSTOMER)
    assert _constant("ADDRESS_FIELDS") == _names(schema.ADDRESS)
    assert _constant("DISCOUNT_FIELDS") == _names(schema.DISCOUNT)
    assert _constant("LINE_FIELDS") == _names(schema.LINE)
    assert _constant("ADJUSTMENT_FIELDS") == _names(schema.ADJUSTMENT)


def test_text_fields_agree() -> None:
    assert schema.HEADER.fields is not None
    texts = [f"invoice.{k}" for k, f in schema.HEADER.fields.items() if f.kind is Kind.TEXT]
    for rows in schema.INVOICE_SHAPE.rows:  # the adjustments hold none
        assert rows.row.fields is not None
        texts += [f"{rows.root}.{k}" for k, f in rows.row.fields.items() if f.kind is Kind.TEXT]
    assert _constant("TEXT_FIELDS") == texts
