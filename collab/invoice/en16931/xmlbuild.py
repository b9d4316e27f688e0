"""What the CII and UBL writers share: building lxml elements in document order, and printing
decimals and dates the way both syntaxes want them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

Element = Any  # an lxml element; lxml has no stubs we depend on


def qualify(namespaces: dict[str, str], name: str) -> str:
    """`"ram:ID"` as lxml's Clark notation `"{urn:...}ID"`."""
    prefix, _, local = name.partition(":")
    return f"{{{namespaces[prefix]}}}{local}"


class Builder:
    """Appends elements named with the prefixes of one namespace map; the namespace of
    `default` (a prefix) is written as the default namespace, without a prefix."""

    def __init__(self, namespaces: dict[str, str], default: str | None = None) -> None:
        self.namespaces = namespaces
        self.nsmap = {(None if p == default else p): uri for p, uri in namespaces.items()}

    def root(self, name: str) -> Element:
        return etree.Element(qualify(self.namespaces, name), nsmap=self.nsmap)

    def add(
        self, parent: Element, name: str, text: str | None = None, **attributes: str
    ) -> Element:
        element = etree.SubElement(parent, qualify(self.namespaces, name))
        if text is not None:
            element.text = text
        for key, value in attributes.items():
            element.set(key, value)
        return element

    def add_if(self, parent: Element, name: str, text: str, **attributes: str) -> Element | None:
        """The element only when `text` is not empty (optional business terms are omitted)."""
        return self.add(parent, name, text, **attributes) if text else None


def amount(value: Decimal) -> str:
    """An amount as the engine rounded it: "90.75", JPY "1200"; never an exponent."""
    return format(value, "f")


def number(value: Decimal) -> str:
    """A quantity, price or percent without trailing zeros: "3", "5.5", "0.125"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def serialize(root: Element) -> bytes:
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return result


def compact_date(value: date) -> str:
    """UNTDID 2379 format 102 (CII): CCYYMMDD."""
    return value.strftime("%Y%m%d")
