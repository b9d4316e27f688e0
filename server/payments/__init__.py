"""Payments: what customers paid on issued invoices, refunds, and what they still owe."""
