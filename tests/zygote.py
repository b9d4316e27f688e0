"""Server processes for tests, forked from one process that has already imported the server.

A test server started as `python -m server serve` spends about two seconds importing FastAPI,
SQLAlchemy, Alembic and the features before it answers; the suite starts ~150 of them. The
zygote imports all that once, then forks a child per server: each child is still a separate
process with its own port, data directory, environment, log and signals (what the tests need),
and starts in a fraction of a second. The zygote only imports: it starts no thread and no
event loop, so forking it is safe (checked at start; with a thread running it refuses).

Tests that are about the process itself (the warnings a fresh start prints) use a fresh
interpreter instead (`ServerProcess.fresh`); the benchmarks run from the command line always do.

Protocol: one JSON request per line on stdin, one JSON answer per line on stdout:
`{"op": "spawn", "argv": [...], "env": {...}, "cwd": "...", "log": "..."}` -> `{"pid": N}`;
`{"op": "poll", "pid": N}` -> `{"code": null | int}` (negative: killed by that signal).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class ForkedServer:
    """The part of `subprocess.Popen` the tests use, for a child of the zygote."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self._zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._zygote.poll(self.pid)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """The test process's handle on the zygote (one per test session)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.zygote"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._lock = threading.Lock()
        ready = self._ask({"op": "ready"})
        if not ready.get("ok"):
            raise RuntimeError(f"the test zygote cannot fork safely: {ready}")

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        with self._lock:
            self._proc.stdin.write((json.dumps(request) + "\n").encode())
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the test zygote exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def spawn(self, argv: list[str], *, env: dict[str, str], cwd: str, log: str) -> ForkedServer:
        answer = self._ask({"op": "spawn", "argv": argv, "env": env, "cwd": cwd, "log": log})
        return ForkedServer(self, int(answer["pid"]))

    def poll(self, pid: int) -> int | None:
        code = self._ask({"op": "poll", "pid": pid})["code"]
        return None if code is None else int(code)

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()  # the zygote kills what is left of its children and exits
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()


# -- the zygote process -----------------------------------------------------------------------


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become `python -m server <argv>` in its own directory; never
    return into the zygote's loop."""
    code = 1
    try:
        os.setpgid(0, 0)  # signals to the test session's process group do not reach it twice
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, 1024)  # the zygote's pipes and the log/devnull originals
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        from server.core.cli import main

        code = main(request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _status(pid: int, exited: dict[int, int], children: set[int]) -> int | None:
    if pid in exited:
        return exited[pid]
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return exited.get(pid, -1)
    if done == 0:
        return None
    children.discard(pid)
    exited[pid] = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return exited[pid]


def serve() -> None:
    # What a server start imports; lazily imported parts (PDF, XLSX) stay lazy.
    import uvicorn
    import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401

    import server.core.app
    import server.core.cli
    import server.core.connections  # noqa: F401

    children: set[int] = set()
    exited: dict[int, int] = {}
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "ready":
            threads = threading.active_count()
            answer: dict[str, Any] = {"ok": threads == 1, "threads": threads}
        elif request["op"] == "spawn":
            out.flush()
            pid = os.fork()
            if pid == 0:
                _child(request)
            children.add(pid)
            exited.pop(pid, None)  # the pid of a child reaped earlier, reused by the system
            answer = {"pid": pid}
        else:
            answer = {"code": _status(int(request["pid"]), exited, children)}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    for pid in children:  # the session ended: nothing outlives it
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


if __name__ == "__main__":
    serve()
