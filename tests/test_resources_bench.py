"""The resources bench, short (docs/reliability.md): churn leaves memory and descriptors where
they were (the database pool aside), and a reconnect storm after SIGKILL resyncs everyone."""

from __future__ import annotations

from bench import resources


async def test_connect_edit_disconnect_cycles_return_to_baseline() -> None:
    figures = await resources.cycles(150, 20, concurrency=10, rounds=2)
    # Sockets, pipes and every descriptor but the database files: back to exactly the baseline.
    others = (figures.baseline_fds - figures.baseline_db_fds, figures.end_fds - figures.end_db_fds)
    assert others[1] <= others[0], figures
    # Every round ends with the same sockets and pipes: a leak would grow them round after round.
    for fds, db_fds in zip(figures.round_end_fds, figures.round_end_db_fds, strict=True):
        assert fds - db_fds <= others[0], figures
    # The database files stay open in the connection pool, which may keep one more connection
    # after a busier round (SQLite also defers closing a file another connection holds a lock
    # on): bounded by the pool, 15 connections of at most 3 files (database, WAL, shared memory).
    assert max(figures.round_end_db_fds) <= 15 * 3, figures
    assert figures.end_rss_kib - figures.baseline_rss_kib < 32 * 1024, figures


async def test_a_reconnect_storm_after_sigkill_resyncs_everyone() -> None:
    figures = await resources.storm(100, 10)
    assert figures.failed == 0, figures
