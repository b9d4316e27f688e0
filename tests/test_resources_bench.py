"""The resources bench, short (docs/reliability.md): churn leaves memory and descriptors where
they were (the database pool aside), and a reconnect storm after SIGKILL resyncs everyone."""

from __future__ import annotations

from bench import resources

# SQLAlchemy keeps up to 5 pooled SQLite connections (3 files each: db, -wal, -shm) once used.
POOL_FDS = 15


async def test_connect_edit_disconnect_cycles_return_to_baseline() -> None:
    figures = await resources.cycles(200, 20, concurrency=10)
    assert figures.end_fds <= figures.baseline_fds + POOL_FDS, figures
    assert figures.end_rss_kib - figures.baseline_rss_kib < 32 * 1024, figures


async def test_a_reconnect_storm_after_sigkill_resyncs_everyone() -> None:
    figures = await resources.storm(100, 10)
    assert figures.failed == 0, figures
