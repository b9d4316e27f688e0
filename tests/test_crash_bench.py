"""The crash durability bench, short (docs/reliability.md): SIGKILL at random moments while a
client edits loses nothing acknowledged beyond the window and stores nothing twice."""

from __future__ import annotations

from bench import crash
from tests.databases import require_postgres


async def test_crash_cycles_on_sqlite_lose_and_duplicate_nothing() -> None:
    figures = await crash.run(cycles=2, db="sqlite", seed=1)
    assert figures.acknowledged > 50, figures
    assert figures.lost == 0 and figures.duplicated == 0, figures


async def test_crash_cycles_on_postgresql_lose_and_duplicate_nothing() -> None:
    await require_postgres()
    figures = await crash.run(cycles=2, db="postgres", seed=2)
    assert figures.acknowledged > 50, figures
    assert figures.lost == 0 and figures.duplicated == 0, figures
