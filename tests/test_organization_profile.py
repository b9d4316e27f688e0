"""The seller profile and the number series over HTTP: identifiers checked with python-stdnum,
members read, admins write, other organizations see nothing, every change audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from stdnum import bic, iban
from stdnum.eu import vat
from stdnum.fr import siren

from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.organization import service
from tests.conftest import Running
from tests.harness import Account, db_url, seed

SIREN = "732829320"
VAT_ID = "FR44732829320"  # FR + key (12 + 3 * (SIREN mod 97)) mod 97 + SIREN
IBAN = "FR7630006000011234567890189"
BIC = "AGRIFRPP"
MENTIONS = {
    "late_payment_rate": "12.15",
    "recovery_indemnity": "40.00",
    "early_payment_discount": "Pas d'escompte pour paiement anticipé",
}
PROFILE: dict[str, Any] = {
    "legal_name": "Lumière SARL",
    "address": {
        "line1": "12 rue de la Paix",
        "postcode": "75002",
        "city": "Paris",
        "country": "FR",
    },
    "siren": SIREN,
    "vat_id": VAT_ID,
    "iban": IBAN,
    "bic": BIC,
    "legal_mentions": MENTIONS,
}


def test_the_example_identifiers_are_valid() -> None:
    # Checked here rather than trusted: the tests below rely on them.
    assert siren.is_valid(SIREN) and vat.is_valid(VAT_ID) and VAT_ID.endswith(SIREN)
    assert iban.is_valid(IBAN) and bic.is_valid(BIC)
    assert not siren.is_valid("732829321") and not iban.is_valid(IBAN[:-1] + "0")


async def _client(running: Running, account: Account) -> httpx.AsyncClient:
    token = await running.server.login(account)
    return httpx.AsyncClient(
        timeout=30.0, base_url=running.server.http, headers={"Authorization": f"Bearer {token}"}
    )


def _with(**change: Any) -> dict[str, Any]:
    body = {**PROFILE, "address": dict(PROFILE["address"])}
    for key, value in change.items():
        if key.startswith("address_"):
            body["address"][key.removeprefix("address_")] = value
        else:
            body[key] = value
    return body


async def test_profile_validation_roles_tenants_and_audit(running: Running) -> None:
    data_dir = running.server.data_dir
    adam = (await seed(data_dir, users={"adam": Role.ADMIN}))["adam"]
    olga = (await seed(data_dir, org="Other", users={"olga": Role.ADMIN}))["olga"]
    org = adam.org_id
    path = f"/api/orgs/{org}/profile"
    async with (
        await _client(running, adam) as admin,
        await _client(running, running.accounts["alice"]) as editor,
        await _client(running, running.accounts["vera"]) as viewer,
        await _client(running, olga) as stranger,
    ):
        none = await viewer.get(path)
        assert (none.status_code, none.json()["code"]) == (404, "no_profile")
        assert (await editor.put(path, json=PROFILE)).status_code == 403
        assert (await viewer.put(path, json=PROFILE)).status_code == 403

        for body, where in [
            (_with(siren="732829321"), "siren"),
            (_with(vat_id="FR00732829320"), "vat_id"),
            (_with(vat_id="FR40303265045"), "vat_id"),  # valid, but another company's
            (_with(iban=IBAN[:-1] + "0"), "iban"),
            (_with(bic="AGRI"), "bic"),
            (_with(currency="EURO"), "currency"),
            (_with(address_country="France"), "address.country"),
            (_with(address_city=""), "address.city"),
            (
                _with(legal_mentions={"late_payment_rate": "ten"}),
                "legal_mentions.late_payment_rate",
            ),
            (_with(payment_days=-1), "payment_days"),
            (_with(colour="red"), "colour"),
        ]:
            r = await admin.put(path, json=body)
            assert r.status_code == 400, (where, r.text)
            assert where in {d["path"] for d in r.json()["details"]}, (where, r.json())
        r = await admin.put(path, json={"legal_name": "X"})
        assert {d["path"] for d in r.json()["details"]} >= {"address", "siren", "iban", "bic"}

        spaced = _with(iban=" ".join(IBAN[i : i + 4] for i in range(0, len(IBAN), 4)))
        saved = await admin.put(path, json={**spaced, "legal_mentions": None})
        assert saved.status_code == 200, saved.text
        assert saved.json()["iban"] == IBAN  # stored compact
        assert saved.json()["missing"] == [f"legal_mentions.{k}" for k in MENTIONS]
        saved = await admin.put(path, json=_with(bic="BNPAFRPPXXX"))
        assert saved.json()["missing"] == [] and saved.json()["bic"] == "BNPAFRPPXXX"
        read = await viewer.get(path)
        assert read.status_code == 200 and read.json() == saved.json()
        assert read.json()["address"]["line2"] == "" and read.json()["currency"] == "EUR"

        # Another organization's admin learns nothing, not even that it exists.
        for r in (await stranger.get(path), await stranger.put(path, json=PROFILE)):
            assert (r.status_code, r.json()["error"]) == (404, "no such organization")

        events = (await admin.get(f"/api/orgs/{org}/audit")).json()["items"]
    changes = [e for e in events if e["event"] == "org.profile_changed"]
    assert [e["detail"] for e in reversed(changes)] == [
        "created",
        "changed bic, legal_mentions; bic: AGRIFRPP -> BNPAFRPPXXX",
    ]
    assert changes[0]["actor_id"] == adam.user_id and changes[0]["org_id"] == org

    engine = create_engine(db_url(data_dir))
    async with sessions(engine)() as db:
        found = await service.profile(db, org)
        assert found is not None and found.as_dict()["address"]["city"] == "Paris"
        assert await service.issue_ready(db, org) == []
        assert await service.issue_ready(db, olga.org_id) == ["profile"]
    await engine.dispose()


async def test_series_are_read_and_set_by_admins(running: Running) -> None:
    data_dir = running.server.data_dir
    adam = (await seed(data_dir, users={"adam": Role.ADMIN}))["adam"]
    olga = (await seed(data_dir, org="Other", users={"olga": Role.ADMIN}))["olga"]
    path = f"/api/orgs/{adam.org_id}/series"
    year = datetime.now(UTC).year
    async with (
        await _client(running, adam) as admin,
        await _client(running, running.accounts["alice"]) as editor,
        await _client(running, olga) as stranger,
    ):
        listed = (await admin.get(path)).json()["items"]
        assert [(s["kind"], s["next_number"], s["configured"]) for s in listed] == [
            ("invoice", f"F{year}-000001", False),
            ("credit_note", f"A{year}-000001", False),
        ]
        for item, where in [
            ({"kind": "invoice", "pattern": "F {SEQ}"}, "items.0.pattern"),
            ({"kind": "invoice", "pattern": "F{SEQ:6}"}, "items.0.reset"),  # yearly by default
            ({"kind": "quote", "pattern": "Q{SEQ}"}, "items.0.kind"),
            (
                {"kind": "invoice", "pattern": "F{SEQ}", "reset": "never", "next_value": 0},
                "items.0.next_value",
            ),
        ]:
            r = await admin.put(path, json={"items": [item]})
            assert r.status_code == 400 and r.json()["details"][0]["path"] == where, r.text
        body = {"items": [{"kind": "invoice", "pattern": "FA-{YYYY}-{SEQ:5}", "next_value": 124}]}
        r = await admin.put(path, json=body)
        assert r.status_code == 200, r.text
        assert r.json()["items"][0] == {
            "kind": "invoice",
            "pattern": "FA-{YYYY}-{SEQ:5}",
            "reset": "yearly",
            "year": year,
            "next_value": 124,
            "next_number": f"FA-{year}-00124",
            "configured": True,
        }
        body["items"][0]["next_value"] = 12
        lowered = await admin.put(path, json=body)
        assert lowered.status_code == 409 and "never goes back" in lowered.json()["error"]
        assert (await editor.get(path)).status_code == 403
        assert (await editor.put(path, json=body)).status_code == 403
        assert (await stranger.get(path)).status_code == 404
        events = (await admin.get(f"/api/orgs/{adam.org_id}/audit")).json()["items"]
    changed = [e["detail"] for e in events if e["event"] == "org.series_changed"]
    assert changed == [
        f"F{{YYYY}}-{{SEQ:6}} yearly next {year}/1 -> FA-{{YYYY}}-{{SEQ:5}} yearly next {year}/124"
    ]
