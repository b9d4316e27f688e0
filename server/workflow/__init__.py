"""The invoice workflow (SPEC section 4): transitions, their log, and each invoice's state."""
