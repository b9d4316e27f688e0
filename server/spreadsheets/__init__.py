"""CSV files people bring from other tools and take to spreadsheets: decoding, delimiter
sniffing, bounded reading, header matching and formula-safe writing.

A shared helper of the CSV imports and exports (server/crm, server/timesheets), not a feature:
no tables of its own and no routes. reading, columns and writing are pure over bytes or strings;
uploads keeps an import's file until its confirmation, in the importing feature's table.
"""
