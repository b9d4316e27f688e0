"""The browser's evaluation (web/src/evaluate.ts, through web/test/evaluate-cli.ts) and the
server's (collab.invoice.validation.evaluate) in one comparable form, for the parity tests."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from collab.invoice.validation import evaluate
from tests.web.build import WEB, build, node_or_fail

SERVER_ONLY = {"invalid_vat_id", "invalid_siren"}  # identifier checksums the browser leaves out


def evaluate_cli() -> str:
    """The node script the browser's engine runs in (built into web/.test-build)."""
    build("--tests")
    return str(WEB / ".test-build" / "evaluate-cli.mjs")


def browser_evaluate(cli: str, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [node_or_fail(), cli],
        input="\n".join(json.dumps(d) for d in documents) + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def server_evaluate(document: dict[str, Any]) -> dict[str, Any]:
    result = evaluate(document)
    return {
        "totals": result.totals,
        "complete": result.complete,
        "issues": [
            (i.path, i.code, i.severity) for i in result.issues if i.code not in SERVER_ONLY
        ],
        "counted": list(result.counted),
    }


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "totals": result["totals"],
        "complete": result["complete"],
        "issues": [(i["path"], i["code"], i["severity"]) for i in result["issues"]],
        "counted": result["counted"],
    }
