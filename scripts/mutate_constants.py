"""Mutate the money engine's module-level constants, which mutmut leaves alone, and run the tests.

    .venv/bin/python scripts/mutate_constants.py tests/test_money.py ...   (scripts/mutation.sh)

Each mutant is one textual change to a constant (a rounding mode, a precision, a limit, a code
list entry, a rate rule); it is killed when the given tests fail with it. Run from a scratch copy
of the repository (scripts/mutation.sh makes one): the files are edited in place and restored.
Exit status 1 when a mutant survives.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MONEY = "collab/invoice/money.py"
INPUTS = "collab/invoice/inputs.py"
DECIMALS = "collab/invoice/decimals.py"
ALLOCATION = "collab/invoice/allocation.py"
CATEGORIES = "collab/invoice/categories.py"
TABLES = "collab/invoice/tables.py"
CURRENCIES = "collab/invoice/currencies.py"

_CATEGORY_SET = 'frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"})'
_EXACT = (
    "prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact]"
)
_ROUNDING = "Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])"

# Mutants that cannot change a result: the accepted inputs never reach them. Each is still run
# and reported, with the reason, but does not count as a survivor.
EQUIVALENT: dict[str, str] = {
    _EXACT.replace(", Inexact]", "]"): (
        "the Inexact trap is a safety net: amounts below 10^15 with at most 4 + 6 decimals need"
        " at most 42 digits, so nothing the engine accepts is ever inexact in 60"
    ),
    "traps=[]": (
        "allocation only moves the decimal point of amounts below 10^15 with at most 4 minor"
        " units (at most 19 digits): never inexact in 60, so the trap never fires"
    ),
}

# (file, text, replacement): every replacement must change what the engine computes or decides.
MUTANTS: list[tuple[str, str, str]] = [
    (INPUTS, "QUANTITY_PLACES = 4", "QUANTITY_PLACES = 3"),
    (INPUTS, "QUANTITY_PLACES = 4", "QUANTITY_PLACES = 5"),
    (INPUTS, "UNIT_PRICE_PLACES = 6", "UNIT_PRICE_PLACES = 5"),
    (INPUTS, "UNIT_PRICE_PLACES = 6", "UNIT_PRICE_PLACES = 7"),
    (INPUTS, "PERCENT_PLACES = 4", "PERCENT_PLACES = 3"),
    (INPUTS, "PERCENT_PLACES = 4", "PERCENT_PLACES = 5"),
    (INPUTS, 'NO_RATE_CATEGORY = "O"', 'NO_RATE_CATEGORY = "E"'),
    (MONEY, "_HUNDRED = Decimal(100)", "_HUNDRED = Decimal(1000)"),
    (MONEY, "_HUNDRED = Decimal(100)", "_HUNDRED = Decimal(99)"),
    (INPUTS, "_HUNDRED = Decimal(100)", "_HUNDRED = Decimal(1000)"),
    (INPUTS, "_HUNDRED = Decimal(100)", "_HUNDRED = Decimal(99)"),
    (MONEY, _EXACT, _EXACT.replace("ROUND_HALF_UP", "ROUND_HALF_EVEN")),
    (MONEY, _EXACT, _EXACT.replace("prec=60", "prec=28")),
    (MONEY, _EXACT, _EXACT.replace(", Inexact]", "]")),
    (MONEY, _ROUNDING, _ROUNDING.replace("ROUND_HALF_UP", "ROUND_HALF_EVEN")),
    (MONEY, _ROUNDING, _ROUNDING.replace("ROUND_HALF_UP", "ROUND_UP")),
    (MONEY, _ROUNDING, _ROUNDING.replace("ROUND_HALF_UP", "ROUND_DOWN")),
    (MONEY, _ROUNDING, _ROUNDING.replace("ROUND_HALF_UP", "ROUND_HALF_DOWN")),
    (MONEY, _ROUNDING, _ROUNDING.replace("prec=60", "prec=16")),
    *[
        (INPUTS, _CATEGORY_SET, _CATEGORY_SET.replace(f'"{code}", ', "").replace(f', "{code}"', ""))
        for code in ["S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"]
    ],
    (INPUTS, _CATEGORY_SET, _CATEGORY_SET.replace('"B"', '"B", "X"')),
    (DECIMALS, "MAX_MAGNITUDE = Decimal(10) ** 15", "MAX_MAGNITUDE = Decimal(10) ** 14"),
    (DECIMALS, "MAX_MAGNITUDE = Decimal(10) ** 15", "MAX_MAGNITUDE = Decimal(10) ** 16"),
    (DECIMALS, "MAX_TEXT_LENGTH = 40", "MAX_TEXT_LENGTH = 39"),
    (DECIMALS, "MAX_TEXT_LENGTH = 40", "MAX_TEXT_LENGTH = 41"),
    (DECIMALS, 're.compile(r"-?[0-9]+(\\.[0-9]+)?"', 're.compile(r"-?[0-9]*(\\.[0-9]+)?"'),
    (DECIMALS, 're.compile(r"-?[0-9]+(\\.[0-9]+)?"', 're.compile(r"-?[0-9]+(\\.[0-9]*)?"'),
    (DECIMALS, 're.compile(r"-?[0-9]+(\\.[0-9]+)?"', 're.compile(r"[0-9]+(\\.[0-9]+)?"'),
    (DECIMALS, 're.compile(r"-?[0-9]+(\\.[0-9]+)?", re.ASCII)', 're.compile(r"-?\\d+(\\.\\d+)?")'),
    (ALLOCATION, "prec=60, rounding=ROUND_HALF_UP", "prec=3, rounding=ROUND_HALF_UP"),
    (ALLOCATION, "traps=[InvalidOperation, Overflow, Inexact]", "traps=[]"),
    *[
        (CATEGORIES, f'"{code}": RateRule.{rule},', f'"{code}": RateRule.{other},')
        for code, rule, other in [
            ("S", "POSITIVE", "ANY"),
            ("B", "POSITIVE", "ANY"),
            ("Z", "ZERO", "ANY"),
            ("E", "ZERO", "ANY"),
            ("AE", "ZERO", "ANY"),
            ("K", "ZERO", "ANY"),
            ("G", "ZERO", "ANY"),
            ("O", "NONE", "ZERO"),
            ("L", "ANY", "POSITIVE"),
            ("M", "ANY", "POSITIVE"),
        ]
    ],
    *[
        (
            CATEGORIES,
            'EXEMPT_CATEGORIES: Final = frozenset({"E", "AE", "K", "G", "O"})',
            'EXEMPT_CATEGORIES: Final = frozenset({"E", "AE", "K", "G", "O"})'.replace(
                f'"{code}"', '"S"'
            ),
        )
        for code in ["E", "AE", "K", "G", "O"]
    ],
    (CATEGORIES, "_CONTEXT: Final = Context(prec=30)", "_CONTEXT: Final = Context(prec=2)"),
    (TABLES, '"0 2.1 2.5 2.6 3 3.8 4 4.8 5 5.5 ', '"0 2.1 2.5 2.6 3 3.8 4 4.8 5 '),
    (TABLES, '_rates("0 1 3 5 7 9.5 15 20")', '_rates("0 1 3 5 9.5 15 20")'),
    (TABLES, '_rates("0 0.5 1 2 3 4 5 6 8 10")', '_rates("0 0.5 1 2 3 4 5 6 8")'),
    (
        TABLES,
        '{"S": VAT_RATES, "B": VAT_RATES, "L": IGIC_RATES',
        '{"S": VAT_RATES, "L": IGIC_RATES',
    ),
    (CURRENCIES, '_ZERO = "BIF CLP DJF GNF ISK JPY ', '_ZERO = "BIF CLP DJF GNF ISK '),
    (CURRENCIES, '_THREE = "BHD IQD JOD KWD ', '_THREE = "BHD IQD JOD '),
]


def run(tests: list[str]) -> bool:
    """True when the tests pass (the mutant survives)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0


def main(tests: list[str]) -> int:
    if not run(tests):
        print("the tests fail without any mutant: fix them first")
        return 2
    survivors = []
    equivalent = 0
    for path, text, replacement in MUTANTS:
        source = Path(path).read_text(encoding="utf-8")
        if source.count(text) != 1 or text == replacement:
            print(f"stale mutant, {path}: {text!r}")
            survivors.append((path, text, replacement))
            continue
        Path(path).write_text(source.replace(text, replacement), encoding="utf-8")
        try:
            survived = run(tests)
            if survived and replacement in EQUIVALENT:
                equivalent += 1
                print(f"equivalent {path}: {replacement!r}: {EQUIVALENT[replacement]}")
            elif survived:
                survivors.append((path, text, replacement))
                print(f"SURVIVED {path}: {text!r} -> {replacement!r}")
        finally:
            Path(path).write_text(source, encoding="utf-8")
    killed = len(MUTANTS) - len(survivors) - equivalent
    print(
        f"constants: {killed} of {len(MUTANTS)} mutants killed, {len(survivors)} survived,"
        f" {equivalent} equivalent (cannot change a result)"
    )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
