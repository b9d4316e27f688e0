"""pycrdt-websocket 0.16.5 served the way its README deploys it: ASGIServer + WebsocketServer
under uvicorn, every option at its default.

    .venv/bin/python bench/pycrdt_ws_server.py --port 1234 [--no-deflate]

uvicorn negotiates permessage-deflate by default; `--no-deflate` turns it off, to separate the
cost of compression from the cost of the server itself.
"""

from __future__ import annotations

import argparse
import asyncio

import uvicorn
from pycrdt.websocket import ASGIServer, WebsocketServer


async def serve(host: str, port: int, *, deflate: bool) -> None:
    websocket_server = WebsocketServer()
    app = ASGIServer(websocket_server)
    config = uvicorn.Config(app, host=host, port=port, ws_per_message_deflate=deflate)
    async with websocket_server:
        await uvicorn.Server(config).serve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1234)
    parser.add_argument("--no-deflate", action="store_true", help="disable permessage-deflate")
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, deflate=not args.no_deflate))


if __name__ == "__main__":
    main()
