"""CSV files people bring from other tools and take to spreadsheets: decoding, delimiter
sniffing, bounded reading, header matching and formula-safe writing.

A shared helper of the CSV imports and exports (server/crm, server/timesheets), not a feature:
no tables, no routes, no I/O; every function is pure over bytes or strings.
"""
