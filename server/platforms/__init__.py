"""Handing issued invoices to an accredited e-invoicing platform (the French "plateforme
agréée"): adapters behind one interface, and an outbox of transmissions (docs/e-invoices.md)."""
