"""Customers and items per organization, and the invoice listing's filters, order and pages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import update

from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices.models import Invoice
from tests.conftest import Running
from tests.harness import db_url, new_invoice, seed


async def _api(running: Running, who: str) -> httpx.AsyncClient:
    token = await running.server.login(running.accounts[who])
    return httpx.AsyncClient(
        timeout=30.0, base_url=running.server.http, headers={"Authorization": f"Bearer {token}"}
    )


async def test_customers_crud_validation_and_roles(running: Running) -> None:
    async with await _api(running, "alice") as alice, await _api(running, "vera") as vera:
        created = await alice.post(
            "/api/customers",
            json={"name": "Lumière SARL", "vat_id": "FR40303265045", "country": "FR"},
        )
        assert created.status_code == 201, created.text
        customer = created.json()
        assert customer["name"] == "Lumière SARL" and customer["email"] == ""
        assert customer["importance"] == "normal"  # the board's priority factor (issue 14)
        for body, error in [
            ({"vat_id": "FR1"}, "`name` is required"),
            (
                {"name": "X", "vat_id": "FR00303265045"},
                "'FR00303265045' is not a valid EU VAT number",
            ),
            ({"name": "X", "siren": "123456789"}, "'123456789' is not a valid SIREN or SIRET"),
            ({"name": "X", "colour": "red"}, "unknown field 'colour'"),
            ({"name": 3}, "`name` must be a string"),
            (
                {"name": "X", "importance": "vip"},
                "`importance` must be one of the documented values",
            ),
        ]:
            r = await alice.post("/api/customers", json=body)
            assert (r.status_code, r.json()["error"]) == (400, error)
        # The service's own checks name their field too, for the browser to put them under it.
        r = await alice.post("/api/customers", json={"name": "X", "vat_id": "FR00303265045"})
        assert [d["path"] for d in r.json()["details"]] == ["vat_id"]
        r = await alice.post("/api/customers", json={"name": 3, "city": ["x"]})
        assert {d["path"] for d in r.json()["details"]} == {"name", "city"}  # every field named
        listed = (await vera.get("/api/customers", params={"q": "lumi"})).json()["items"]
        assert [c["id"] for c in listed] == [customer["id"]]  # viewers read the catalogue
        assert (await vera.post("/api/customers", json={"name": "Nope"})).status_code == 403
        path = f"/api/customers/{customer['id']}"
        assert (await vera.patch(path, json={"city": "Lyon"})).status_code == 403
        patched = await alice.patch(path, json={"city": "Lyon"})
        assert patched.status_code == 200 and patched.json()["city"] == "Lyon"
        patched = await alice.patch(path, json={"importance": "key"})
        assert patched.json()["importance"] == "key" and patched.json()["city"] == "Lyon"
        assert (await alice.delete(path)).status_code == 204
        assert (await alice.get(path)).status_code == 404


async def test_one_external_id_claimed_at_once_by_several_requests_goes_to_one(
    running: Running,
) -> None:
    # Each request reads "nobody has it" before any commits; the unique constraint decides,
    # and the others get the documented 409, never a server error.
    async with await _api(running, "alice") as alice:
        answers = await asyncio.gather(
            *(
                alice.post("/api/customers", json={"name": f"C{i}", "external_id": "crm-42"})
                for i in range(8)
            )
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [201] + [409] * 7, [r.text for r in answers]
        assert {r.json().get("code") for r in answers if r.status_code == 409} == {
            "external_id_taken"
        }
        listed = (await alice.get("/api/customers", params={"q": "C"})).json()["items"]
        assert [c["external_id"] for c in listed].count("crm-42") == 1


async def test_items_are_checked_and_invisible_to_other_organizations(running: Running) -> None:
    others = await seed(running.server.data_dir, org="Globex", users={"gina": Role.ADMIN})
    running.accounts.update(others)
    async with await _api(running, "alice") as alice, await _api(running, "gina") as gina:
        ok = await alice.post(
            "/api/items",
            json={"name": "Audit day", "unit": "DAY", "unit_price": "800.00", "tax_rate": "20"},
        )
        assert ok.status_code == 201, ok.text
        for body, error in [
            (
                {"name": "X", "unit_price": "1", "tax_rate": "19.6"},
                "19.6 % is not a known VAT rate",
            ),
            ({"name": "X", "unit_price": "1.", "tax_rate": "20"}, "`unit_price`:"),
            (
                {"name": "X", "unit_price": "1", "tax_rate": "20", "unit": "BOX"},
                "unknown unit code",
            ),
            (
                {"name": "X", "unit_price": "9" * 20, "tax_rate": "20"},
                "`unit_price`: unit_price is too large",
            ),
            (
                {"name": "X", "unit_price": "-1", "tax_rate": "20"},
                "`unit_price`: unit_price cannot be below",
            ),
            (
                {"name": "X", "unit_price": "1.0000001", "tax_rate": "20"},
                "`unit_price`: unit_price 1.0000001 has too many decimals",
            ),
            (
                {"name": "X", "unit_price": "1", "tax_rate": "20", "org": 5},
                "`org` must be a string",
            ),
        ]:
            r = await alice.post("/api/items", json=body)
            assert r.status_code == 400 and r.json()["error"].startswith(error), r.json()
        zeros = {"name": "Padded", "unit_price": "12.500000000", "tax_rate": "20"}
        assert (await alice.post("/api/items", json=zeros)).status_code == 201
        item_id = ok.json()["id"]
        assert (await gina.get("/api/items")).json()["items"] == []
        for method in ("GET", "PATCH", "DELETE"):
            r = await gina.request(method, f"/api/items/{item_id}", json={})
            assert (r.status_code, r.json()) == (404, {"error": "no such item"})


async def test_invoice_listing_filters_sorts_and_pages(running: Running) -> None:
    alice = running.accounts["alice"]
    ids = [await new_invoice(running.server.data_dir, alice) for _ in range(5)]
    engine = create_engine(db_url(running.server.data_dir))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    async with sessions(engine).begin() as db:
        for i, invoice_id in enumerate(ids):
            await db.execute(
                update(Invoice)
                .where(Invoice.id == invoice_id)
                .values(
                    customer_name=["Acme", "Beta", "acme labs", "Gamma", "Delta_1"][i],
                    gross=f"{(i * 37) % 100}.00",
                    gross_value=Decimal((i * 37) % 100),
                    due_date=f"2026-12-{10 + i:02d}",
                    created_at=start + timedelta(days=i),
                )
            )
    await engine.dispose()
    async with await _api(running, "alice") as api:

        async def page(**params: str) -> list[str]:
            r = await api.get("/api/invoices", params=params)
            assert r.status_code == 200, r.text
            return [item["customer_name"] for item in r.json()["items"]]

        assert await page() == ["Delta_1", "Gamma", "acme labs", "Beta", "Acme"]
        assert await page(q="ACME") == ["acme labs", "Acme"]
        assert await page(q="_") == ["Delta_1"]  # a literal underscore, not a wildcard
        assert await page(sort="gross") == ["Acme", "Gamma", "Beta", "Delta_1", "acme labs"]
        assert await page(sort="-due_date", limit="2", offset="1") == ["Gamma", "acme labs"]
        assert await page(due_after="2026-12-12", due_before="2026-12-13") == ["Gamma", "acme labs"]
        r = await api.get("/api/invoices", params={"limit": "1"})
        assert r.json()["total"] == 5 and r.json()["limit"] == 1
        for params in (
            {"sort": "password"},
            {"limit": "0"},
            {"limit": "x"},
            {"due_before": "soon"},
            {"status": "lost"},
        ):
            r = await api.get("/api/invoices", params=params)
            assert r.status_code == 400 and r.json()["error"], params


@pytest.mark.parametrize("status", ["draft"])
async def test_status_filter(running: Running, status: str) -> None:
    await new_invoice(running.server.data_dir, running.accounts["alice"])
    async with await _api(running, "alice") as api:
        r = await api.get("/api/invoices", params={"status": status})
        assert r.json()["total"] == 1
        r = await api.get("/api/invoices", params={"status": "issued"})
        assert r.json()["total"] == 0
