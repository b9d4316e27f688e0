#!/usr/bin/env bash
# Re-pins every Python dependency, with hashes, after pyproject.toml changes:
#   requirements/runtime.lock  what `scripts/serve.sh` installs
#   requirements/dev.lock      runtime + the dev and bench extras (`scripts/test.sh`)
# scripts/setup.sh installs from these files only, so what runs is what an audit reads
# (docs/reliability.md, "Dependency audit"). Needs PyPI; pip-tools lives in a scratch venv.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${TMPDIR:-/tmp}/cofacture-pip-tools
[ -x "$tools/bin/pip-compile" ] || { python3 -m venv "$tools" && "$tools/bin/pip" install -q pip-tools; }
compile() {
  "$tools/bin/pip-compile" -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
    "$@" pyproject.toml
}
compile -o requirements/runtime.lock
compile --extra dev --extra bench -o requirements/dev.lock
