"""EN 16931 e-invoice exports: CII and UBL XML of an invoice, checked against the XSD and the
official Schematron (docs/e-invoices.md)."""
