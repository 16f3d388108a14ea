#!/usr/bin/env bash
# Installs a pinned, headless n8n into a cache folder outside git (default <repo>/.cache/n8n-full)
# and prints that folder. Reuses an existing install when the marker file matches the version.
# --ignore-scripts skips n8n's postinstall hooks (they try to reach the internet); sqlite3 is then
# the only native module the CLI needs, so it is rebuilt for Node 24 by hand.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="${N8N_VERSION:-2.40.7}"
dir="${N8N_FULL_DIR:-$repo/.cache/n8n-full}"
marker="$dir/.installed-$version"

if [[ -f "$marker" ]]; then
  echo "$dir"
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$node_major" -lt 24 ]]; then
  echo "install-n8n.sh: needs Node 24 first on PATH (found $(node --version))" >&2
  exit 1
fi

mkdir -p "$dir"
cd "$dir"
[[ -f package.json ]] || echo '{"name": "n8n-full-cache", "private": true}' > package.json
echo "install-n8n.sh: installing n8n@$version into $dir (several minutes)" >&2
npm_config_yes=true npm install --no-audit --no-fund --ignore-scripts --save-exact "n8n@$version" >&2

sqlite_dir="$(node -p 'require("path").dirname(require.resolve("sqlite3/package.json", {paths: [require.resolve("n8n/package.json")]}))')"

node_real="$(readlink -f "$(command -v node)")"
node_home="$(dirname "$(dirname "$node_real")")"
echo "install-n8n.sh: rebuilding sqlite3 in $sqlite_dir against $node_home" >&2
(cd "$sqlite_dir" && npx --yes node-gyp rebuild --nodedir="$node_home" >&2)
node -e 'require(process.argv[1])' "$sqlite_dir" >&2
touch "$marker"
echo "$dir"
