#!/usr/bin/env bash
# Everything for the n8n node from a clean clone: install, build, lint, engine tests against the
# live service, then the end-to-end run in a real headless n8n. Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$here"

export CI=true
export BESTROUTE_PYTHON="${BESTROUTE_PYTHON:-$repo/.venv/bin/python}"
# eslint-plugin-n8n-nodes-base has a `preinstall: npx only-allow pnpm` hook; never prompt.
export npm_config_yes=true

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [[ "$node_major" -lt 24 ]]; then
  PATH="$(bash "$repo/tests/support/node24.sh"):$PATH"
  export PATH
fi
echo "n8n-node ci: node $(node --version), npm $(npm --version)"

start=$SECONDS
step() { echo; echo "== n8n-node ci: $* ($((SECONDS - start)) s)"; }

step "npm ci"
# Install scripts are not needed: the engine runs without the native isolated-vm build.
npm ci --no-audit --no-fund --ignore-scripts

step "build, lint (strict) and engine tests against the live service (npm test)"
npm test

step "end-to-end in a real headless n8n"
node e2e/run.mjs

step "done"
