"""The project's contracts that are not behaviour: import direction and documented settings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from collab.sync.errors import CloseCode
from server.core.settings import SETTINGS
from tests.harness import ROOT

FORBIDDEN_IN_COLLAB = ("server", "starlette", "sqlalchemy", "redis", "authlib", "uvicorn")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_collab_imports_no_framework_database_or_server_code() -> None:
    for path in (ROOT / "collab").rglob("*.py"):
        bad = _imports(path) & set(FORBIDDEN_IN_COLLAB)
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"README.md does not document {missing}"


def test_every_close_code_is_documented() -> None:
    protocol = (ROOT / "docs" / "protocol.md").read_text()
    documented = {int(code) for code in re.findall(r"^\| (\d{4}) \|", protocol, re.M)}
    assert documented == {int(code) for code in CloseCode}
