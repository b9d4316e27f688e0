"""The layout's rules (docs/architecture.md), checked by walking every import of the tree.

- `collab.sync` (the engine) and `collab.invoice` (the domain) never import each other; both may
  use `collab.shape`. Nothing in `collab/` imports `server`, a web framework, a database or a
  broker, and the domain does no I/O (no pycrdt, no asyncio).
- A feature package of `server/` uses another feature only through its `service` module.
- `server/core` is plumbing: only the assembly modules (app, cli, features, migrations) import
  features.
- Every feature has the same shape: models, service, schemas, routes; services never import
  their routes or a web framework's request objects.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from pydantic import BaseModel

from server.core.features import FEATURES
from tests.harness import ROOT

FRAMEWORKS = {"server", "starlette", "fastapi", "sqlalchemy", "redis", "authlib", "uvicorn"}
IO_IN_DOMAIN = {"pycrdt", "asyncio", "anyio", "socket", "sqlite3", "httpx"}
CORE_ASSEMBLY = ("server.core.app", "server.core.cli", "server.core.features")
SHAPE = ("models", "service", "schemas", "routes")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted (`from a import b` gives `a.b` when b is a module)


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(root: Path, package: str) -> list[Import]:
    found: list[Import] = []
    for path in sorted((root / package).rglob("*.py")):
        module = _module_name(root, path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [Import(module, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found += [Import(module, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _feature(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "server" and parts[1] in FEATURES else None


def violations(root: Path) -> list[str]:
    """Every import of the tree under `root` that breaks a layout rule."""
    found: list[str] = []
    for imp in imports_of(root, "collab"):
        if _top(imp.target) in FRAMEWORKS:
            found.append(f"{imp.module} imports {imp.target}: collab is framework-free")
        if imp.module.startswith("collab.sync") and imp.target.startswith("collab.invoice"):
            found.append(f"{imp.module} imports {imp.target}: the engine knows no invoices")
        if imp.module.startswith("collab.invoice"):
            if imp.target.startswith("collab.sync"):
                found.append(f"{imp.module} imports {imp.target}: the domain knows no engine")
            if _top(imp.target) in IO_IN_DOMAIN:
                found.append(f"{imp.module} imports {imp.target}: the domain does no I/O")
    for imp in imports_of(root, "server"):
        source, target = _feature(imp.module), _feature(imp.target)
        if target is None:
            continue
        if source is None:
            if not imp.module.startswith(CORE_ASSEMBLY):
                found.append(f"{imp.module} imports {imp.target}: plumbing imports no feature")
        elif source != target and not imp.target.startswith(f"server.{target}.service"):
            found.append(f"{imp.module} imports {imp.target}: use server.{target}.service")
    return found


def test_the_tree_follows_the_layout_rules() -> None:
    assert violations(ROOT) == []


def test_each_rule_catches_its_violation(tmp_path: Path) -> None:
    bad = {
        "collab/sync/room.py": "from collab.invoice.money import Totals\n",
        "collab/invoice/money.py": "from collab.sync.room import Room\nimport pycrdt\n",
        "collab/shape.py": "import starlette\n",
        "server/comments/service.py": "from server.auth.models import User\n",
        "server/catalog/routes.py": "from server.auth import service\n",  # allowed
        "server/core/db.py": "from server.invoices.service import access\n",
    }
    for name, source in bad.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    found = violations(tmp_path)
    assert [line.split(":")[1].strip() for line in found] == [
        "the domain knows no engine",
        "the domain does no I/O",
        "collab is framework-free",
        "the engine knows no invoices",
        "use server.auth.service",
        "plumbing imports no feature",
    ]


def test_every_feature_has_the_same_shape() -> None:
    for feature in FEATURES:
        package = ROOT / "server" / feature
        missing = [f"{part}.py" for part in SHAPE if not (package / f"{part}.py").exists()]
        assert not missing, f"server/{feature} lacks {missing}"


def test_routes_are_routers_schemas_are_models_services_are_framework_free() -> None:
    import importlib

    for feature in FEATURES:
        routes = importlib.import_module(f"server.{feature}.routes")
        assert isinstance(getattr(routes, "router", None), APIRouter), f"server.{feature}.routes"
        schemas = importlib.import_module(f"server.{feature}.schemas")
        models = [v for v in vars(schemas).values() if isinstance(v, type)]
        assert any(issubclass(m, BaseModel) for m in models), f"server.{feature}.schemas"
        service = [
            i for i in imports_of(ROOT, f"server/{feature}") if i.module.endswith(".service")
        ]
        for imp in service:
            assert _top(imp.target) not in {"starlette", "fastapi"}, imp
            assert not imp.target.startswith(f"server.{feature}.routes"), imp
