"""The organization's branding (colour, logo) and the VAT-on-debits option of its profile, on a
real server: stored and read back, hostile images refused, admins only, audited."""

from __future__ import annotations

import base64
import zlib

import httpx

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import seed
from tests.test_organization_profile import PROFILE


def _png() -> bytes:
    """A 1x1 white PNG, built by hand from the PNG specification (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte 0, one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _uri(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


async def test_branding_is_stored_checked_and_audited(running: Running) -> None:
    extra = await seed(running.server.data_dir, users={"adam": Role.ADMIN})
    org = running.accounts["alice"].org_id
    admin = await token(running.server, extra["adam"])
    editor = await token(running.server, running.accounts["alice"])
    logo = _uri(_png())
    async with api(running.server, admin) as http:
        assert (await http.get(f"/api/orgs/{org}/branding")).json() == {"color": None, "logo": None}
        r = await http.put(f"/api/orgs/{org}/branding", json={"color": "#1A5FB4", "logo": logo})
        assert r.status_code == 200, r.text
        async with api(running.server, editor) as other:
            read = (await other.get(f"/api/orgs/{org}/branding")).json()
        assert read == {"color": "#1a5fb4", "logo": logo}  # every member reads it
        svg = _uri(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "image/svg+xml")
        big = _uri(b"\x89PNG\r\n\x1a\n" + bytes(40_000))
        refusals = {
            "svg": {"logo": svg},  # a document that can fetch and script: never rendered
            "png named jpeg but not an image": {"logo": _uri(b"GIF89a....", "image/png")},
            "too big": {"logo": big},
            "not base64": {"logo": "data:image/png;base64,@@@"},
            "not a data uri": {"logo": "https://example.com/logo.png"},
            "colour": {"color": "blue"},
        }
        for why, body in refusals.items():
            r = await http.put(f"/api/orgs/{org}/branding", json=body)
            assert r.status_code == 400, (why, r.text)
        events = (await http.get(f"/api/orgs/{org}/audit", params={"limit": 50})).json()
    details = [e["detail"] for e in events["items"] if e["target"].endswith("/branding")]
    assert details == [f"color: none -> #1a5fb4; logo: {len(_png())} bytes"]
    async with api(running.server, editor) as http:
        r = await http.put(f"/api/orgs/{org}/branding", json={"color": "#000000"})
    assert r.status_code == 403


async def test_vat_on_debits_is_part_of_the_profile(running: Running) -> None:
    extra = await seed(running.server.data_dir, users={"adam": Role.ADMIN})
    org = running.accounts["alice"].org_id
    async with api(running.server, await token(running.server, extra["adam"])) as http:
        r = await http.put(f"/api/orgs/{org}/profile", json=PROFILE)
        assert r.status_code == 200 and r.json()["vat_on_debits"] is False, r.text
        r = await http.put(f"/api/orgs/{org}/profile", json={**PROFILE, "vat_on_debits": True})
        assert r.status_code == 200, r.text
        read: httpx.Response = await http.get(f"/api/orgs/{org}/profile")
    assert read.json()["vat_on_debits"] is True
