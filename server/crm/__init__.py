"""Customers from and to a CRM: CSV export, and a CSV import in three steps (upload with a
proposed column mapping, preview, confirm); docs/integrations.md."""
