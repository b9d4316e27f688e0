"""Queries, bodies and answers of the reconciliation routes: the source of their OpenAPI. The
import's request body is the statement file itself, described in routes.py."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from server.core.api import InvoiceStatus, Model, Timestamp

Column = Annotated[str, Field(min_length=1, max_length=100)]
Money = Annotated[str, Field(description="a decimal string in `currency`")]
State = Literal["open", "matched", "ignored"]
Verdict = Literal["exact", "partial", "over", "ambiguous", "unknown"]


class ImportQuery(Model):
    """How to read the body: camt.053 XML by default; CSV with its columns named by their
    header (`date` and `amount` required)."""

    format: Literal["camt.053", "csv"] = Field("camt.053", description="the body's format")
    date: Column | None = Field(None, description="CSV: the booking date's column")
    amount: Column | None = Field(
        None, description="CSV: the amount's column (positive: a credit; negative: skipped)"
    )
    reference: Column | None = Field(None, description="CSV: the remittance text's column")
    name: Column | None = Field(None, description="CSV: the payer's name's column")
    bank_reference: Column | None = Field(
        None, description="CSV: the bank's id of the entry (de-duplicates overlapping imports)"
    )
    currency_column: Column | None = Field(None, description="CSV: a currency column, if any")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = Field(
        "EUR", description="CSV: the amounts' currency when no column says it"
    )
    decimal: Literal[".", ","] = Field(".", description="CSV: the decimal separator")
    delimiter: Literal[",", ";", "\t", "|"] = Field(",", description="CSV: the field separator")

    @model_validator(mode="after")
    def _csv_needs_columns(self) -> Self:
        if self.format == "csv" and (self.date is None or self.amount is None):
            raise ValueError("a CSV statement needs its `date` and `amount` columns")
        if self.format == "csv" and self.decimal == self.delimiter:
            raise ValueError("`decimal` and `delimiter` must differ")
        return self


class Confirmation(Model):
    invoice_id: Annotated[str, Field(max_length=36)] = Field(
        description="the invoice the credit pays: an issued invoice of the line's organization, "
        "in its currency (usually one of the line's suggestions)"
    )


class SuggestionModel(BaseModel):
    invoice_id: str
    number: str
    customer: str
    outstanding: Money = Field(description="what the invoice still asks for")
    currency: str
    rf_reference: str | None = Field(description="the RF creditor reference printed on it")
    basis: Literal["reference", "number", "amount_and_name"] = Field(
        description="why it is suggested, in the order the rules are tried"
    )


class LineModel(BaseModel):
    id: str
    statement_id: str = Field(description="the import that brought it first")
    booking_date: str = Field(description="ISO 8601 date")
    amount: Money
    currency: str
    reference: str | None = Field(
        description="the structured reference (CdtrRefInf/Ref) if any, else the free text"
    )
    structured: bool
    debtor: str | None = Field(description="the payer's name as the bank gives it")
    bank_reference: str | None = Field(description="the bank's id of the entry (AcctSvcrRef)")
    state: State
    invoice_id: str | None = Field(description="matched: the invoice it paid")
    payment_id: str | None = Field(description="matched: the payment recorded")
    decided_by: str | None
    decided_at: Timestamp | None
    match: Verdict | None = Field(description="open lines: how sure the suggestions are")
    suggestions: list[SuggestionModel] = Field(description="open lines: candidate invoices")


class LineCounts(BaseModel):
    open: int
    matched: int
    ignored: int


class StatementSummary(BaseModel):
    id: str
    org_id: str
    format: Literal["camt.053", "csv"]
    bank_id: str | None = Field(description="the statement's own id (camt.053 Stmt/Id)")
    account: str | None = Field(description="the account's IBAN (camt.053)")
    added: int = Field(description="credits new to the organization")
    known: int = Field(description="credits already imported (not added again)")
    debits: int = Field(description="debits, reversals and pending entries, skipped")
    imported_by: str
    imported_at: Timestamp
    counts: LineCounts = Field(description="the lines this import brought, by state")


class StatementWithLines(StatementSummary):
    """An import and the lines it brought, in the statement's order."""

    lines: list[LineModel]


class Statements(BaseModel):
    org_id: str
    statements: list[StatementSummary] = Field(description="the imports, newest first")
    open_lines: list[LineModel] = Field(
        description="every line still to confirm or ignore, by date, with its suggestions"
    )


class PaymentBalance(BaseModel):
    status: InvoiceStatus
    currency: str
    due: Money
    paid: Money
    outstanding: Money
    overpaid: Money


class RecordedPayment(BaseModel):
    id: str
    invoice_id: str
    amount: Money
    currency: str
    date: str
    method: Literal["transfer"]
    reference: str | None
    invoice: PaymentBalance


class ConfirmedLine(LineModel):
    payment: RecordedPayment = Field(description="the payment recorded on the invoice")
