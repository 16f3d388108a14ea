#!/usr/bin/env bash
# Installs the pinned, headless n8n of e2e/n8n/ (package.json + package-lock.json, n8n 2.40.7)
# into a cache folder outside git (default <repo>/.cache/n8n-full) and prints that folder.
# Reuses the install while the lockfile is unchanged. --ignore-scripts skips n8n's install hooks
# (they would reach for the internet); sqlite3 is the one native module the CLI needs, so it is
# rebuilt for the running Node 24 by hand. Takes ~4-5 minutes and ~2.8 GB the first time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${N8N_FULL_DIR:-$repo/.cache/n8n-full}"
lock_hash="$(sha256sum "$here/n8n/package-lock.json" | cut -c1-16)"
marker="$dir/.installed-$lock_hash"

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
rm -f "$dir"/.installed-*
cp "$here/n8n/package.json" "$here/n8n/package-lock.json" "$dir/"
cd "$dir"
echo "install-n8n.sh: installing n8n into $dir (several minutes)" >&2
npm_config_yes=true npm ci --no-audit --no-fund --ignore-scripts >&2

sqlite_dir="$(node -p 'require("path").dirname(require.resolve("sqlite3/package.json", {paths: [require.resolve("n8n/package.json")]}))')"
# node-gyp needs the headers of the Node that will load the module: the wheel ships them next
# to its binary (<prefix>/bin/node, <prefix>/include/node).
node_home="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
echo "install-n8n.sh: rebuilding sqlite3 in $sqlite_dir against $node_home" >&2
(cd "$sqlite_dir" && npx --yes node-gyp rebuild --jobs=max --nodedir="$node_home" >&2)
node -e 'require(process.argv[1])' "$sqlite_dir" >&2
touch "$marker"
echo "$dir"
