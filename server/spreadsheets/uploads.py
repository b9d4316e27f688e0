"""Uploaded spreadsheets between their upload and their confirmation, for the features that
import one (server/crm, server/timesheets): read within limits off the event loop, kept an hour
in the feature's own table, found for a member of its organization, claimed by one confirmation.

A feature describes its uploads once (`Uploads`: its table, the words of its errors, its limits
and who may import) and calls the methods below.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Generic, ParamSpec, Protocol, TypeVar

from sqlalchemy import ForeignKey, LargeBinary, String, delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime
from server.core.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from server.spreadsheets.reading import CsvError, Table, read_table

LIFETIME: Final = timedelta(hours=1)
SAMPLE_ROWS: Final = 5  # enough for the user to tell the columns apart when mapping them


class PayloadTooLarge(ApiError):
    status = 413


class UploadedFile(Base):
    """A CSV file as uploaded: previews read it again with the mapping the user chose, the
    confirmation uses it once (`confirmed_at`). Gone an hour after its upload. Each feature
    maps its own table with these columns (migration 0027)."""

    __abstract__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filename: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary())
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    result: Mapped[str | None] = mapped_column(String(400), nullable=True)


class Member(Protocol):
    """What is read of server.auth's `Member`: the role, for the 403's words."""

    @property
    def role(self) -> str: ...


F = TypeVar("F", bound=UploadedFile)
M = TypeVar("M", bound=Member)
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True, kw_only=True)
class Words:
    """How a feature's errors name its uploads: `no such {noun}` (404), `a viewer cannot
    {action}` (403), `this file has been {done} already` (409)."""

    noun: str
    action: str
    done: str


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a file is read: the bytes (the upload route's body limit too) and the rows."""

    max_bytes: int
    max_rows: int


@dataclass(frozen=True, slots=True)
class Right(Generic[M]):
    """Who may import: a member of the upload's organization for whom `may` holds. The
    membership comes from server.auth as a value: this package is no feature and may import
    none (tests/test_architecture.py)."""

    membership: Callable[[AsyncSession, str, str], Awaitable[M | None]]
    may: Callable[[M], bool]


async def parsed(work: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """`work(*args, **kwargs)` in a worker thread, so that parsing a file never stalls the event
    loop; a file that is no usable CSV is a 400 with the reader's code."""
    try:
        return await asyncio.to_thread(work, *args, **kwargs)
    except CsvError as exc:
        raise BadRequest(exc.message, code=exc.code) from None


def described(stored: UploadedFile, table: Table) -> dict[str, Any]:
    """What every upload's answer says of the file; the feature adds its proposed mapping."""
    return {
        "id": stored.id,
        "filename": stored.filename,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "columns": list(table.header),
        "sample": [list(row) for row in table.rows[:SAMPLE_ROWS]],
        "rows": len(table.rows),
        "expires_at": stored.expires_at.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class Uploads(Generic[F, M]):
    """One feature's uploads: kept in its table (`model`), named in its words, read within its
    limits, imported by those its right admits."""

    model: type[F]
    words: Words
    limits: Limits
    right: Right[M]

    def table(self, body: bytes) -> Table:
        """The file read within the limits; blocking, so called through `parsed`."""
        return read_table(body, max_bytes=self.limits.max_bytes, max_rows=self.limits.max_rows)

    async def read(self, body: bytes) -> Table:
        """The uploaded file as a table: 413 above the size limit, 400 if it is no usable CSV."""
        if len(body) > self.limits.max_bytes:  # the body limit cuts first; this guards others
            raise PayloadTooLarge(f"the file is larger than {self.limits.max_bytes} bytes")
        return await parsed(self.table, body)

    async def store(
        self, db: AsyncSession, *, org_id: str, user_id: str, filename: str, body: bytes
    ) -> F:
        """Keep the file; files past their hour go at the same time."""
        now = datetime.now(UTC)
        await db.execute(delete(self.model).where(self.model.expires_at < now))
        stored = self.model(
            id=str(uuid.uuid4()),
            org_id=org_id,
            created_by=user_id,
            created_at=now,
            expires_at=now + LIFETIME,
            filename=filename[:200],
            body=body,
        )
        db.add(stored)
        await db.flush()
        return stored

    async def usable(self, db: AsyncSession, *, user_id: str, import_id: str) -> F:
        """The upload, if the caller may import into its organization: 404 for an unknown,
        expired or other organization's upload, 403 without the right, 409 once confirmed."""
        found = await db.get(self.model, import_id)
        member = None if found is None else await self.right.membership(db, user_id, found.org_id)
        if found is None or member is None or found.expires_at < datetime.now(UTC):
            raise NotFound(f"no such {self.words.noun} (uploads expire after an hour)")
        if not self.right.may(member):
            raise Forbidden(f"a {member.role} cannot {self.words.action}")
        if found.confirmed_at is not None:
            raise self._confirmed()
        return found

    async def claim(self, db: AsyncSession, found: F, *, result: str) -> datetime:
        """Mark the upload confirmed, unless another confirmation did first (409). The UPDATE
        is conditional: of two concurrent confirmations, only one changes the row."""
        now = datetime.now(UTC)
        done = await db.execute(
            update(self.model)
            .where(self.model.id == found.id, self.model.confirmed_at.is_(None))
            .values(confirmed_at=now, result=result[:400])
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 0) != 1:
            raise self._confirmed()
        return now

    async def release(self, db: AsyncSession, import_id: str) -> None:
        """Undo a claim whose work could not be done, so the user can confirm again."""
        await self._set(db, import_id, confirmed_at=None, result=None)

    async def record_result(self, db: AsyncSession, import_id: str, *, result: str) -> None:
        """What the confirmation came to, once its work is done."""
        await self._set(db, import_id, result=result[:400])

    async def _set(self, db: AsyncSession, import_id: str, **values: str | None) -> None:
        await db.execute(
            update(self.model)
            .where(self.model.id == import_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def _confirmed(self) -> Conflict:
        return Conflict(f"this file has been {self.words.done} already", code="already_confirmed")
