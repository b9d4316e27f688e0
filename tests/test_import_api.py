"""POST /api/invoices/import on a real server: XML and Factur-X PDF make a draft with the file's
content and warnings; the creation right, 415, 400 and the route's own 413 limit."""

from __future__ import annotations

import io
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
from facturx import generate_from_binary  # type: ignore[import-untyped]
from pypdf import PdfWriter

from collab.invoice.en16931 import to_cii, to_semantic
from server.core.api import MAX_BODY_BYTES
from server.core.body_limit import BodyLimitMiddleware
from server.imports.routes import BODY_LIMITS, PATH
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.invoices_en16931 import CASES, ISSUED, SELLER

DATA = Path(__file__).parent / "data" / "einvoices"


async def _post(running: Running, bearer: str, body: bytes, content_type: str) -> httpx.Response:
    async with api(running.server, bearer) as http:
        return await http.post(
            "/api/invoices/import", content=body, headers={"content-type": content_type}
        )


def _facturx_pdf() -> bytes:
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    semantic = to_semantic(
        CASES["rates_20_10_5_5"].document, number="F-9", issue_date=ISSUED, seller=SELLER
    )
    result: bytes = generate_from_binary(pdf.getvalue(), to_cii(semantic), check_xsd=False)
    return result


async def test_import_xml_and_pdf_then_read_the_draft(running: Running) -> None:
    alice = await token(running.server, running.accounts["alice"])
    sample = (DATA / "cen-ubl-tc434-example4.xml").read_bytes()
    r = await _post(running, alice, sample, "application/xml; charset=utf-8")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "draft" and body["source"]["syntax"] == "ubl"
    assert body["source"]["number"] == "TOSL110" and body["line_count"] == 3
    assert body["totals"] == {"net": "4000.00", "tax": "675.00", "gross": "4675.00"}
    assert any(w.startswith("BT-13/BT-14") for w in body["warnings"])
    async with api(running.server, alice) as http:
        draft = (await http.get(f"/api/invoices/{body['id']}")).json()
    assert draft["invoice"]["customer"]["name"] == "Buyercompany ltd"
    assert draft["totals"]["gross"] == "4675.00"

    r = await _post(running, alice, _facturx_pdf(), "application/pdf")
    assert r.status_code == 201, r.text
    assert r.json()["source"] == {
        "syntax": "cii",
        "container": "pdf",
        "number": "F-9",
        "type_code": "380",
        "valid": True,
    }


async def test_refusals(running: Running) -> None:
    alice = await token(running.server, running.accounts["alice"])
    vera = await token(running.server, running.accounts["vera"])  # a viewer
    sample = (DATA / "cen-cii-business-example-z.xml").read_bytes()
    assert (await _post(running, vera, sample, "application/xml")).status_code == 403
    assert (await _post(running, alice, sample, "application/json")).status_code == 415
    r = await _post(running, alice, b"<a>", "text/xml")
    assert r.status_code == 400 and r.json()["code"] == "unreadable_invoice"
    r = await _post(running, alice, b"%PDF-1.4 nothing", "application/pdf")
    assert r.status_code == 400, r.text
    # Above the 64 KiB of every other route, below the import's own limit: accepted.
    padded = sample.replace(
        b"<rsm:ExchangedDocumentContext>", b" " * 100_000 + b"<rsm:ExchangedDocumentContext>"
    )
    assert (await _post(running, alice, padded, "application/xml")).status_code == 201


async def test_the_import_route_has_its_own_body_limit() -> None:
    """413 above 5 MiB on the import route (checked on the middleware: a real client sending
    more than the 4 MiB drained after a refusal may see the socket reset, by design)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    limited = BodyLimitMiddleware(app, max_bytes=MAX_BODY_BYTES, routes=BODY_LIMITS)

    async def status(path: str, size: int) -> int:
        sent: list[int] = []
        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "headers": [(b"content-length", str(size).encode())],
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                sent.append(message["status"])

        await limited(scope, receive, send)
        return sent[0]

    assert await status(PATH, 5 * 1024 * 1024 + 1) == 413
    assert await status(PATH, 5 * 1024 * 1024) == 201
    assert await status("/api/invoices", 100_000) == 413
