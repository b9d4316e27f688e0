"""Recurring invoices: schedules that make a draft each period, exactly once (docs/recurring.md)."""
