"""Request and response bodies of the catalogue: customers and items of an organization."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.core.api import Model


def _text(max_length: int) -> object:
    return StringConstraints(strip_whitespace=True, max_length=max_length)


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text200 = Annotated[str, _text(200)]
Org = Annotated[str | None, Field(max_length=36, description="when the caller has several")]
Importance = Annotated[
    Literal["normal", "important", "key"],
    Field(description="weighs in the board's priority (docs/board.md)"),
]


class CustomerFields(Model):
    external_id: (
        Annotated[
            str,
            _text(100),
            Field(
                description="the customer's key in the CRM, unique in the organization; "
                "empty to remove it"
            ),
        ]
        | None
    ) = None
    email: Annotated[str, _text(320)] | None = None
    vat_id: Annotated[str, _text(20), Field(description="EU VAT number")] | None = None
    siren: Annotated[str, _text(20), Field(description="SIREN or SIRET")] | None = None
    line1: Text200 | None = None
    line2: Text200 | None = None
    postcode: Annotated[str, _text(20)] | None = None
    city: Text200 | None = None
    country: Annotated[str, _text(2), Field(description="ISO 3166 alpha-2")] | None = None
    importance: Importance | None = None


class CustomerCreate(CustomerFields):
    org: Org = None
    name: Name


class CustomerPatch(CustomerFields):
    name: Name | None = None


class ItemFields(Model):
    description: Annotated[str, _text(5000)] | None = None
    unit: Annotated[str, _text(3), Field(description="UN/ECE rec. 20 code")] | None = None


Price = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Rate = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]


class ItemCreate(ItemFields):
    org: Org = None
    name: Name
    unit_price: Annotated[Price, Field(examples=["120.00"])]
    tax_rate: Annotated[Rate, Field(description="percent", examples=["20"])]


class ItemPatch(ItemFields):
    name: Name | None = None
    unit_price: Price | None = None
    tax_rate: Rate | None = None


class Record(BaseModel):
    id: str
    org_id: str
    created_at: Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Customer(Record):
    name: str
    external_id: str | None
    email: str
    vat_id: str
    siren: str
    line1: str
    line2: str
    postcode: str
    city: str
    country: str
    importance: Importance


class Item(Record):
    name: str
    description: str
    unit: str
    unit_price: str
    tax_rate: str


class Customers(BaseModel):
    items: list[Customer]


class Items(BaseModel):
    items: list[Item]


class CatalogQuery(Model):
    q: Annotated[str | None, Field(max_length=200, description="text in the name")] = None
    org: Annotated[str | None, Field(max_length=36, description="one organization only")] = None
