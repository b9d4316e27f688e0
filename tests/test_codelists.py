"""The code lists shipped as data match the official Schematron they are extracted from, and the
engines' category lists match the code list."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from collab.invoice.money import TAX_CATEGORIES
from collab.invoice.tables import COMMON_UNITS, SCHEMATRON_CATEGORIES, UNIT_CODES, VATEX_CODES
from tests.harness import ROOT

DATA = ROOT / "collab" / "invoice" / "codes" / "codelists.json"


def _extractor():
    spec = importlib.util.spec_from_file_location("extract", ROOT / "scripts/extract_codelists.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_data_file_is_what_the_script_extracts_from_the_vendored_schematron() -> None:
    extract = _extractor()
    text = Path(extract.SCHEMATRON).read_text(encoding="utf-8")
    shipped = json.loads(DATA.read_text(encoding="utf-8"))

    assert shipped["units"] == sorted(extract.rule_codes(text, "BR-CL-23"))
    assert shipped["vatex"] == sorted(extract.rule_codes(text, "BR-CL-22"))
    assert shipped["vat_categories"] == extract.rule_codes(text, "BR-CL-17")
    assert extract.rule_codes(text, "BR-CL-18") == extract.rule_codes(text, "BR-CL-17")


def test_the_lists_are_whole() -> None:
    # UN/ECE Rec 20 has some 1,800 codes in force and Rec 21 some 400 package units ("X" + code).
    assert len(UNIT_CODES) > 2000
    assert sum(code.startswith("X") for code in UNIT_CODES) > 350
    assert {"C62", "H87", "KGM", "HUR", "XBX", "XPX"} <= UNIT_CODES
    assert {"VATEX-EU-AE", "VATEX-EU-IC", "VATEX-EU-G", "VATEX-EU-O"} <= VATEX_CODES
    assert set(COMMON_UNITS) <= UNIT_CODES and next(iter(COMMON_UNITS)) == "C62"


def test_both_engines_allow_exactly_the_schematron_categories() -> None:
    assert TAX_CATEGORIES == SCHEMATRON_CATEGORIES
    source = (ROOT / "web" / "src" / "inputs.ts").read_text()
    found = re.search(r"TAX_CATEGORIES: ReadonlySet<string> = new Set\(\[([^\]]*)\]\)", source)
    assert found is not None
    assert set(re.findall(r"'([A-Z]+)'", found.group(1))) == SCHEMATRON_CATEGORIES
