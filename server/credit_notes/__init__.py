"""Credit notes: the only correction of an issued invoice (SPEC section 4)."""
