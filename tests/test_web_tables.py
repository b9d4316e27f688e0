"""The browser's reference tables (web/src/currencies.ts, web/src/tables.ts) hold what collab's
hold: the same minor units per currency, VAT rates per category and code lists."""

from __future__ import annotations

import re
from decimal import Decimal

from collab.invoice.currencies import MINOR_UNITS
from collab.invoice.tables import IGIC_RATES, IPSI_RATES, RATES_BY_CATEGORY, VAT_RATES
from tests.web.build import WEB


def test_minor_units_agree() -> None:
    source = (WEB / "src" / "currencies.ts").read_text()
    block = source[source.index("const GROUPS") : source.index("}")]
    found: dict[str, int] = {}
    for units, codes in re.findall(r"(\d+):\s*((?:'[A-Z ]+'(?:\s*\+\s*)?)+)", block):
        for code in "".join(re.findall(r"'([A-Z ]+)'", codes)).split():
            found[code] = int(units)
    assert found == dict(MINOR_UNITS)


def _rates(source: str, name: str) -> set[Decimal]:
    start = source.index(f"export const {name}")
    block = source[source.index("= [", start) : source.index("]", source.index("= [", start))]
    return {Decimal(r).normalize() for r in re.findall(r"'([0-9.]+)'", block)}


def test_vat_rates_agree() -> None:
    source = (WEB / "src" / "tables.ts").read_text()
    assert _rates(source, "VAT_RATES") == {Decimal(r).normalize() for r in VAT_RATES}
    assert _rates(source, "IGIC_RATES") == set(IGIC_RATES)
    assert _rates(source, "IPSI_RATES") == set(IPSI_RATES)
    mapping = re.search(r"RATES_BY_CATEGORY[^=]*= \{([^}]*)\}", source)
    assert mapping is not None
    named = dict(re.findall(r"(\w+): (\w+)", mapping.group(1)))
    tables = {"VAT_RATES": VAT_RATES, "IGIC_RATES": IGIC_RATES, "IPSI_RATES": IPSI_RATES}
    assert {k: tables[v] for k, v in named.items()} == dict(RATES_BY_CATEGORY)


def test_the_browser_reads_the_same_code_list_files() -> None:
    # One file per list for both engines: the browser bundles what collab/invoice/tables.py reads.
    source = (WEB / "src" / "tables.ts").read_text()
    imported = set(re.findall(r"from '\.\./\.\./collab/invoice/codes/([a-z_]+\.json)'", source))
    assert imported == {"codelists.json", "unit_names.json"}
    assert "UNIT_CODES: ReadonlySet<string> = new Set(codelists.units)" in source
    assert "VATEX_CODES: ReadonlySet<string> = new Set(codelists.vatex)" in source
