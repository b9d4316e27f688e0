"""Outgoing webhooks (Standard Webhooks) of an organization's domain events (issue 17)."""
