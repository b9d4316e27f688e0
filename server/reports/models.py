"""The reports feature has no tables: it reads the other features through their services."""
