"""The rules of payments without a server: reading an amount (every accepted amount round-trips
exactly through its text and through both databases), the balance and the status it gives.
The end-to-end cases are in tests/test_payments_api.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from collab.invoice.decimals import MAX_MAGNITUDE
from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from server.payments.models import Payment
from server.payments.rules import (
    AmountError,
    Balance,
    owed,
    parse_amount,
    places_of,
    status_after,
    text,
)
from tests.databases import KINDS, migrated_database

CURRENCIES = ("EUR", "JPY", "KWD", "CLF")  # 2, 0, 3 and 4 minor units


def test_minor_units() -> None:
    assert [places_of(c) for c in CURRENCIES] == [2, 0, 3, 4]
    assert places_of("XXX") == 2  # never on an issued invoice: counted in cents


@pytest.mark.parametrize(
    ("typed", "currency", "stored"),
    [
        ("162.00", "EUR", "162.00"),
        ("80", "EUR", "80.00"),
        ("0.5", "EUR", "0.50"),
        ("00012.30", "EUR", "12.30"),
        ("1500", "JPY", "1500"),
        ("1500.000", "JPY", "1500"),  # zeros are not precision
        ("1.125", "KWD", "1.125"),
        ("999999999999999.99", "EUR", "999999999999999.99"),
    ],
)
def test_accepted_amounts(typed: str, currency: str, stored: str) -> None:
    assert text(parse_amount(typed, currency), currency) == stored


@pytest.mark.parametrize(
    ("typed", "currency", "code"),
    [
        ("0", "EUR", "not_positive"),
        ("-0", "EUR", "not_positive"),
        ("-12.00", "EUR", "not_positive"),
        ("0.001", "EUR", "too_precise"),
        ("1.5", "JPY", "too_precise"),
        ("1.1255", "KWD", "too_precise"),
        ("1000000000000000", "EUR", "too_large"),
        ("1e3", "EUR", "exponent"),
        ("12,50", "EUR", "separator"),
        ("NaN", "EUR", "not_finite"),
        ("", "EUR", "empty"),
        ("9" * 1000, "EUR", "too_long"),
        ("²", "EUR", "syntax"),
    ],
)
def test_refused_amounts(typed: str, currency: str, code: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency)
    assert refused.value.code == code
    assert refused.value.message.startswith("`amount`")


@pytest.mark.parametrize("value", [12.5, 12, None, Decimal("12.50"), ["12.50"]])
def test_only_text_is_an_amount(value: object) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(value, "EUR")
    assert refused.value.code == "not_a_string"


def amounts(places: int) -> st.SearchStrategy[Decimal]:
    """Every amount a currency of `places` minor units accepts: above 0, below 10**15."""
    unit = Decimal(1).scaleb(-places)
    top = int(MAX_MAGNITUDE / unit) - 1
    return st.integers(min_value=1, max_value=top).map(lambda n: n * unit)


@given(st.sampled_from(CURRENCIES).flatmap(lambda c: st.tuples(st.just(c), amounts(places_of(c)))))
def test_every_accepted_amount_round_trips_through_its_text(pair: tuple[str, Decimal]) -> None:
    currency, value = pair
    for spelling in (format(value, "f"), text(value, currency)):
        parsed = parse_amount(spelling, currency)
        assert parsed == value
        shown = text(parsed, currency)
        assert Decimal(shown) == value and parse_amount(shown, currency) == value
        assert len(shown.partition(".")[2]) == places_of(currency)


@given(st.text(max_size=60), st.sampled_from(CURRENCIES))
def test_any_text_is_an_amount_or_a_reason(typed: str, currency: str) -> None:
    try:
        value = parse_amount(typed, currency)
    except AmountError as error:
        assert error.code and error.message
        return
    assert Decimal(0) < value < MAX_MAGNITUDE
    assert Decimal(text(value, currency)) == value == Decimal(typed)


# -- the balance and the status ---------------------------------------------------------------


def _balance(due: str, payments: str = "0", refunds: str = "0", credited: str = "0") -> Balance:
    return Balance("EUR", Decimal(due), Decimal(credited), Decimal(payments), Decimal(refunds))


def test_the_balance_of_the_hand_worked_invoice() -> None:
    # gross 189.50 - prepaid 50.00 = 139.50 due; a credit note of 27.50 leaves 112.00.
    assert owed(Decimal("139.50"), []) == Decimal("139.50")
    assert owed(Decimal("139.50"), [Decimal("27.50")]) == Decimal("112.00")
    assert owed(Decimal("20.00"), [Decimal("27.50")]) == 0  # never below zero
    partly = _balance("139.50", payments="100.00")
    assert partly.as_json() == {
        "currency": "EUR",
        "due": "139.50",
        "credited": "0.00",
        "paid": "100.00",
        "refunded": "0.00",
        "outstanding": "39.50",
        "overpaid": "0.00",
    }
    over = _balance("112.00", payments="139.50", credited="27.50")
    assert (over.outstanding, over.overpaid) == (Decimal(0), Decimal("27.50"))
    refunded = _balance("112.00", payments="139.50", refunds="27.50", credited="27.50")
    assert (refunded.paid, refunded.outstanding, refunded.overpaid) == (
        Decimal("112.00"),
        Decimal(0),
        Decimal(0),
    )


@pytest.mark.parametrize(
    ("current", "balance", "status"),
    [
        ("issued", _balance("139.50"), "issued"),
        ("issued", _balance("139.50", payments="0.01"), "partially_paid"),
        ("issued", _balance("139.50", payments="139.49"), "partially_paid"),
        ("partially_paid", _balance("139.50", payments="139.50"), "paid"),
        ("issued", _balance("139.50", payments="500.00"), "paid"),  # an overpayment
        ("paid", _balance("139.50", payments="139.50", refunds="0.01"), "partially_paid"),
        ("paid", _balance("139.50", payments="139.50", refunds="139.50"), "issued"),
        ("issued", _balance("0.00", payments="1.00"), "paid"),  # nothing was due
        ("cancelled", _balance("0.00", payments="9", refunds="9"), "cancelled"),
    ],
)
def test_the_status_follows_what_was_paid(current: str, balance: Balance, status: str) -> None:
    assert status_after(current, balance) == status


# -- storage ----------------------------------------------------------------------------------


@pytest.fixture(params=KINDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with migrated_database(request.param, tmp_path, twice=True) as url:
        yield url


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(CURRENCIES).flatmap(lambda c: st.tuples(st.just(c), amounts(places_of(c)))))
def test_amounts_round_trip_through_the_database(database: str, pair: tuple[str, Decimal]) -> None:
    """What the API answers (`text`) is what the column holds and gives back, on SQLite and on
    PostgreSQL, migrated twice (0017 is idempotent like the others)."""
    currency, value = pair
    assert asyncio.run(_store_and_read(database, currency, value)) == text(value, currency)


# Per database URL: the organization, user and invoice the examples' payments belong to (a
# user costs an argon2 hash: made once, not per example).
_OWNERS: dict[str, tuple[str, str, str]] = {}


async def _owners(url: str) -> tuple[str, str, str]:
    if url not in _OWNERS:
        engine = create_engine(url)
        try:
            async with sessions(engine).begin() as db:
                org = await accounts.create_org(db, name="Acme")
                user = await accounts.create_user(
                    db,
                    org=org,
                    email="ed@acme.test",
                    password="correct horse",
                    role=Role.EDITOR,
                )
                invoice = await invoices.create_invoice(db, user_id=user.id, org_id=None)
        finally:
            await engine.dispose()
        _OWNERS[url] = (org.id, user.id, invoice.id)
    return _OWNERS[url]


async def _store_and_read(url: str, currency: str, value: Decimal) -> str:
    org_id, user_id, invoice_id = await _owners(url)
    engine = create_engine(url)
    try:
        async with sessions(engine).begin() as db:
            payment = Payment(
                id=str(uuid.uuid4()),
                org_id=org_id,
                invoice_id=invoice_id,
                kind="payment",
                amount=text(value, currency),
                currency=currency,
                date="2026-12-01",
                method="transfer",
                reference=None,
                credit_note_id=None,
                recorded_by=user_id,
                recorded_at=datetime.now(UTC),
            )
            db.add(payment)
        async with sessions(engine)() as db:
            stored = await db.scalar(select(Payment.amount).where(Payment.id == payment.id))
    finally:
        await engine.dispose()
    assert isinstance(stored, str)
    return stored
