"""Request and response bodies of the seller profile and the number series.

Identifiers are checked here with python-stdnum (SIREN/SIRET, EU VAT, IBAN, BIC) and stored in
their compact form, so a bad one is a 400 naming its field (`siren`, `address.country`)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from collab.invoice.currencies import MINOR_UNITS
from collab.invoice.numbering import Reset, check_pattern, check_reset
from server.core.api import Model


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Required = Annotated[str, _text(1, 200)]
Optional200 = Annotated[str, _text(0, 200)]
Identifier = Annotated[str, _text(1, 40)]
Rate = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{1,3}(\.\d{1,4})?$"),
    Field(description="percent per year, a decimal string", examples=["12.15"]),
]
Amount = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{1,7}(\.\d{1,2})?$"),
    Field(description="a decimal string, in the profile's currency", examples=["40.00"]),
]


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


class Address(Model):
    line1: Required
    line2: Optional200 = ""
    postcode: Annotated[str, _text(1, 20)]
    city: Required
    country: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{2}$"),
        Field(description="ISO 3166 alpha-2", examples=["FR"]),
    ]


class LegalMentions(Model):
    """What French invoices must state about payment (Code de commerce L441-10); every field is
    optional on its own, `issue_ready` says which ones issuing needs."""

    late_payment_rate: Rate | None = None
    recovery_indemnity: Amount | None = Field(
        default=None, description="the fixed recovery indemnity (40 EUR between French businesses)"
    )
    early_payment_discount: Annotated[str, _text(1, 500)] | None = Field(
        default=None, examples=["Pas d'escompte pour paiement anticipé"]
    )
    text: Annotated[str, _text(1, 2000)] | None = Field(default=None, description="free text")


class ProfileIn(Model):
    legal_name: Required
    address: Address
    siren: Annotated[Identifier, Field(description="SIREN (9 digits) or SIRET (14)")]
    vat_id: Annotated[Identifier, Field(description="EU VAT number", examples=["FR40303265045"])]
    iban: Identifier
    bic: Identifier
    legal_mentions: LegalMentions | None = None
    currency: Annotated[str, Field(description="ISO 4217 default currency")] = "EUR"
    payment_terms: Annotated[str, _text(0, 500)] = ""
    payment_days: Annotated[int, Field(ge=0, le=365, description="days to the due date")] = 30
    vat_on_debits: bool = Field(
        default=False,
        description="the seller opted to pay VAT on debits (stated on French invoices)",
    )

    @field_validator("siren")
    @classmethod
    def _siren(cls, value: str) -> str:
        number = _compact(value)
        valid = stdnum_siren.is_valid(number) if len(number) == 9 else stdnum_siret.is_valid(number)
        if not valid:
            raise ValueError(f"{value!r} is not a valid SIREN or SIRET")
        return number

    @field_validator("vat_id")
    @classmethod
    def _vat_id(cls, value: str, info: ValidationInfo) -> str:
        number = _compact(value)
        if not stdnum_vat.is_valid(number):
            raise ValueError(f"{value!r} is not a valid EU VAT number")
        siren = info.data.get("siren")
        if number.startswith("FR") and siren and number[4:] != siren[:9]:
            raise ValueError(f"{value!r} is not the VAT number of SIREN {siren[:9]}")
        return number

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        number = _compact(value)
        if not stdnum_iban.is_valid(number):
            raise ValueError(f"{value!r} is not a valid IBAN")
        return number

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str) -> str:
        number = _compact(value)
        if not stdnum_bic.is_valid(number):
            raise ValueError(f"{value!r} is not a valid BIC")
        return number

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value not in MINOR_UNITS:
            raise ValueError(f"{value!r} is not an ISO 4217 currency Cofacture invoices in")
        return value


class AddressOut(BaseModel):
    line1: str
    line2: str
    postcode: str
    city: str
    country: str


class LegalMentionsOut(BaseModel):
    late_payment_rate: str | None = None
    recovery_indemnity: str | None = None
    early_payment_discount: str | None = None
    text: str | None = None


class Profile(BaseModel):
    legal_name: str
    address: AddressOut
    siren: str
    vat_id: str
    iban: str
    bic: str
    legal_mentions: LegalMentionsOut
    currency: str
    payment_terms: str
    payment_days: int
    vat_on_debits: bool
    missing: list[str] = Field(description="what issuing still needs (field paths); empty: ready")


Kind = Literal["invoice", "credit_note"]
ResetName = Literal["never", "yearly"]


class SeriesIn(Model):
    kind: Kind
    pattern: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
        Field(
            description="literal text and {YYYY} {MM} {SEQ} {SEQ:n}", examples=["F{YYYY}-{SEQ:6}"]
        ),
    ]
    reset: Annotated[ResetName, Field(validate_default=True)] = "yearly"
    next_value: Annotated[int | None, Field(ge=1, le=10**12)] = Field(
        default=None, description="start the counter here (never lower than it is)"
    )
    year: Annotated[int | None, Field(ge=2000, le=9999)] = Field(
        default=None, description="the year `next_value` counts in (yearly series; default now)"
    )

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        problem = check_pattern(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("reset")
    @classmethod
    def _reset(cls, value: str, info: ValidationInfo) -> str:
        pattern = info.data.get("pattern")
        problem = check_reset(pattern, Reset(value)) if pattern else None
        if problem is not None:
            raise ValueError(problem)
        return value


class SeriesUpdate(Model):
    items: Annotated[list[SeriesIn], Field(min_length=1, max_length=2)]


class Series(BaseModel):
    kind: str
    pattern: str
    reset: str
    year: int = Field(description="the counter's year (0 for a series that never resets)")
    next_value: int
    next_number: str | None = Field(description="the number the next issue today would take")
    configured: bool = Field(description="false: the defaults, not stored yet")


class SeriesList(BaseModel):
    items: list[Series]


class BrandingModel(Model):
    """The colour and logo of the organization's PDFs (GET and PUT alike)."""

    color: Annotated[
        str | None,
        StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^#[0-9a-fA-F]{6}$"),
        Field(description="#rrggbb; null: the templates' colour", examples=["#1a5fb4"]),
    ] = None
    logo: Annotated[
        str | None,
        Field(
            max_length=60_000,
            description="a PNG or JPEG as a data URI (data:image/png;base64,...), at most "
            "40,000 bytes once decoded; null: none",
        ),
    ] = None
