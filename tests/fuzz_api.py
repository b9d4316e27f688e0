"""Property-based HTTP fuzzing with schemathesis against /api/openapi.json of a running server,
signed in as an editor: no answer is a 500, and every answer, errors included, matches the
model the OpenAPI document declares for it (so every error is the `{"error"}` body).

Long run (starts its own server):  .venv/bin/python -m tests.fuzz_api --examples 200
The suite runs a short version (tests/test_fuzz_api_e2e.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server.auth.permissions import Role
from tests.harness import ROOT, ServerProcess, new_invoice, seed

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)


@dataclass
class Outcome:
    returncode: int
    output: str


async def run(data_dir: Path, *, examples: int, seed_value: int) -> Outcome:
    accounts = await seed(data_dir, users={"alice": Role.EDITOR, "ada": Role.ADMIN})
    invoice_id = await new_invoice(data_dir, accounts["alice"])
    server = ServerProcess(data_dir)
    await server.start()
    try:
        token = await server.login(accounts["ada"])
        command = [
            str(Path(sys.executable).parent / "schemathesis"), "run",
            f"{server.http}/api/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", CHECKS,
            "--max-examples", str(examples),
            "--seed", str(seed_value),
            "--generation-deterministic",
            # the sign-out, password and two-factor routes would end the run's own session
            "--exclude-path-regex", "^/api/auth/(logout|password|2fa/disable)$",
            "--workers", "1",
            "--no-color",
        ]  # fmt: skip
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.fuzz_api_hooks",
            "COFACTURE_FUZZ_INVOICE": invoice_id,
            "COFACTURE_FUZZ_ORG": accounts["ada"].org_id,
            "PYTHONPATH": str(ROOT),
        }
        done = await asyncio.to_thread(
            subprocess.run,
            command,
            capture_output=True,
            text=True,
            timeout=1800,
            env=env,
            cwd=data_dir,  # its cache directory goes with the run, not into the work tree
        )
        return Outcome(done.returncode, done.stdout + done.stderr)
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outcome = asyncio.run(run(Path(tmp), examples=args.examples, seed_value=args.seed))
    print(outcome.output)
    raise SystemExit(outcome.returncode)


if __name__ == "__main__":
    main()
