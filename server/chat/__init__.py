"""Slack, Microsoft Teams and e-mail notifications of the organization's domain events."""
