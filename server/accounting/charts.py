"""An organization's chart of accounts: stored as its API body (JSON), read as the pure
`collab.invoice.ledger.Chart`. No row means the defaults (`ledger.DEFAULT_CHART`)."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.ledger import DEFAULT_CHART, Chart, SalesRule
from server.accounting.models import AccountingChart

_SCALARS = tuple(f.name for f in fields(Chart) if f.name != "rules")


def as_json(chart: Chart) -> dict[str, Any]:
    rules = [
        {**asdict(rule), "rate": None if rule.rate is None else format(rule.rate, "f")}
        for rule in chart.rules
    ]
    return {**{name: getattr(chart, name) for name in _SCALARS}, "rules": rules}


def of_json(data: dict[str, Any]) -> Chart:
    """A stored (already checked) chart; a field missing from an older row keeps its default."""
    rules = tuple(
        SalesRule(
            category=r["category"],
            rate=None if r.get("rate") is None else Decimal(r["rate"]),
            sales_account=r["sales_account"],
            sales_label=r["sales_label"],
            vat_account=r.get("vat_account", ""),
            vat_label=r.get("vat_label", ""),
        )
        for r in data.get("rules", [])
    )
    scalars = {name: data[name] for name in _SCALARS if name in data}
    return Chart(**scalars, rules=rules)


DEFAULT_JSON = as_json(DEFAULT_CHART)


async def read(db: AsyncSession, org_id: str) -> tuple[Chart, AccountingChart | None]:
    row = await db.get(AccountingChart, org_id)
    return (DEFAULT_CHART if row is None else of_json(row.chart)), row


async def replace(
    db: AsyncSession, *, org_id: str, actor_id: str, new: dict[str, Any]
) -> tuple[dict[str, Any], AccountingChart]:
    """Store `new` in the caller's transaction; the chart it replaces (the defaults if none).
    The row is created if missing, then locked: two saves at once run one after the other."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = datetime.now(UTC)
    await db.execute(
        insert(AccountingChart)
        .values(org_id=org_id, chart=DEFAULT_JSON, updated_at=now, updated_by=None)
        .on_conflict_do_nothing()
    )
    query = select(AccountingChart).where(AccountingChart.org_id == org_id).with_for_update()
    row = (await db.scalars(query.execution_options(populate_existing=True))).one()
    old = row.chart
    row.chart, row.updated_at, row.updated_by = new, now, actor_id
    await db.flush()
    return old, row
