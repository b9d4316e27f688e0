"""The reconciliation endpoints, thin handlers over the service; the import's body is the
statement file."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.reconciliation import service as reconciliation
from server.reconciliation.schemas import (
    Confirmation,
    ConfirmedLine,
    ImportQuery,
    LineModel,
    Statements,
    StatementWithLines,
)

router = APIRouter(tags=["reconciliation"], responses=errors(401))

IMPORT_PATH: Final = "/api/orgs/{org}/statements"
# This route's own body limit (server/core/body_limit.py, matched by template), given to the
# middleware by app.py: every other route keeps the 64 KiB one.
BODY_LIMITS: Final = {("POST", IMPORT_PATH): reconciliation.MAX_BYTES}

_FILE: Final = {
    "required": True,
    "description": "The statement: ISO 20022 camt.053 XML (BankToCustomerStatement, "
    "camt.053.001.02 to .08), or with `format=csv` a CSV export whose first row names the "
    f"columns. At most {reconciliation.MAX_BYTES} bytes; a DTD is refused.",
    "content": {
        "application/xml": {"schema": {"type": "string"}},
        "text/xml": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
    },
}


@router.post(
    IMPORT_PATH,
    status_code=201,
    response_model=StatementWithLines,
    responses=errors(400, 403, 404, 413),
    summary="Import a bank statement (camt.053 or CSV): its credits become lines to match",
    description=(
        "Accountants and admins (`payment.manage`). Each credit is kept once per organization "
        "(by the bank's entry reference, else a hash of date, amount, reference, name and "
        "position): importing a statement again adds nothing. Debits are skipped. Each open "
        "line comes with suggestions (docs/reconciliation.md). 400 `malformed_xml`, "
        "`dtd_not_allowed`, `not_a_statement`, `bad_entry`, `bad_mapping`. Audited."
    ),
    openapi_extra={"requestBody": _FILE},
)
async def import_statement(
    caller: Caller, ctx: Ctx, org: str, request: Request, query: Annotated[ImportQuery, Query()]
) -> Any:
    mapping = None
    if query.format == "csv":
        assert query.date is not None and query.amount is not None  # the query's validator
        mapping = reconciliation.Mapping(
            date=query.date,
            amount=query.amount,
            reference=query.reference,
            name=query.name,
            bank_reference=query.bank_reference,
            currency_column=query.currency_column,
            currency=query.currency,
            decimal=query.decimal,
            delimiter=query.delimiter,
        )
    upload = reconciliation.Upload(format=query.format, body=await request.body(), mapping=mapping)
    return await reconciliation.import_statement(
        ctx.sessions, user_id=caller.user_id, org_id=org, upload=upload, ip=client_ip(request)
    )


@router.get(
    "/api/orgs/{org}/statements",
    response_model=Statements,
    responses=errors(403, 404),
    summary="The organization's imported statements and every line still to reconcile",
)
async def list_statements(caller: Caller, ctx: Ctx, org: str) -> Any:
    return await reconciliation.statements(ctx.sessions, user_id=caller.user_id, org_id=org)


@router.get(
    "/api/statements/{statement_id}",
    response_model=StatementWithLines,
    responses=errors(403, 404),
    summary="One imported statement with its lines, their state and suggestions",
)
async def read_statement(caller: Caller, ctx: Ctx, statement_id: str) -> Any:
    return await reconciliation.statement(
        ctx.sessions, user_id=caller.user_id, statement_id=statement_id
    )


@router.post(
    "/api/statements/lines/{line_id}/confirm",
    response_model=ConfirmedLine,
    responses=errors(400, 403, 404, 409, 422),
    summary="Record a line's credit as a payment of an invoice and mark the line matched",
    description=(
        "The payment is recorded as any other (by transfer, on the line's booking date, for "
        "its amount, the bank's reference as its reference): the invoice becomes "
        "`partially_paid` or `paid`. A line is matched once: 409 `already_matched`, also for "
        "the loser of two confirmations at once. 409 `currency_mismatch`, and the payments' "
        "`not_issued` / `not_an_invoice`. An invoice of another organization is a 404. Audited."
    ),
)
async def confirm_line(
    caller: Caller, ctx: Ctx, line_id: str, body: Confirmation, request: Request
) -> Any:
    return await reconciliation.confirm(
        ctx.sessions,
        user_id=caller.user_id,
        line_id=line_id,
        invoice_id=body.invoice_id,
        ip=client_ip(request),
    )


@router.post(
    "/api/statements/lines/{line_id}/ignore",
    response_model=LineModel,
    responses=errors(403, 404, 409),
    summary="Set aside a line that pays no invoice (409 `already_matched` once matched)",
)
async def ignore_line(caller: Caller, ctx: Ctx, line_id: str, request: Request) -> Any:
    return await reconciliation.ignore(
        ctx.sessions, user_id=caller.user_id, line_id=line_id, ip=client_ip(request)
    )
