"""Extract EN 16931's code lists from the official Schematron into collab/invoice/codes/.

    .venv/bin/python scripts/extract_codelists.py

Source: the CEN/TC 434 validation artefacts vendored in server/exports/en16931 (README there:
commit b6c9e06). The UBL stylesheet's code-list rules hold, as literal lists, the codes an
EN 16931 invoice may use:

- BR-CL-23: units of measure, UN/ECE Recommendation 20 with the Recommendation 21 extension
  (the "X" + package code units), the version the standard validates against;
- BR-CL-17/18: VAT categories (the UNTDID 5305 subset EN 16931 allows);
- BR-CL-22: VAT exemption reason codes (the CEF VATEX list);
- BR-CL-14: country codes, ISO 3166-1 alpha-2 (with "1A", Kosovo, which EN 16931 accepts);
- BR-CL-19 / BR-CL-20: allowance reason codes (UNTDID 5189) and charge reason codes (UNTDID 7161).

Reading the rules rather than a copy of the recommendations keeps Cofacture accepting exactly
what the validation gate accepts. The names of the common units are not in the Schematron: they
live beside the data in unit_names.json, written by hand from the Recommendation 20 annexes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMATRON = ROOT / "server/exports/en16931/ubl/xslt/EN16931-UBL-validation.xslt"
OUTPUT = ROOT / "collab/invoice/codes/codelists.json"
SOURCE = (
    "EN 16931 validation artefacts (CEN/TC 434, ConnectingEurope/eInvoicing-EN16931 commit "
    "b6c9e06), server/exports/en16931/ubl/xslt/EN16931-UBL-validation.xslt, rules BR-CL-17 "
    "(VAT categories), BR-CL-22 (VATEX), BR-CL-23 (UN/ECE Rec 20 + Rec 21 units), BR-CL-14 "
    "(ISO 3166-1 alpha-2 countries), BR-CL-19/20 (UNTDID 5189 allowance and 7161 charge reasons)"
)


def rule_codes(text: str, rule: str) -> list[str]:
    """The space-separated code list of the first assertion whose id is `rule`."""
    at = text.index(f'<xsl:attribute name="id">{rule}</xsl:attribute>')
    assertion = text.rindex('<svrl:failed-assert test="', 0, at)
    test = text[assertion : text.index('">', assertion)]
    found = re.search(r"contains\(\s*' ([^']+) '", test)
    if found is None:
        raise SystemExit(f"no code list in the assertion of {rule}")
    return found.group(1).split()


def main() -> int:
    text = SCHEMATRON.read_text(encoding="utf-8")
    units = rule_codes(text, "BR-CL-23")
    data = {
        "source": SOURCE,
        "generated_by": "scripts/extract_codelists.py",
        "vat_categories": rule_codes(text, "BR-CL-17"),
        "vatex": sorted(rule_codes(text, "BR-CL-22")),
        "units": sorted(set(units)),
        "countries": sorted(rule_codes(text, "BR-CL-14")),
        "allowance_reasons": rule_codes(text, "BR-CL-19"),
        "charge_reasons": rule_codes(text, "BR-CL-20"),
    }
    if len(data["units"]) != len(units):
        raise SystemExit("BR-CL-23 lists a unit code twice: check the stylesheet")
    OUTPUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(units)} units, {len(data['vatex'])} VATEX codes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
