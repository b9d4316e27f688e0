"""Request and response bodies of the payment routes: the source of their OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from server.core.api import InvoiceStatus, Model, Timestamp

Kind = Literal["payment", "refund"]
Method = Literal["transfer", "card", "cheque", "cash", "direct_debit", "other"]
Money = Annotated[str, Field(description="a decimal string in the invoice's currency")]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, max_length=140)]


class NewPayment(Model):
    kind: Kind = Field(
        "payment",
        description="a payment received, or a refund paid back (tied to a credit note)",
    )
    amount: str = Field(
        description="above zero, a decimal string with at most the currency's minor units "
        '("120.50" in EUR, "1500" in JPY); anything else is a 422',
        examples=["120.50"],
    )
    date: dt.date = Field(description="when the money moved (ISO 8601)")
    method: Method
    reference: Reference | None = Field(
        None, description="the bank's or the customer's reference, up to 140 characters"
    )
    credit_note_id: str | None = Field(
        None,
        max_length=36,
        description="refunds only, and required for them: the issued credit note of this "
        "invoice the refund pays back",
    )

    @model_validator(mode="after")
    def _refund_names_its_credit_note(self) -> Self:
        if self.kind == "refund" and not self.credit_note_id:
            raise ValueError("a refund names the credit note it pays back: `credit_note_id`")
        if self.kind == "payment" and self.credit_note_id:
            raise ValueError("`credit_note_id` is for refunds only")
        return self


class PaymentModel(BaseModel):
    id: str
    invoice_id: str
    kind: Kind
    amount: Money
    currency: str
    date: str = Field(description="ISO 8601 date")
    method: Method
    reference: str | None
    credit_note_id: str | None = Field(description="the credit note a refund pays back")
    recorded_by: str | None = Field(description="a user id; null: recorded by the system")
    recorded_at: Timestamp


class BalanceModel(BaseModel):
    """An issued invoice's balance, every amount a decimal string in its currency."""

    currency: str
    due: Money = Field(
        description="what the customer must pay: the invoice's amount due (gross - prepaid + "
        "rounding) less its issued credit notes, never below zero"
    )
    credited: Money = Field(description="the gross of its issued credit notes")
    paid: Money = Field(description="payments less refunds")
    refunded: Money = Field(description="the refunds")
    outstanding: Money = Field(description="due - paid, never below zero")
    overpaid: Money = Field(description="paid - due when more was paid than due, else zero")


class InvoiceBalance(BalanceModel):
    status: InvoiceStatus = Field(description="the invoice's status after this recording")


class RecordedPayment(PaymentModel):
    """The payment just recorded, with the invoice's new status and balance."""

    invoice: InvoiceBalance


class PaymentList(BaseModel):
    invoice_id: str
    status: InvoiceStatus
    balance: BalanceModel | None = Field(description="null until the invoice is issued")
    items: list[PaymentModel] = Field(description="by date, then in the order recorded")


class ReceivablesQuery(Model):
    org: Annotated[str | None, Field(max_length=36, description="when the caller has several")] = (
        None
    )


class CustomerOwed(BaseModel):
    customer: str = Field(description="the name on its invoices")
    vat_id: str | None = Field(description="grouped by VAT id when the invoices carry one")
    currency: str
    outstanding: Money = Field(description="what its issued invoices still ask for")
    overdue: Money = Field(description="the part of `outstanding` past its due date")
    invoices: int = Field(description="invoices with something outstanding")
    overdue_invoices: int


class Receivables(BaseModel):
    org_id: str
    as_of: str = Field(description="the day (UTC) overdue is judged on")
    customers: list[CustomerOwed] = Field(
        description="one row per customer and currency, the most outstanding first"
    )
