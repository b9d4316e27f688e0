"""Time entries into invoice lines: trackers' layouts recognised (Toggl Track, Harvest,
Clockify), the lines and totals worked by hand, a Toggl file added to a draft a stock Yjs
client has open (it sees the lines arrive; the history names the caller), a Harvest file made
into a new draft, rights and other organizations.

The arithmetic (EN 16931: line net = round(quantity x price, 2); VAT once per rate on the sum;
quantities in hours rounded half up to 4 decimals):

Toggl file, grouped by project, rates per person (Alice 120, Bob 95.50, anyone else 80):
- Website, Alice: 2:30:00 + 1:20:00 = 3 h 50 min = 3.83333... h -> 3.8333;
  3.8333 x 120 = 459.996 -> 460.00
- Website, Bob: 3:00:00 = 3 h; 3 x 95.50 = 286.50 (his 0:40 chat is not billable)
- Audit, Chloé: 0:20:00 = 0.3333 h; 0.3333 x 80 = 26.664 -> 26.66
  net 26.66 + 286.50 + 460.00 = 773.16; VAT 20 % of 773.16 = 154.632 -> 154.63;
  gross 927.79.
Harvest file, grouped by task, rates per task (Development 110 from the form, Design the
file's 100): Design 1.5 + 0.25 = 1.75 h x 100 = 175.00; Development 2 h x 110 = 220.00;
net 395.00, VAT 79.00, gross 474.00.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.auth.permissions import Role
from server.spreadsheets.reading import read_table
from server.timesheets.layouts import recognise
from tests.access_helpers import api, token
from tests.harness import Account, ServerProcess, YjsClients, new_invoice, seed, wait_for

TOGGL = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
    "End time,Duration,Tags,Amount ()\n"
    "Alice Martin,a@x.test,Client SA,Website,Design,Mockups,Yes,2026-11-02,09:00:00,2026-11-02,"
    "11:30:00,02:30:00,,\n"
    "Alice Martin,a@x.test,Client SA,Website,Design,Review,Yes,2026-11-05,14:00:00,2026-11-05,"
    "15:20:00,01:20:00,,\n"
    "Bob Roy,b@x.test,Client SA,Website,Development,Login page,Yes,2026-11-03,09:00:00,"
    "2026-11-03,12:00:00,03:00:00,,\n"
    "Bob Roy,b@x.test,Client SA,Website,Development,Chat,No,2026-11-04,12:00:00,2026-11-04,"
    "12:40:00,00:40:00,,\n"
    "Chloé Petit,c@x.test,Client SA,Audit,,Interviews,Yes,2026-11-10,10:00:00,2026-11-10,"
    "10:20:00,00:20:00,,\n"
    "Bob Roy,b@x.test,Client SA,Website,Development,Bad,Yes,2026-11-06,09:00:00,2026-11-06,"
    "11:00:00,2h,,\n"
).encode()

HARVEST = (
    "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,"
    "Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,"
    "Cost Amount,Currency,External Reference URL\n"
    "2026-11-02,Client SA,Website,W1,Design,Mockups,1.5,1.5,Yes,No,No,Alice,Martin,,Yes,100,"
    "150,,,Euro - EUR,\n"
    "2026-11-03,Client SA,Website,W1,Design,More,0.25,0.25,Yes,No,No,Bob,Roy,,Yes,100,25,,,"
    "Euro - EUR,\n"
    "2026-11-03,Client SA,Website,W1,Development,Login,2,2,Yes,No,No,Bob,Roy,,Yes,90,180,,,"
    "Euro - EUR,\n"
).encode("cp1252")

CLOCKIFY_HEADER = (
    "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,"
    "End Date,End Time,Duration (h),Duration (decimal),Billable Rate (EUR),"
    "Billable Amount (EUR)\n"
)


def test_the_trackers_layouts_are_recognised() -> None:
    toggl, mapping = recognise(read_table(TOGGL, max_bytes=10**6, max_rows=100).header)
    assert toggl is not None and toggl.name == "toggl"
    assert (mapping["date"], mapping["person"], mapping["duration"], mapping["hours"]) == (
        "Start date",
        "User",
        "Duration",
        None,
    )
    harvest, mapping = recognise(read_table(HARVEST, max_bytes=10**6, max_rows=100).header)
    assert harvest is not None and harvest.name == "harvest"
    assert (mapping["person"], mapping["person_2"], mapping["hours"], mapping["rate"]) == (
        "First Name",
        "Last Name",
        "Hours",
        "Billable Rate",
    )
    header = read_table(CLOCKIFY_HEADER.encode(), max_bytes=10**6, max_rows=1).header
    clockify, mapping = recognise(header)
    assert clockify is not None and clockify.name == "clockify"
    assert (mapping["hours"], mapping["rate"]) == ("Duration (decimal)", "Billable Rate (EUR)")
    manual, mapping = recognise(("Jour", "Collaborateur", "Projet", "Durée", "Taux horaire"))
    assert manual is None
    assert (mapping["date"], mapping["person"], mapping["project"]) == (
        "Jour",
        "Collaborateur",
        "Projet",
    )
    assert (mapping["duration"], mapping["rate"]) == ("Durée", "Taux horaire")


class Team:
    def __init__(self, server: ServerProcess, accounts: dict[str, Account]) -> None:
        self.server, self.accounts = server, accounts
        self.bearers: dict[str, str] = {}

    @property
    def org(self) -> str:
        return self.accounts["alice"].org_id

    async def call(self, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
        async with api(self.server, self.bearers[who]) as http:
            return await http.request(method, path, **kw)

    async def upload(self, body: bytes, who: str = "alice") -> httpx.Response:
        return await self.call(who, "POST", f"/api/orgs/{self.org}/time-imports", content=body,
                               headers={"content-type": "text/csv"})  # fmt: skip


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    accounts = await seed(tmp_path, users={"alice": Role.EDITOR, "vera": Role.VIEWER})
    accounts |= await seed(tmp_path, org="Other", users={"oscar": Role.ADMIN})
    server = ServerProcess(tmp_path)
    try:
        await server.start()
        made = Team(server, accounts)
        made.bearers = {name: await token(server, account) for name, account in accounts.items()}
        yield made
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()


def _form(upload: dict[str, Any], **over: Any) -> dict[str, Any]:
    return {
        "mapping": upload["mapping"],
        "group_by": "project",
        "rates_by": "person",
        "rates": [{"name": "Alice Martin", "rate": "120"}, {"name": "Bob Roy", "rate": "95.50"}],
        "default_rate": "80",
        "tax_rate": "20",
        "language": "en",
        **over,
    }


async def test_toggl_entries_land_in_an_open_draft_as_the_callers_change(
    team: Team, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(team.server.data_dir, team.accounts["alice"])
    await yjs.call("open", name="a", url=team.server.ws, room=invoice_id,
                   token=team.bearers["alice"])  # fmt: skip
    await yjs.synced("a")
    await yjs.call("pushLine", name="a", line={"id": "l0", "description": "Set-up fee"})
    r = await team.upload(TOGGL)
    assert r.status_code == 201, r.text
    upload = r.json()
    assert (upload["layout"], upload["rows"]) == ("toggl", 6)
    form = _form(upload, invoice_id=invoice_id)

    r = await team.call("alice", "POST", f"/api/time-imports/{upload['id']}/preview", json=form)
    assert r.status_code == 200, r.text
    preview = r.json()
    assert [(x["quantity"], x["unit"], x["unit_price"], x["net"]) for x in preview["lines"]] == [
        ("0.3333", "HUR", "80", "26.66"),
        ("3", "HUR", "95.5", "286.50"),
        ("3.8333", "HUR", "120", "460.00"),
    ]
    assert [x["description"] for x in preview["lines"]] == [
        "Audit — 2026-11-10 (Chloé Petit)",
        "Website — 2026-11-03 (Bob Roy)",
        "Website — 2026-11-02 to 2026-11-05 (Alice Martin)",
    ]
    assert [x["rows"] for x in preview["lines"]] == [[6], [4], [2, 3]]
    assert preview["totals"] == {"net": "773.16", "tax": "154.63", "gross": "927.79"}
    assert (preview["included"], preview["skipped"]) == (4, 1)
    assert preview["errors"] == [
        {"row": 7, "message": "duration '2h' is not H:MM:SS, H:MM or hours such as 1.5"}
    ]
    assert preview["people"] == ["Alice Martin", "Bob Roy", "Chloé Petit"]
    assert len((await yjs.state("a"))["json"]["lines"]) == 1  # the preview wrote nothing

    # Another organization's draft is unknown; a viewer cannot add lines.
    other = await new_invoice(team.server.data_dir, team.accounts["oscar"])
    r = await team.call("alice", "POST", f"/api/time-imports/{upload['id']}/preview",
                        json=_form(upload, invoice_id=other))  # fmt: skip
    assert r.status_code == 404, r.text
    r = await team.call("oscar", "POST", f"/api/time-imports/{upload['id']}/preview", json=form)
    assert r.status_code == 404, r.text
    r = await team.call("vera", "POST", f"/api/time-imports/{upload['id']}/confirm", json=form)
    assert r.status_code == 403, r.text

    r = await team.call("alice", "POST", f"/api/time-imports/{upload['id']}/confirm", json=form)
    assert r.status_code == 200, r.text
    added = r.json()
    assert (added["invoice_id"], added["created"]) == (invoice_id, False)
    assert added["totals"] == preview["totals"]

    async def client_has_the_lines() -> bool:
        lines = (await yjs.state("a"))["json"]["lines"]
        return [(x.get("description"), x.get("quantity")) for x in lines] == [
            ("Set-up fee", None),
            ("Audit — 2026-11-10 (Chloé Petit)", "0.3333"),
            ("Website — 2026-11-03 (Bob Roy)", "3"),
            ("Website — 2026-11-02 to 2026-11-05 (Alice Martin)", "3.8333"),
        ]

    await wait_for(client_has_the_lines, what="the imported lines to reach the open client")
    r = await team.call("alice", "GET", f"/api/invoices/{invoice_id}/history")
    mine = [e for e in r.json()["items"] if e["seq"] == added["seq"]]
    assert mine and all(e["author"]["id"] == team.accounts["alice"].user_id for e in mine)
    r = await team.call("alice", "GET", f"/api/invoices/{invoice_id}")
    assert r.json()["totals"]["net"] == "773.16"  # the set-up fee has no price yet
    again = await team.call("alice", "POST", f"/api/time-imports/{upload['id']}/confirm",
                            json=form)  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (409, "already_confirmed")


async def test_harvest_entries_make_a_new_draft(team: Team) -> None:
    r = await team.upload(HARVEST)
    assert r.status_code == 201, r.text
    upload = r.json()
    assert (upload["layout"], upload["encoding"]) == ("harvest", "utf-8")
    form = _form(upload, group_by="task", rates_by="task", default_rate=None, language="fr",
                 rates=[{"name": "Development", "rate": "110"}])  # fmt: skip
    r = await team.call("alice", "POST", f"/api/time-imports/{upload['id']}/confirm", json=form)
    assert r.status_code == 200, r.text
    added = r.json()
    assert added["created"] is True
    assert [
        (x["description"], x["quantity"], x["unit_price"], x["net"]) for x in added["lines"]
    ] == [
        ("Website: Design — du 02/11/2026 au 03/11/2026", "1.75", "100", "175.00"),
        ("Website: Development — le 03/11/2026", "2", "110", "220.00"),
    ]
    assert added["totals"] == {"net": "395.00", "tax": "79.00", "gross": "474.00"}
    assert added["people"] == ["Alice Martin", "Bob Roy"]

    async def stored() -> bool:
        r = await team.call("alice", "GET", f"/api/invoices/{added['invoice_id']}")
        return bool(r.json()["totals"] and r.json()["totals"]["gross"] == "474.00")

    await wait_for(stored, what="the new draft's totals")
    # Rights and hostile input.
    assert (await team.upload(b"Date,Hours\n2026-11-02,1\n", who="vera")).status_code == 403
    r = await team.call("oscar", "POST", f"/api/orgs/{team.org}/time-imports", content=HARVEST)
    assert r.status_code == 404
    r = await team.upload(b"Date,Hours\n" + b"2026-11-02,1\n" * 20_001)
    assert (r.status_code, r.json()["code"]) == (400, "too_many_rows")
    r = await team.upload(b"Date;Hours\n2026-11-02;1\n")
    assert r.status_code == 201, r.text
    bad = _form(r.json(), rates=[{"name": "x", "rate": "1e9999"}])
    r = await team.call("alice", "POST", f"/api/time-imports/{r.json()['id']}/preview", json=bad)
    assert (r.status_code, r.json()["code"]) == (400, "bad_rate")
