"""Domain events: what happened in an organization, recorded with its cause (issue 17)."""
