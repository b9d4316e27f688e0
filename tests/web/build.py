"""The browser app's build, for tests: its npm packages installed and web/dist up to date."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.harness import ROOT

WEB = ROOT / "web"


def node_or_fail() -> str:
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "esbuild").exists():
        pytest.fail("node and the web app's packages are required: run ./scripts/test.sh")
    return node


def build(*args: str) -> None:
    """Run web/build.mjs (it returns at once when web/dist matches the sources)."""
    subprocess.run(
        [node_or_fail(), str(WEB / "build.mjs"), *args],
        cwd=ROOT,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        timeout=120,
    )
