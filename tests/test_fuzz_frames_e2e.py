"""A short online fuzz run (tests/fuzz_frames.py): hostile frames on one connection never
reach the honest clients editing the same invoice, and what is stored is what they hold."""

from __future__ import annotations

from tests.conftest import Running
from tests.fuzz_frames import check_honest_clients, fuzz
from tests.harness import YjsClients, new_invoice


async def test_hostile_frames_never_reach_honest_clients(running: Running, yjs: YjsClients) -> None:
    server, accounts = running.server, running.accounts
    invoice_id = await new_invoice(server.data_dir, accounts["alice"])
    tokens = {
        "a": await server.login(accounts["alice"]),
        "b": await server.login(accounts["bob"]),
        "fuzzer": await server.login(accounts["bob"]),
    }
    for name in ("a", "b"):
        await yjs.call("open", name=name, url=server.ws, room=invoice_id, token=tokens[name])
        await yjs.synced(name)
    figures = await fuzz(server, yjs, tokens, invoice_id, frames=400, seed_value=7)
    document = await check_honest_clients(server, yjs, invoice_id)
    assert figures.honest_edits >= 8 and figures.connections > 1  # the server did close fuzzers
    assert set(figures.closes) <= {1000, 1002, 1003, 1007, 1008, 1009, 4001}, figures.closes
    assert document["invoice"]["buyer_reference"] == f"honest {figures.honest_edits - 1}"
