"""The lock files pin every dependency pyproject.toml names (scripts/lock.sh rewrites them)."""

from __future__ import annotations

import re
import tomllib

from tests.harness import ROOT


def _name(requirement: str) -> str:
    name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
    return name.lower().replace("_", "-").replace(".", "-")


def _pinned(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    # `name==version \` or, with an environment marker, `name==version ; marker \`.
    found = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)(?: ;[^\\\n]*)? \\", text, re.M)
    return {_name(name): version for name, version in found}


def test_every_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [_name(r) for r in project["dependencies"]]
    extras = [
        _name(r) for group in ("dev", "bench") for r in project["optional-dependencies"][group]
    ]
    for lock, names in (("runtime.lock", runtime), ("dev.lock", runtime + extras)):
        pinned = _pinned(lock)
        missing = [
            n for n in names if n.replace(".", "-") not in {k.replace(".", "-") for k in pinned}
        ]
        assert not missing, f"requirements/{lock} lacks {missing}: run scripts/lock.sh"
        text = (ROOT / "requirements" / lock).read_text()
        assert text.count("--hash=sha256:") >= len(pinned), lock
