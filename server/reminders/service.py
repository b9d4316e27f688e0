"""Payment reminders (docs/reminders.md).

A daily sweep (`SWEEP`, one job per day whichever process queues it) finds, for each
organization whose reminders are on, the invoices still owed whose latest schedule step has
come and was not handled yet, and queues one `SEND` job per invoice and step (key
`reminder:<invoice>:<step>`: once, whatever runs twice). The send job looks again at the moment
it runs: an invoice paid, credited or disputed since, a customer who opted out, reminders
switched off, are recorded as a skipped step and nothing is sent. Otherwise the reminder is
e-mailed with the invoice's Factur-X attached, French late-payment charges shown on late ones,
and recorded on the invoice's reminder log, all in the job's transaction.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.late import late_charges
from collab.invoice.reminder_steps import DEFAULT_STEPS, Step, due_step
from collab.sync import RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.catalog import service as catalog
from server.exceptions import service as exceptions
from server.exports import service as exports
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.mail import service as mail
from server.payments import service as payments
from server.reminders.models import Reminder, ReminderOptOut, ReminderSettings
from server.workflow import service as workflow

log = logging.getLogger(__name__)

SWEEP: Final = "reminders.sweep"
SEND: Final = "reminders.send"
OWED: Final = ("issued", "partially_paid")
SENT, SKIPPED = "sent", "skipped"


@dataclass(frozen=True, slots=True)
class Settings:
    enabled: bool
    steps: tuple[Step, ...]
    late_interest_rate: Decimal | None


DEFAULT = Settings(False, DEFAULT_STEPS, None)


class NotRemindable(Exception):
    """Why an invoice gets no reminder now (paid, disputed, no address...)."""


async def settings_of(db: AsyncSession, org_id: str) -> Settings:
    row = await db.get(ReminderSettings, org_id)
    if row is None:
        return DEFAULT
    steps = tuple(Step(int(s["days"]), str(s["tone"])) for s in json.loads(row.steps))
    rate = Decimal(row.late_interest_rate) if row.late_interest_rate else None
    return Settings(row.enabled, steps, rate)


async def save_settings(db: AsyncSession, *, org_id: str, new: Settings, user_id: str) -> None:
    row = await db.get(ReminderSettings, org_id)
    steps = json.dumps([{"days": s.days, "tone": s.tone} for s in new.steps])
    rate = None if new.late_interest_rate is None else format(new.late_interest_rate, "f")
    now = datetime.now(UTC)
    if row is None:
        db.add(
            ReminderSettings(
                org_id=org_id,
                enabled=new.enabled,
                steps=steps,
                late_interest_rate=rate,
                updated_by=user_id,
                updated_at=now,
            )
        )
    else:
        row.enabled, row.steps, row.late_interest_rate = new.enabled, steps, rate
        row.updated_by, row.updated_at = user_id, now


async def opted_out(db: AsyncSession, invoice: invoices.Invoice) -> bool:
    """Whether the invoice's customer, matched in the catalogue by VAT number or else by name
    (as the board matches them), opted out of reminders."""
    ids = await catalog.matching(
        db, org_id=invoice.org_id, vat_id=invoice.customer_vat_id, name=invoice.customer_name
    )
    if not ids:
        return False
    found = await db.scalar(
        select(func.count()).where(
            ReminderOptOut.org_id == invoice.org_id, ReminderOptOut.customer_id.in_(ids)
        )
    )
    return bool(found)


# -- the jobs -------------------------------------------------------------------------------


async def queue_sweep(db: AsyncSession, today: date, *, round_: str = "") -> bool:
    """Queue a sweep of `today`: once per day and `round_` across every process (the hourly
    clock passes the hour; a changed schedule, the moment of the change). Sweeps repeat
    nothing: each (invoice, step) is one job whichever sweep queues it."""
    key = f"{SWEEP}:{today.isoformat()}{':' + round_ if round_ else ''}"
    return await jobs.enqueue(db, kind=SWEEP, key=key, payload={"day": today.isoformat()})


async def queue_hourly(db: AsyncSession, now: datetime) -> bool:
    """The hourly clock's sweep (server/jobs/clock.py): one per hour across every process."""
    return await queue_sweep(db, now.date(), round_=f"{now.hour:02}")


