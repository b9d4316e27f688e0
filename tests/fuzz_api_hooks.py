"""schemathesis hooks for tests/fuzz_api.py: most generated requests name the real invoice and
organization (from the environment), so operations are exercised beyond their 404."""

from __future__ import annotations

import os
import random
from typing import Any

import schemathesis

_REAL = {
    "invoice_id": os.environ.get("COFACTURE_FUZZ_INVOICE", ""),
    "org": os.environ.get("COFACTURE_FUZZ_ORG", ""),
}
_rng = random.Random(0)


@schemathesis.hook
def map_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> Any:
    if path_parameters:
        for name, value in _REAL.items():
            if name in path_parameters and value and _rng.random() < 0.8:
                path_parameters[name] = value
    return path_parameters
