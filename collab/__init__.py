"""Cofacture's pure core, in two parts with a one-way dependency.

- `collab.sync`: the sync engine. Rooms of CRDT documents over the y-websocket protocol,
  presence, locks, update inspection, persistence ports. It knows nothing about invoices: the
  document's shape and the edit policies are values it is given.
- `collab.invoice`: the invoice domain. The document's shape, money (EN 16931), decimals,
  currencies, code tables, validation. Pure functions and types, no I/O, no sync engine.

Neither part imports a web framework, a database or a broker; `collab.invoice` never imports
`collab.sync`, and `collab.sync` never imports `collab.invoice` (tests/test_layout.py).
"""
