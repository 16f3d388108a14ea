#!/usr/bin/env bash
# CI for the Zapier app, from a clean clone: install, lint, the tests against the live BestRoute
# service, and the Zapier CLI's own schema validation on Node 24.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

export BESTROUTE_PYTHON="${BESTROUTE_PYTHON:-$root/.venv/bin/python}"
# zapier-platform-cli 19 needs Node 22+; the app itself runs on Node 20+.
if ! node --version 2>/dev/null | grep -q '^v2[4-9]\.'; then
  PATH="$(bash "$root/tests/support/node24.sh"):$PATH"
  export PATH
fi
echo "zapier-app: node $(node --version), npm $(npm --version)"

npm ci --no-audit --no-fund

echo "== build (load the app, export its definition)"
npm run build

echo "== lint"
npm run lint

echo "== tests (jest, NODE_ENV=test, live BestRoute service)"
npm test

echo "== zapier-platform validate --without-style"
# --without-style skips the server-side checks; DISABLE_ZAPIER_ANALYTICS stops the CLI's only
# other network call (usage analytics to zapier.com), so this step runs offline.
DISABLE_ZAPIER_ANALYTICS=1 NO_UPDATE_NOTIFIER=1 npx --no-install zapier-platform validate --without-style </dev/null
echo "zapier-app: ok"
