"""Imports: a UBL, CII or Factur-X e-invoice made into a new draft (docs/e-invoices.md)."""
