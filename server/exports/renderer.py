"""Where PDF rendering runs: a small pool of worker processes, off the event loop.

WeasyPrint lays a page out in Python, so a render in a thread holds the GIL for most of its
time: measured with 10 Factur-X renders queued on a thread (limiter of 1), the event loop's p99
wake-up delay went from 1.4 ms idle to 24 ms, with stalls up to 300 ms; on one worker process
it stayed at 8 ms (max 26 ms) on the 2-core machine (docs/e-invoices.md has the figures and
bench/render.py measures it end to end). A process costs a start (about a second, once: the
pool is kept) and pickling the arguments (a few kilobytes).

Workers come from a `forkserver`: forking the server itself would copy its threads' locks
(the validation thread, the event loop) in whatever state they are; the fork server is a clean
single-threaded process that has imported the renderer once, so each worker starts warm.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Final, TypeVar

T = TypeVar("T")


# Renders running at once; the others queue. One keeps a core free for the live editing on a
# 2-core machine; RENDER_PROCESSES raises it on bigger ones.
def _processes() -> int:
    """Read when the pool starts, not at import: a process forked after importing this module
    (tests/zygote.py) has its own environment."""
    return max(1, int(os.environ.get("RENDER_PROCESSES", "1")))


_PRELOAD: Final = ["server.exports.pdf"]
# Workers run at a lower CPU priority: on a machine with few cores the kernel then gives the
# server's event loop (live editing) the CPU first and a render the rest. A PDF can wait a few
# milliseconds more; a keystroke reaching the other editors should not.
_NICENESS: Final = 10

# How often a worker checks that the server that started it is still there.
_WATCH_SECONDS: Final = 1.0

_state: dict[str, ProcessPoolExecutor] = {}


def _start_worker(niceness: int, server_pid: int) -> None:
    """In each worker: a lower priority, and an exit when the server is gone. A worker blocks
    on its job queue, whose write end it holds itself, so a server that dies without shutting
    the pool down (SIGKILL, a crash) would leave it, and the fork server it keeps alive,
    running for good."""
    os.nice(niceness)

    def watch() -> None:
        while True:
            time.sleep(_WATCH_SECONDS)
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, name="server-watch", daemon=True).start()


def _pool() -> ProcessPoolExecutor:
    found = _state.get("pool")
    if found is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        found = _state["pool"] = ProcessPoolExecutor(
            _processes(),
            mp_context=context,
            initializer=_start_worker,
            initargs=(_NICENESS, os.getpid()),
        )
    return found


async def run(work: Callable[..., T], /, **kwargs: Any) -> T:
    """`work(**kwargs)` in a worker process; its arguments and result must pickle. A worker
    that died (killed, out of memory) breaks the pool: it is replaced and the work tried once
    more, so one crash costs one retry, not every render after it."""
    loop = asyncio.get_running_loop()
    job = partial(work, **kwargs)
    try:
        return await loop.run_in_executor(_pool(), job)
    except BrokenProcessPool:
        broken = _state.pop("pool", None)
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        return await loop.run_in_executor(_pool(), job)


def shutdown() -> None:
    """Stop the workers: at the server's shutdown (uvicorn ends a SIGTERM by re-raising it, so
    no exit handler of the executor runs), and in tests and benchmarks. Blocks: call it off
    the event loop."""
    found = _state.pop("pool", None)
    if found is not None:
        found.shutdown(wait=True, cancel_futures=True)


async def stop_rendering() -> None:
    """At the server's shutdown: the workers would outlive it otherwise."""
    await asyncio.to_thread(shutdown)