async def sweep(ctx: jobs.Context) -> None:
    """Queue the reminder due today for every invoice still owed, once per invoice and step."""
    today = date.fromisoformat(str(ctx.payload["day"]))
    rows = await ctx.db.execute(select(ReminderSettings.org_id).where(ReminderSettings.enabled))
    for org_id in [row[0] for row in rows]:
        settings = await settings_of(ctx.db, org_id)
        owed = await ctx.db.execute(
            select(invoices.Invoice.id, invoices.Invoice.due_date).where(
                invoices.Invoice.org_id == org_id,
                invoices.Invoice.status.in_(OWED),
                invoices.Invoice.due_date.is_not(None),
            )
        )
        for invoice_id, due_text in owed.all():
            try:
                step = due_step(settings.steps, date.fromisoformat(due_text or ""), today)
            except ValueError:
                continue  # a due date the document holds but that is not a date: no schedule
            if step is None or await _handled(ctx.db, invoice_id, step):
                continue
            await jobs.enqueue(
                ctx.db,
                kind=SEND,
                key=f"reminder:{invoice_id}:{step}",
                org_id=org_id,
                payload={"invoice_id": invoice_id, "step": step, "day": today.isoformat()},
            )


async def _handled(db: AsyncSession, invoice_id: str, step: int) -> bool:
    found = await db.scalar(
        select(func.count()).where(Reminder.invoice_id == invoice_id, Reminder.step == step)
    )
    return bool(found)


async def send(
    ctx: jobs.Context,
    *,
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
) -> None:
    """The scheduled reminder of one invoice and step, if it is still due when it runs."""
    invoice = await invoices.get(ctx.db, str(ctx.payload["invoice_id"]))
    index = int(ctx.payload["step"])
    settings = await settings_of(ctx.db, invoice.org_id)
    today = date.fromisoformat(str(ctx.payload["day"]))
    if index >= len(settings.steps):
        await _skip(ctx.db, invoice, index, Step(0, "firm"), "the schedule changed")
        return
    step = settings.steps[index]
    try:
        if not settings.enabled:
            raise NotRemindable("reminders are switched off")
        if await opted_out(ctx.db, invoice):
            raise NotRemindable("the customer opted out of reminders")
        await remind(
            ctx.db,
            sessions,
            registry,
            store,
            invoice=invoice,
            step=step,
            index=index,
            settings=settings,
            today=today,
            user_id=None,
            message=None,
        )
    except NotRemindable as exc:
        await _skip(ctx.db, invoice, index, step, str(exc))


async def _skip(
    db: AsyncSession, invoice: invoices.Invoice, index: int, step: Step, reason: str
) -> None:
    log.info("reminder %d of invoice %s not sent: %s", index, invoice.id, reason)
    zero = payments.text(Decimal(0), invoice.currency)
    db.add(
        Reminder(
            id=str(uuid.uuid4()),
            org_id=invoice.org_id,
            invoice_id=invoice.id,
            step=index,
            days=step.days,
            tone=step.tone,
            status=SKIPPED,
            reason=reason[:200],
            outstanding=zero,
            interest=zero,
            indemnity=zero,
            created_at=datetime.now(UTC),
        )
    )


