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

# The full n8n install for the end-to-end step takes minutes and is mostly download and disk;
# run it alongside npm ci and the engine tests. Its own process group, so it can be stopped.
step "n8n install for the end-to-end step starts in the background"
install_log="$(mktemp)"
set -m  # job control: the background job gets its own process group (pgid = its pid)
bash e2e/install-n8n.sh >"$install_log" 2>&1 &
install_pid=$!
set +m
stop_install() {
  if kill -0 "$install_pid" 2>/dev/null; then kill -- -"$install_pid" 2>/dev/null || true; fi
}
trap stop_install EXIT

step "npm ci"
# Install scripts are not needed: the engine runs without the native isolated-vm build.
npm ci --no-audit --no-fund --ignore-scripts

step "build, lint (strict) and engine tests against the live service (npm test)"
# A hung test process must fail CI, not stall it.
timeout 900 npm test

step "waiting for the n8n install"
if ! wait "$install_pid"; then
  echo "n8n-node ci: install-n8n.sh failed:" >&2
  tail -n 60 "$install_log" >&2
  exit 1
fi
tail -n 1 "$install_log"

step "end-to-end in a real headless n8n"
node e2e/run.mjs

step "done"
