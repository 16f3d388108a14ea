#!/usr/bin/env bash
# CI for the Make custom app, from a clean clone: install the pinned dev tools, lint, then run the
# static tests (Make's JSON Schemas, cross-references, interface vs samples, corrupted copies) and
# the live tests (OpenAPI contract and real runs against a BestRoute started by
# tests/support/live_stack.py). There is nothing to build: the JSON files are the app.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$here"

export BESTROUTE_PYTHON="${BESTROUTE_PYTHON:-$repo/.venv/bin/python}"
schemas="${MAKE_APP_SCHEMAS_DIR:-$repo/../shared/reference/make-app-schemas}"
[ -x "$BESTROUTE_PYTHON" ] || { echo "make-app/ci.sh: no Python at $BESTROUTE_PYTHON (set BESTROUTE_PYTHON)" >&2; exit 1; }
[ -f "$schemas/makecomapp.schema.json" ] || { echo "make-app/ci.sh: Make's schemas are not in $schemas" >&2; exit 1; }

echo "== make-app: node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund
echo "== make-app: lint"
npm run --silent lint
echo "== make-app: tests"
npm test
