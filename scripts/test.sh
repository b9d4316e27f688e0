#!/usr/bin/env bash
# Sets up (first run) and runs everything that must pass before a commit:
# lint, type check, and the whole test suite (unit, property and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check collab server tests bench
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
