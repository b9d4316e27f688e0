"""The browser's totals and validation (web/src/evaluate.ts) agree with the server's
(collab/validation.py) on the worked examples and on many random drafts."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab.invoice.tables import COMMON_UNITS, UNIT_CODES
from tests.web.parity import browser_evaluate, comparable, evaluate_cli, server_evaluate


@pytest.fixture(scope="module")
def cli() -> str:
    return evaluate_cli()


# Mostly valid values (so that totals are computed), some half-typed or wrong ones.
NUMBERS = (
    ["1", "3", "0", "-2", "0.5", "2.25", "1000000", "7"],
    ["12.", "abc", "", "1,5", "1.23456"],
)
PRICES = (
    ["45.00", "2.49", "0.10", "333.5", "1250", "0.4567", "10.125", "99.999999"],
    ["-5", "1e3"],
)
RATES = (["20", "21", "5.5", "0", "10", "8", "20.00"], ["19.6", "100.5", ""])
CURRENCIES = ["EUR", "EUR", "EUR", "JPY", "KWD", "XYZ", "eur"]


def pick(rng: random.Random, choices: tuple[list[str], list[str]]) -> str:
    valid, wrong = choices
    return rng.choice(valid if rng.random() < 0.85 else wrong)


def random_document(rng: random.Random) -> dict[str, Any]:
    def discount() -> dict[str, str] | None:
        if rng.random() < 0.5:
            return None
        kind = rng.choice(["percent", "amount", "percent", "amount", "fixed"])
        return {"kind": kind, "value": rng.choice(["10", "60", "0.5", "5.01", "2", "150", "", "x"])}

    lines = []
    for index in range(rng.randint(0, 5)):
        line: dict[str, Any] = {
            "id": f"l{index}",
            "quantity": pick(rng, NUMBERS),
            "unit_price": pick(rng, PRICES),
            "tax_rate": pick(rng, RATES),
            "unit": rng.choice(["C62", "HUR", "DAY", "C62", "", "BOX"]),
            "tax_category": rng.choice(["S", "S", "Z", "E", "S", "", "X"]),
        }
        if (d := discount()) is not None:
            line["discount"] = d
        lines.append(line)
    header: dict[str, Any] = {
        "currency": rng.choice(CURRENCIES),
        "issue_date": rng.choice(["", "2026-11-27", "2026-02-30", "27/11/2026"]),
        "due_date": rng.choice(["", "2026-12-27", "2026-11-01"]),
        "customer": {
            "email": rng.choice(["", "ap@client.example", "nobody"]),
            "address": {"country": rng.choice(["", "FR", "France"])},
        },
    }
    if (d := discount()) is not None:
        header["discount"] = d
    adjustments: list[Any] = [
        {
            "id": f"a{index}",
            "line": rng.choice(["", "", *(line["id"] for line in lines), "gone"]),
            "type": rng.choice(["", "allowance", "charge", "charge", "fee"]),
            rng.choice(["amount", "percent"]): rng.choice(["10", "5.00", "0.5", "150", "", "x"]),
            "tax_category": rng.choice(["S", "", "Z", "O", "X"]),
            "tax_rate": pick(rng, RATES),
            "reason": rng.choice(["Loyalty", "", ""]),
            "reason_code": rng.choice(["", "95", "FC", "ZZZ", "9"]),
        }
        for index in range(rng.randint(0, 3))
    ]
    if rng.random() < 0.05:
        adjustments.append("not a row")  # skipped by both engines, as a line that is no object
    return {"invoice": header, "lines": lines, "adjustments": adjustments}


WORKED = [
    {
        "invoice": {"currency": "EUR"},
        "lines": [
            {
                "id": "a",
                "quantity": "3",
                "unit_price": "45.00",
                "tax_rate": "21",
                "discount": {"kind": "amount", "value": "60.00"},
            }
        ],
    },
    {
        "invoice": {"currency": "EUR"},
        "lines": [
            {"id": str(i), "quantity": "1", "unit_price": "2.49", "tax_rate": "20"}
            for i in range(3)
        ],
    },
    {
        "invoice": {"currency": "JPY", "discount": {"kind": "amount", "value": "51"}},
        "lines": [
            {"id": "a", "quantity": "3", "unit_price": "333.5", "tax_rate": "10"},
            {"id": "b", "quantity": "1", "unit_price": "1250", "tax_rate": "8"},
        ],
    },
    {
        "invoice": {"currency": "EUR", "discount": {"kind": "amount", "value": "10.00"}},
        "lines": [
            {"id": "a", "quantity": "4", "unit_price": "25.00", "tax_rate": "20"},
            {"id": "b", "quantity": "2", "unit_price": "50.00", "tax_rate": "5.5"},
            {"id": "c", "quantity": "1", "unit_price": "100", "tax_rate": "0", "tax_category": "Z"},
        ],
    },
]


def test_worked_examples_agree(cli: str) -> None:
    browser = browser_evaluate(cli, WORKED)
    for document, result in zip(WORKED, browser, strict=True):
        assert comparable(result) == server_evaluate(document)
    assert browser[0]["totals"]["gross"] == "90.75"
    assert browser[1]["totals"]["tax"] == "1.49"


def test_random_drafts_agree(cli: str) -> None:
    rng = random.Random(20261127)
    documents = [random_document(rng) for _ in range(600)]
    browser = browser_evaluate(cli, documents)
    for document, result in zip(documents, browser, strict=True):
        assert comparable(result) == server_evaluate(document), json.dumps(document)


# --- hypothesis: random drafts with every field issue 12 added, allowances and charges too -----

CATEGORIES = ["S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B", "", "X"]
# Units: common, from deep in the Rec 20/21 lists, and not codes at all.
UNITS = [*list(COMMON_UNITS)[:5], *sorted(UNIT_CODES)[::300], "", "BOX", "kgm"]
REASONS = ["", "", "Art. 261 C CGI", "Article 44 de la directive 2006/112/CE", " "]
CODES = ["", "", "VATEX-EU-132-1I", "VATEX-EU-AE", "VATEX-EU-O", "VATEX-EU-G", "VATEX-XX"]
DECIMALS = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=2).map(lambda d: format(d, "f")),
    st.sampled_from(["1", "-1", "0", "12.", "", "100", "100.0000", "99.99999", "1e3", "abc"]),
)
PRICE_DETAILS = {
    "gross_price": st.sampled_from(["45.00", "12.50", "10", "0", "-1", "1.0000001", "12.", ""]),
    "price_discount": st.sampled_from(["2.50", "0.5", "0", "50", "-1", "x", ""]),
    "base_quantity": st.sampled_from(["1", "3", "100", "0.5", "7", "0", "-2", "0.00001", ""]),
}
# BT-113 / BT-114: valid, at the bounds, past the minor units, refused, half-typed.
PAID = st.one_of(
    st.decimals(min_value=0, max_value=500, places=2).map(lambda d: format(d, "f")),
    st.sampled_from(["", "-1", "0.001", "12.", "1e2", "100.500"]),
)
ROUNDINGS = st.sampled_from(
    ["", "0.01", "-0.04", "0.99", "-0.99", "1", "-1.00", "0.5", "0.005", "0.9990", "x"]
)
RATES_ANY = st.sampled_from(["", "0", "0.00", "5.5", "7", "9.5", "10", "19.6", "20", "22", "100"])
# Allowances and charges (BG-20/21/27/28): mostly usable rows (so that totals count them), with
# amounts past JPY's or EUR's minor units, refused, half-typed; percents past 100 (an allowance's
# limit), past 4 decimals; bases of any sign; reason codes valid for one type only, and none.
AMOUNTS_OK = st.decimals(min_value=0, max_value=300, places=2).map(lambda d: format(d, "f"))
AMOUNTS_WRONG = st.sampled_from(["0.005", "0.250", "-1", "12.", "1e2", "x", "1000"])
PERCENTS = st.sampled_from(["5", "10", "12.5", "0.0001", "33.3333", "100", "7", "2.5", "50"])
PERCENTS_WRONG = st.sampled_from(["100.5", "150", "-5", "0.00001", "x"])
BASES = st.sampled_from(["50.00", "-20", "1000", "7", "0", "0.001", "x"])
REASON_CODES = st.sampled_from(["", "", "95", "100", "41", "FC", "ABL", "ZZZ", "AA", "999", "x"])
ADJUSTMENT_TYPES = st.sampled_from(["", "allowance", "allowance", "charge", "charge", "charge"])


def adjustment_row(draw: st.DrawFn, index: int, line_ids: list[str]) -> dict[str, str]:
    """One `adjustments` row: document or line level, amount or percent mode (or both, or
    neither), stated or default base, any category with or without a rate, reasons or none."""
    rare = draw(st.integers(0, 9)) == 0  # about one row in ten has one more problem
    problem = draw(st.sampled_from(["type", "line", "both", "neither", "amount", "percent"]))
    row = {"id": f"a{index}", "type": "rebate" if rare and problem == "type" else ""}
    row["type"] = row["type"] or draw(ADJUSTMENT_TYPES)
    level = draw(st.sampled_from(["", "", *line_ids])) if line_ids else ""
    if rare and problem == "line":
        level = draw(st.sampled_from(["l9", "nope"]))
    if level or draw(st.booleans()):
        row["line"] = level
    percent_mode = draw(st.booleans())
    wrong = rare and problem in ("amount", "percent")
    if not percent_mode or (rare and problem == "both"):
        row["amount"] = draw(AMOUNTS_WRONG if wrong else AMOUNTS_OK)
    if percent_mode or (rare and problem == "both"):
        row["percent"] = draw(PERCENTS_WRONG if wrong else PERCENTS)
    if rare and problem == "neither":
        row.update(amount="", percent="")
    if draw(st.integers(0, 2)) == 0:
        row["base"] = draw(BASES)
    if not level or draw(st.integers(0, 3)) == 0:  # ignored at line level
        row["tax_category"] = draw(st.sampled_from(CATEGORIES))
        row["tax_rate"] = draw(RATES_ANY)
    row["reason"] = draw(st.sampled_from(["", "", "Loyalty", " ", "Freight"]))
    row["reason_code"] = draw(REASON_CODES)
    return row


@st.composite
def drafts(draw: st.DrawFn) -> dict[str, Any]:
    def discount() -> dict[str, str] | None:
        if not draw(st.booleans()):
            return None
        kind = draw(st.sampled_from(["percent", "amount", ""]))
        return {"kind": kind, "value": draw(st.sampled_from(["10", "5.00", "0.5", "60", "150"]))}

    lines = []
    for index in range(draw(st.integers(0, 6))):
        line: dict[str, Any] = {
            "id": f"l{index}",
            "quantity": draw(DECIMALS),
            "unit_price": draw(st.sampled_from(["45.00", "2.49", "0.10", "1250", "10.125", "-5"])),
            "tax_rate": draw(RATES_ANY),
            "unit": draw(st.sampled_from(UNITS)),
            "tax_category": draw(st.sampled_from(CATEGORIES)),
            "exemption_reason": draw(st.sampled_from(REASONS)),
            "exemption_code": draw(st.sampled_from(CODES)),
        }
        if (d := discount()) is not None:
            line["discount"] = d
        for name, values in PRICE_DETAILS.items():  # BG-29, often with an empty unit price
            if draw(st.integers(0, 3)) == 0:
                line[name] = draw(values)
                line["unit_price"] = draw(st.sampled_from(["", "", line["unit_price"], "9.5"]))
        lines.append(line)
    header: dict[str, Any] = {"currency": draw(st.sampled_from(["EUR", "JPY", "KWD", "EUR"]))}
    if (d := discount()) is not None:
        header["discount"] = d
    for name, values in (("prepaid", PAID), ("rounding", ROUNDINGS)):
        if draw(st.booleans()):
            header[name] = draw(values)
    ids = [line["id"] for line in lines]
    rows = [adjustment_row(draw, index, ids) for index in range(draw(st.integers(0, 5)))]
    return {"invoice": header, "lines": lines, "adjustments": rows}


# 30 batches of 20 to 40 drafts: some 900 documents, about half a minute (one node process each).
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(drafts(), min_size=20, max_size=40))
def test_hypothesis_drafts_with_categories_exemptions_units_and_adjustments_agree(
    cli: str, documents: list[dict[str, Any]]
) -> None:
    # One node process per batch: hypothesis draws the batch, so it also shrinks a failing one.
    browser = browser_evaluate(cli, documents)
    for document, result in zip(documents, browser, strict=True):
        assert comparable(result) == server_evaluate(document), json.dumps(document)
