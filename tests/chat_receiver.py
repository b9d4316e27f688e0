"""A local HTTP server standing for Slack's and Teams' incoming webhooks in the tests: it keeps
every JSON body posted to it, by path, and answers each path as told (200 "ok" by default)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.posts: list[tuple[str, dict[str, Any]]] = []  # (path, body) in arrival order
        self.answers: dict[str, tuple[int, str]] = {}  # path -> (status, body)
        self.lock = threading.Lock()

    def bodies(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [body for where, body in self.posts if where == path]


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1 while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    found = Receiver(server.server_address[1])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            assert self.headers.get("Content-Type", "").startswith("application/json")
            with found.lock:
                found.posts.append((self.path, body))
                status, text = found.answers.get(self.path, (200, "ok"))
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            return None

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
