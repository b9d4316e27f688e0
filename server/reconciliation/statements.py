"""Reading bank statements: ISO 20022 camt.053 (BankToCustomerStatement, versions .001.02 to
.001.08) and CSV with a column mapping, into the credits they hold (docs/reconciliation.md).

The one place the rest of the feature reads statements from. Each format is read in a module of
its own (camt053.py: the defused XML parser; csv_statements.py: the column mapping), both into
the values of credits.py.
"""

from __future__ import annotations

from server.reconciliation.camt053 import read_camt053
from server.reconciliation.credits import (
    MAX_BYTES,
    MAX_ENTRIES,
    NAME_LENGTH,
    REFERENCE_LENGTH,
    Credit,
    Statement,
    StatementError,
)
from server.reconciliation.csv_statements import Mapping, read_csv

__all__ = [
    "MAX_BYTES",
    "MAX_ENTRIES",
    "NAME_LENGTH",
    "REFERENCE_LENGTH",
    "Credit",
    "Mapping",
    "Statement",
    "StatementError",
    "read_camt053",
    "read_csv",
]
