"""The public payment page of an issued invoice and the card payment provider (docs/paypage.md)."""
