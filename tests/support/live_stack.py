"""Start the fake upstream and a real BestRoute server for the connectors' tests.

    python tests/support/live_stack.py --ready-file PATH [--no-keys]

When ready, writes {"base_url", "api_key", "admin_key", "upstream_url"} to PATH, then runs until
SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.stack import Service, Upstream  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--ready-file", required=True, type=Path)
    p.add_argument("--no-keys", action="store_true", help="create no API key (auth stays open)")
    args = p.parse_args()
    # SIGTERM/SIGINT unwind through the finally below at any point, start-up included
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    upstream = Upstream().start()
    service = Service(upstream.url)
    try:
        service.start()
        key = None if args.no_keys else service.create_key(name="connector-tests")["key"]
        ready = {"base_url": service.url, "api_key": key, "admin_key": service.admin_key,
                 "upstream_url": upstream.url}
        tmp = args.ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(ready))
        tmp.replace(args.ready_file)
        while service.proc.poll() is None and upstream.proc.poll() is None:
            time.sleep(0.5)
        print("live_stack: a process died", file=sys.stderr)
        return 1
    finally:
        service.stop()
        upstream.stop()


if __name__ == "__main__":
    raise SystemExit(main())
