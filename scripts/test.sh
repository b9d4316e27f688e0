#!/usr/bin/env bash
# Sets up (first run) and runs everything that must pass before a commit:
# lint, type check, and the whole test suite (unit, property and end-to-end tests, the browser
# app's own unit tests, and its tests in a real Chromium, which are part of the pytest suite).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
# The browser tests drive Debian's Chromium (a downloaded browser does not work here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "note: /usr/bin/chromium is missing; run 'sudo apt-get install chromium' for the browser tests" >&2
  fi
fi
# The several-process tests start a redis-server of their own (tests/processes.py).
if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  else
    echo "note: redis-server is missing; run 'sudo apt-get install redis-server' for the several-process tests" >&2
  fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check collab server tests bench
.venv/bin/mypy
(cd web && node_modules/.bin/tsc --noEmit -p . && node build.mjs --tests \
  && node --test --test-reporter=spec .test-build/*.test.mjs)
# Two test processes, a module to each at a time (module-scoped servers and browsers stay in one):
# most tests wait on servers, browsers and databases, so two shorten the run on two cores
# (1,845 s -> 1,133 s; docs/architecture.md, "an end-to-end test"). TEST_WORKERS=0: one process.
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile "$@"
