#!/usr/bin/env bash
# Sets up (first run) and starts Cofacture on SQLite: http://127.0.0.1:${PORT:-8000}
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3} scripts/setup.sh runtime
exec .venv/bin/python -m server serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
