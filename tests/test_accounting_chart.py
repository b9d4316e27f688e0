"""The chart of accounts and what the accounting export refuses, on a real server: the default
chart read, changed and audited, bad charts and periods refused (400); a dollar invoice makes
the FEC a 422 naming it while the CSV journal carries it in dollars; accountants and admins
may read and change them, an editor or a viewer may not (403), and another organization's
admin finds nothing (404). The invoices are made by tests/test_accounting_api.py's helpers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import seed
from tests.test_accounting_api import document, issued, number_of, people_and_cleo


async def test_chart_permissions_isolation_and_refusals(running: Running) -> None:
    people, cleo = await people_and_cleo(running)
    alice = running.accounts["alice"]
    org = alice.org_id
    chart_path = f"/api/orgs/{org}/accounting/chart"
    async with api(running.server, cleo) as http:
        r = await http.get(chart_path)
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["customized"] is False and answer["chart"] == answer["defaults"]
        chart = answer["chart"]
        assert (chart["customer_account"], chart["bank_account"]) == ("411000", "512000")
        # The sales of 20 % go to 706210 from now on; VAT stays on 44571200.
        rules = [
            {**rule, "sales_account": "706210"}
            if (rule["category"], rule["rate"]) == ("S", "20")
            else rule
            for rule in chart["rules"]
        ]
        r = await http.put(chart_path, json={**chart, "rules": rules, "bank_journal": "BQ1"})
        assert r.status_code == 200, r.text
        assert r.json()["customized"] is True
        bad = [
            {**chart, "customer_account": "41"},  # fewer than three digits
            {**chart, "customer_label": "Clients|x"},  # the FEC's separator
            {**chart, "sales_label": "a\nb"},  # a control character
            {**chart, "bank_journal": "VE"},  # the same code as the sales journal
            {**chart, "rules": [chart["rules"][0], chart["rules"][0]]},  # one rate twice
            {**chart, "rules": [{**chart["rules"][0], "rate": "twenty"}]},
            {**chart, "surprise": 1},
            {**chart, "rules": [chart["rules"][0]] * 41},
        ]
        for body in bad:
            r = await http.put(chart_path, json=body)
            assert r.status_code == 400, (body, r.text)
        # Periods: backwards, too long, missing or malformed are refused.
        for query in (
            "from=2026-02-01&to=2026-01-01",
            "from=2024-01-01&to=2026-01-02",
            "to=2026-01-01",
            "from=2026-13-01&to=2026-12-31",
            "from=2026-01-01&to=2026-12-31&separator=comma",
        ):
            r = await http.get(f"/api/orgs/{org}/exports/fec?{query}")
            assert r.status_code == 400, (query, r.text)

    # A dollar invoice: no exchange rate is recorded, so the FEC is refused, naming it; the
    # CSV journal carries it in dollars: 1 x 1000.00 at 20 %, gross 1200.00.
    today = datetime.now(UTC).date()
    client = {"name": "Client SA", "siren": "732829320"}
    dollars = await issued(
        running, people, alice, document("USD", client, today, [("a", "1", "1000.00", "20")])
    )
    euros = await issued(
        running, people, alice, document("EUR", client, today, [("a", "2", "10.00", "20")])
    )
    number = await number_of(running, cleo, dollars)
    period = f"from={today}&to={today}"
    async with api(running.server, cleo) as http:
        r = await http.get(f"/api/orgs/{org}/exports/fec?{period}")
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "foreign_currency"
        assert [d["path"] for d in r.json()["details"]] == [number]
        r = await http.get(f"/api/orgs/{org}/exports/journal.csv?{period}")
        table = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    by_currency = {(row[12], row[3], row[8], row[9]) for row in table[1:]}
    assert by_currency == {
        ("USD", "411000", "1200.00", "0.00"),
        ("USD", "706210", "0.00", "1000.00"),  # the chart saved above
        ("USD", "44571200", "0.00", "200.00"),
        # 2 x 10.00 = 20.00 at 20 %: VAT 4.00, gross 24.00.
        ("EUR", "411000", "24.00", "0.00"),
        ("EUR", "706210", "0.00", "20.00"),
        ("EUR", "44571200", "0.00", "4.00"),
    }
    assert euros

    # Who: accountants and admins; an editor or a viewer is refused (403); another
    # organization's admin finds nothing (404, as for an unknown organization).
    beta = await seed(running.server.data_dir, org="Beta", users={"bea": Role.ADMIN})
    bea = await token(running.server, beta["bea"])
    for bearer, status in (
        (people["adam"], 200),
        (people["alice"], 403),
        (people["vera"], 403),
        (bea, 404),
    ):
        async with api(running.server, bearer) as http:
            for path in (chart_path, f"/api/orgs/{org}/exports/journal.csv?{period}"):
                r = await http.get(path)
                assert r.status_code == status, (path, r.text)
            r = await http.put(chart_path, json=answer["defaults"])
            assert r.status_code == status, r.text
    async with api(running.server, bea) as http:
        r = await http.get("/api/orgs/no-such-org/accounting/chart")
        assert r.status_code == 404
        r = await http.get(f"/api/orgs/{beta['bea'].org_id}/exports/journal.csv?{period}")
        assert r.status_code == 200 and r.content.count(b"\r\n") == 1  # Beta has nothing

    async with api(running.server, people["adam"]) as http:
        audit = (await http.get(f"/api/orgs/{org}/audit")).json()["items"]
    changed = [e for e in audit if e["event"] == "org.accounting_chart_changed"]
    assert len(changed) == 2  # cleo's chart, adam's return to the defaults
    assert any("bank_journal BQ -> BQ1" in (e["detail"] or "") for e in changed)
