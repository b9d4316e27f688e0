"""Request and response bodies of the chart of accounts and the accounting exports: the
source of their OpenAPI. Account numbers, journal codes and labels are checked here, so that
nothing stored can break the FEC's fields (no separator, no control character)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from collab.invoice.ledger import DEFAULT_CHART
from server.core.api import Model

AccountNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{3}[0-9A-Za-z]{0,17}$"),
    Field(
        description="a general account: its first three characters digits of the French "
        "chart of accounts (A47 A-1), then up to 17 letters or digits",
        examples=["706200"],
    ),
]
Label = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f-\x9f|]+$"
    ),
    Field(description="1 to 100 characters, no control character or `|`"),
]
JournalCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{1,8}$"),
    Field(description="1 to 8 capital letters or digits", examples=["VE"]),
]
Category = Literal["S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"]
Rate = Annotated[
    str | None,
    Field(
        pattern=r"^\d{1,3}(\.\d{1,3})?$",
        description="a VAT rate in percent (`20`, `5.5`); null: every rate of the category",
    ),
]


class SalesRuleModel(Model):
    category: Category = Field(description="EN 16931 VAT category code (BT-151)")
    rate: Rate = None
    sales_account: AccountNumber
    sales_label: Label
    vat_account: AccountNumber | Literal[""] = Field(
        "", description="VAT collected; empty: no VAT (or the chart's default VAT account)"
    )
    vat_label: Label | Literal[""] = ""


class ChartModel(Model):
    customer_account: AccountNumber
    customer_label: Label
    bank_account: AccountNumber
    bank_label: Label
    sales_journal: JournalCode
    sales_journal_label: Label
    bank_journal: JournalCode
    bank_journal_label: Label
    sales_account: AccountNumber = Field(description="sales no rule names")
    sales_label: Label
    vat_account: AccountNumber = Field(description="VAT collected no rule names")
    vat_label: Label
    # Added after the first charts were saved: a body (or a stored chart) without them keeps
    # the defaults.
    advances_account: AccountNumber = Field(
        DEFAULT_CHART.advances_account, description="what was paid in advance (BT-113)"
    )
    advances_label: Label = DEFAULT_CHART.advances_label
    rounding_income_account: AccountNumber = Field(
        DEFAULT_CHART.rounding_income_account,
        description="a rounding amount (BT-114) that adds to what is due",
    )
    rounding_income_label: Label = DEFAULT_CHART.rounding_income_label
    rounding_charge_account: AccountNumber = Field(
        DEFAULT_CHART.rounding_charge_account,
        description="a rounding amount (BT-114) that takes from what is due",
    )
    rounding_charge_label: Label = DEFAULT_CHART.rounding_charge_label
    rules: list[SalesRuleModel] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _distinct(self) -> ChartModel:
        seen: set[tuple[str, Decimal | None]] = set()
        for rule in self.rules:
            key = (rule.category, None if rule.rate is None else Decimal(rule.rate))
            if key in seen:
                raise ValueError(f"two rules for {rule.category} {rule.rate or 'every rate'}")
            seen.add(key)
        if self.sales_journal == self.bank_journal:
            raise ValueError("the sales and bank journals need different codes")
        return self


class ChartAnswer(BaseModel):
    chart: ChartModel = Field(description="what the exports use")
    defaults: ChartModel = Field(description="a French SME's chart, used until one is saved")
    customized: bool = Field(description="false: `chart` is the defaults")
    updated_at: str | None = Field(None, json_schema_extra={"format": "date-time"})


class JournalQuery(Model):
    from_: dt.date = Field(alias="from", description="first day, included")
    to: dt.date = Field(description="last day, included (the FEC's closing date)")


class FecQuery(JournalQuery):
    separator: Literal["pipe", "tab"] = Field("pipe", description="the field separator")


class ExportSummary(BaseModel):
    """What a download holds, answered instead of the file to `Accept: application/json`."""

    format: Literal["fec", "csv"]
    file_name: str
    media_type: str
    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})
    entries: int
    lines: int
    debit: str = Field(description="total of the debits, a decimal string")
    credit: str = Field(description="total of the credits (equal to the debits)")
    currencies: list[str] = Field(description="the currencies of the entries")
    lettered: int = Field(
        description="entries whose customer line is lettered: its invoice settled in the file"
    )
    sha256: str = Field(description="of the file's bytes, as audited")
