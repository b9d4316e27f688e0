"""Logs the server's slow garbage collections (bench/cluster_load.py, `gc_probe`).

Put first on a server's PYTHONPATH, Python imports this at start-up: every collection that takes
`GC_PROBE_MS` (default 20) or more, and every full one, is written to stderr (the server's log) as
`GCPAUSE <unix time at its end> gen=<generation> ms=<duration>`, plus `objects=<tracked objects>`
after a full one (counting them takes a few milliseconds, after the collection).

`GC_PROBE_FREEZE_AFTER=S`: also call `gc.freeze()` S seconds after start (once the server has
imported and started), moving every object alive then out of the collector's reach: what a
server could do after start-up, measured by bench/processes.py `--gc-freeze`.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from typing import Any

_SLOW_MS = float(os.environ.get("GC_PROBE_MS", "20"))
_started = [0.0]


def _probe(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _started[0]) * 1000
    if ms >= _SLOW_MS or info["generation"] == 2:
        line = f"GCPAUSE {time.time():.3f} gen={info['generation']} ms={ms:.1f}"
        if info["generation"] == 2:
            line += f" objects={len(gc.get_objects())}"
        print(line, file=sys.stderr, flush=True)


gc.callbacks.append(_probe)
if _freeze_after := os.environ.get("GC_PROBE_FREEZE_AFTER"):
    _timer = threading.Timer(float(_freeze_after), gc.freeze)
    _timer.daemon = True
    _timer.start()