async def remind(
    db: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    invoice: invoices.Invoice,
    step: Step,
    index: int | None,
    settings: Settings,
    today: date,
    user_id: str | None,
    message: str | None,
) -> Reminder:
    """E-mail a reminder now (a scheduled step, or by hand when `index` is None) and record
    it; NotRemindable when the invoice is not owed any more, disputed, or has no address.

    Reads and the PDF come before any write: on SQLite the render is stored by another
    connection, which must not wait behind this transaction."""
    if invoice.status not in OWED:
        raise NotRemindable(f"the invoice is {invoice.status.replace('_', ' ')}")
    balance = await payments.balance(db, invoice)
    if balance.outstanding <= 0:
        raise NotRemindable("nothing is owed on it")
    if await exceptions.dispute_open(db, invoice.id):
        raise NotRemindable("the customer disputes it")
    stamp = await workflow.issued(db, invoice.id)
    header = (dict(stamp.document or {}) if stamp else {}).get("invoice") or {}
    customer = header.get("customer") or {}
    address = str(customer.get("email") or "")
    if "@" not in address:
        raise NotRemindable("the customer has no e-mail address")
    seller = stamp.seller if stamp else {}
    french = (seller.get("address") or {}).get("country") == "FR"
    due = date.fromisoformat(invoice.due_date) if invoice.due_date else today
    charges = late_charges(
        outstanding=balance.outstanding,
        due=due,
        on=today,
        annual_rate_percent=settings.late_interest_rate,
        currency=invoice.currency,
        places=payments.places_of(invoice.currency),
    )
    if not french:  # the charges of French law only
        charges = late_charges(
            outstanding=Decimal(0),
            due=due,
            on=today,
            annual_rate_percent=None,
            currency=invoice.currency,
        )
    pdf = await exports.facturx(sessions, registry, store, user_id=None, invoice_id=invoice.id)
    money = {
        "outstanding": payments.text(balance.outstanding, invoice.currency),
        "interest": payments.text(charges.interest, invoice.currency),
        "indemnity": payments.text(charges.indemnity, invoice.currency),
    }
    variables: dict[str, Any] = {
        **money,
        "number": invoice.number or "",
        "seller": seller.get("legal_name") or "",
        "customer": customer.get("name") or "",
        "issue_date": stamp.issue_date.isoformat() if stamp else "",
        "due_date": invoice.due_date or "",
        "amount": invoice.gross,
        "currency": invoice.currency,
        "tone": step.tone,
        "days_late": charges.days_late,
        "interest_due": charges.interest > 0,
        "indemnity_due": charges.indemnity > 0,
        "rate": format(settings.late_interest_rate or 0, "f"),
        "total": payments.text(balance.outstanding + charges.total, invoice.currency),
        "message": (message or "").strip(),
    }
    sent = await mail.compose(
        db,
        org_id=invoice.org_id,
        purpose="reminder",
        language=pdf.layout.lang,
        to=[address],
        variables=variables,
        attachments=[mail.Attachment(f"{invoice.number}.pdf", "application/pdf", pdf.data)],
        invoice_id=invoice.id,
        created_by=user_id,
    )
    row = Reminder(
        id=str(uuid.uuid4()),
        org_id=invoice.org_id,
        invoice_id=invoice.id,
        step=index,
        days=step.days,
        tone=step.tone,
        status=SENT,
        message_id=sent.id,
        created_by=user_id,
        created_at=datetime.now(UTC),
        **money,
    )
    db.add(row)
    audit.record(
        db,
        AuditKind.REMINDER_SENT,
        actor_id=user_id,
        ip=None,
        org_id=invoice.org_id,
        target=f"invoice {invoice.id}",
        detail=(
            f"{'manual' if index is None else f'step {index + 1}'} ({step.tone}, "
            f"{step.days:+d} days): {money['outstanding']} {invoice.currency} outstanding, "
            f"charges {money['interest']} + {money['indemnity']}; message {sent.id}"
        ),
    )
    return row


async def log_of(db: AsyncSession, invoice_id: str) -> list[Reminder]:
    """An invoice's reminders, sent and skipped, oldest first."""
    rows = await db.scalars(
        select(Reminder).where(Reminder.invoice_id == invoice_id).order_by(Reminder.created_at)
    )
    return list(rows)


def reminder_json(row: Reminder) -> dict[str, Any]:
    return {
        "id": row.id,
        "step": None if row.step is None else row.step + 1,
        "days": row.days,
        "tone": row.tone,
        "status": row.status,
        "reason": row.reason,
        "message_id": row.message_id,
        "outstanding": row.outstanding,
        "interest": row.interest,
        "indemnity": row.indemnity,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
    }
