#!/usr/bin/env bash
# Runs every test of the project on a machine with nothing installed: the Python service's suite
# (pytest, real uvicorn + SQLite/PostgreSQL/Redis + the fake upstream), then each connector's ci.sh.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export BESTROUTE_PYTHON="$root/.venv/bin/python"
export LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_OFFLINE_MODE=true HF_HUB_OFFLINE=1

if [ ! -x "$BESTROUTE_PYTHON" ]; then
  python3 -m venv .venv
fi
"$BESTROUTE_PYTHON" -m pip install -q --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v '^WARNING: Location' || true
"$BESTROUTE_PYTHON" -c "import bestroute, litellm, fastapi" >/dev/null

node_dir="$(bash tests/support/node24.sh)"
export PATH="$node_dir:$PATH"
echo "node $(node --version), npm $(npm --version)"

failed=()
echo "=== python: ruff (pyflakes checks)"
if ! "$BESTROUTE_PYTHON" -m ruff check service tests bench; then
  failed+=("ruff")
fi
echo "=== python: pytest"
if ! "$BESTROUTE_PYTHON" -m pytest -q -p no:cacheprovider; then
  failed+=("pytest")
fi
for connector in n8n-node make-app zapier-app; do
  if [ -f "$connector/ci.sh" ]; then
    echo "=== $connector: ci.sh"
    if ! (cd "$connector" && bash ci.sh); then
      failed+=("$connector")
    fi
  else
    echo "=== $connector: no ci.sh" >&2
    failed+=("$connector (missing ci.sh)")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all test suites passed"
