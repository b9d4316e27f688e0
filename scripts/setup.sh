#!/usr/bin/env bash
# Installs what Cofacture needs into .venv and node_modules, and builds the browser app into
# web/dist. Idempotent: a second run only compares hashes of pyproject.toml, the package-lock.json
# files and web/'s sources, and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
extras=${1:-dev}

# WeasyPrint (the PDFs, server/exports/pdf.py) draws text with Debian's Pango and HarfBuzz and
# needs fonts: the templates ask for DejaVu, with Liberation as the fallback.
weasyprint_debs="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation"
# shellcheck disable=SC2086  # a list of package names, split on purpose
if ! dpkg -s $weasyprint_debs >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $weasyprint_debs
  else
    echo "note: the PDFs need: sudo apt-get install $weasyprint_debs" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Python packages come from the lock files only (scripts/lock.sh writes them from pyproject.toml),
# pinned with hashes; dev also gets the bench extra: mypy checks bench/.
if [ "$extras" = runtime ]; then lock=requirements/runtime.lock; else lock=requirements/dev.lock; fi
py_stamp=".venv/.stamp-$(cat pyproject.toml "$lock" | sha256sum | cut -c1-16)-$extras-3"
if [ ! -f "$py_stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  rm -f .venv/.stamp-*
  touch "$py_stamp"
fi

if [ "$extras" != "runtime" ]; then
  js_stamp="node_modules/.stamp-$(cat package-lock.json | sha256sum | cut -c1-16)"
  if [ ! -f "$js_stamp" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    touch "$js_stamp"
  fi
fi

# The browser app (web/) has its own packages; web/build.mjs builds web/dist only when a hash of
# web/'s sources differs from the one stamped in web/dist, so a second run returns at once.
web_stamp="web/node_modules/.stamp-$(cat web/package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$web_stamp" ]; then
  npm ci --prefix web --no-audit --no-fund --loglevel=error
  touch "$web_stamp"
fi
node web/build.mjs
