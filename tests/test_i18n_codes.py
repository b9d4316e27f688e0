"""Every validation code the server can send has a message in both of the browser's languages.

The browser shows a validation message by its `code` (`issue_<code>` in web/src/i18n/en.ts and
fr.ts) and falls back to the server's English text, so a code without a key is English in the
French UI. The codes are found in the source of collab.invoice.validation and the collab.invoice
modules it imports (so a new code fails here until it is translated), and the walk is checked
against what validation really emits on documents made to trigger each code.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collab.invoice.validation import evaluate

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "web" / "src" / "i18n"
# Each language's table is split by area (en.ts assembles en-editor.ts, en-admin.ts, ...).
LOCALES = {name: [I18N / f"{name}.ts", *sorted(I18N.glob(f"{name}-*.ts"))] for name in ("en", "fr")}


def _text(paths: list[Path]) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


CODE = re.compile(r"[a-z][a-z0-9_]*")
# Codes of errors that never reach a person: a caller passing a float or another type instead
# of a decimal string, a line or discount object of the wrong kind. The document is JSON read
# from Yjs, so validation hands the engine strings and its own objects only.
PROGRAMMING_ERRORS = {"float", "not_decimal", "not_a_line", "not_a_discount"}


def _modules(start: str) -> dict[str, ast.Module]:
    """`start` and the collab.invoice modules it imports, transitively, parsed."""
    found: dict[str, ast.Module] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        found[name] = tree
        for node in ast.walk(tree):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("collab.invoice"):
                todo.append(module)
    return found


def _strings(node: ast.expr | None) -> Iterator[str]:
    """The string constants an expression can evaluate to (through `a if c else b`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def source_codes() -> set[str]:
    """The codes written in the source, in the three shapes the modules use:
    `Issue(path, "code", message)`, `SomeError(..., code="code")` (or `code=helper(...)`, whose
    returned constants count), and `return message, "code"` (decimals' diagnosis)."""
    trees = _modules("collab.invoice.validation")
    functions = {
        node.name: node
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    codes: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                callee = node.func.id if isinstance(node.func, ast.Name) else None
                if callee == "Issue" and len(node.args) >= 2:
                    codes.update(_strings(node.args[1]))
                for keyword in node.keywords:
                    if keyword.arg != "code":
                        continue
                    codes.update(_strings(keyword.value))
                    helper = keyword.value
                    if isinstance(helper, ast.Call) and isinstance(helper.func, ast.Name):
                        for inner in ast.walk(functions[helper.func.id]):
                            if isinstance(inner, ast.Return):
                                codes.update(_strings(inner.value))
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                items = node.value.elts
                if len(items) == 2 and isinstance(items[0], ast.Constant | ast.JoinedStr):
                    codes.update(c for c in _strings(items[1]) if CODE.fullmatch(c))
    return {code for code in codes if CODE.fullmatch(code)}


def locale_keys(paths: list[Path]) -> set[str]:
    return set(re.findall(r"^\s*issue_([a-z0-9_]+):", _text(paths), re.M))


# -- documents that make validation emit each code it can ---------------------------------------


def _line(**fields: Any) -> dict[str, Any]:
    return {"id": "x", "quantity": "1", "unit_price": "10", "tax_rate": "20", **fields}


def _doc(header: dict[str, Any] | None = None, *lines: dict[str, Any]) -> dict[str, Any]:
    return {"invoice": {"currency": "EUR", **(header or {})}, "lines": list(lines)}


TRIGGERS: list[dict[str, Any]] = [
    _doc({}, _line(quantity="")),  # required
    _doc({}, _line(quantity="1e3")),  # exponent
    _doc({}, _line(quantity="+1")),  # plus_sign
    _doc({}, _line(quantity=" 1")),  # whitespace
    _doc({}, _line(quantity="1,5")),  # separator
    _doc({}, _line(quantity="1.")),  # incomplete
    _doc({}, _line(quantity="abc")),  # syntax
    _doc({}, _line(quantity="NaN")),  # not_finite
    _doc({}, _line(quantity="1" * 41)),  # too_long
    _doc({}, _line(quantity="1" * 30)),  # too_large
    _doc({}, _line(unit_price="-1")),  # negative
    _doc({}, _line(unit_price="1.0000000000001")),  # too_precise
    _doc({}, _line(tax_rate="101")),  # out_of_range
    _doc({}, _line(tax_rate="19.7")),  # unknown_tax_rate
    _doc({}, _line(unit="QQQ")),  # unknown_unit
    _doc({}, _line(tax_category="Q")),  # unknown_category
    _doc({"currency": "ABC"}),  # unknown_currency
    _doc({"issue_date": "2026-02-30", "due_date": "tomorrow"}),  # invalid_date
    _doc({"issue_date": "2026-03-02", "due_date": "2026-03-01"}),  # due_before_issue
    _doc({"operations": "things"}),  # invalid_operations
    _doc(
        {
            "customer": {
                "email": "nobody",
                "vat_id": "FR00000000000",
                "siren": "123",
                "address": {"country": "XX"},
            }
        }
    ),  # invalid_email, invalid_vat_id, invalid_siren, invalid_country
    _doc({"customer": {"vat_id": "FR40303265045", "address": {"country": "FR"}}}),
    _doc({}, _line(discount={"kind": "amount", "value": "50"})),  # discount_exceeds_base
    _doc({}, _line(discount={"kind": "share", "value": "5"})),  # invalid_kind
    _doc({}, _line(tax_category="S", tax_rate="0")),  # rate_not_allowed
    _doc({}, _line(tax_category="E", tax_rate="0")),  # exemption_missing
    _doc({}, _line(tax_category="E", tax_rate="0", exemption_code="VATEX-XX")),
    _doc(
        {},
        _line(tax_category="E", tax_rate="0", exemption_code="VATEX-EU-132-1I"),
        {**_line(tax_category="E", tax_rate="0", exemption_code="VATEX-EU-143"), "id": "y"},
    ),  # exemption_conflict
    _doc({"prepaid": "1e2", "rounding": "5"}),
]


def emitted_codes() -> set[str]:
    return {issue.code for doc in TRIGGERS for issue in evaluate(doc).issues}


def test_the_walk_finds_every_code_validation_emits() -> None:
    emitted = emitted_codes()
    assert emitted <= source_codes(), emitted - source_codes()
    # The triggers reach most codes (the rest: programming errors, "empty" that validation
    # reports as "required", and codes of fields added since): the walk is not reading noise.
    assert len(emitted) >= 28, sorted(emitted)
    assert not emitted & PROGRAMMING_ERRORS


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_every_code_has_a_message_in_each_language(language: str) -> None:
    missing = sorted(source_codes() - locale_keys(LOCALES[language]))
    assert not missing, f"add issue_<code> keys to web/src/i18n/{language}-editor.ts: {missing}"


def test_parameters_agree_between_languages() -> None:
    """A message that shows a value (`{value}`) names the same values in both languages."""

    def placeholders(paths: list[Path]) -> dict[str, set[str]]:
        text = _text(paths)
        found = re.findall(r"^\s*issue_([a-z0-9_]+):\s*(['\"])(.*?)\2,?\s*$", text, re.M)
        return {key: set(re.findall(r"\{(\w+)\}", message)) for key, _, message in found}

    english, french = (placeholders(LOCALES[name]) for name in ("en", "fr"))
    assert english.keys() == french.keys()
    assert {k: v for k, v in english.items() if french[k] != v} == {}
