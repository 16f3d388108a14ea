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
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.stack import Service, Upstream  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--ready-file", required=True, type=Path)
    p.add_argument("--no-keys", action="store_true", help="create no API key (auth stays open)")
    args = p.parse_args()
    upstream = Upstream().start()
    service = Service(upstream.url).start()
    try:
        key = None if args.no_keys else service.create_key(name="connector-tests")["key"]
        ready = {"base_url": service.url, "api_key": key, "admin_key": service.admin_key,
                 "upstream_url": upstream.url}
        tmp = args.ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(ready))
        tmp.replace(args.ready_file)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.wait(0.5):
            if service.proc.poll() is not None or upstream.proc.poll() is not None:
                print("live_stack: a process died", file=sys.stderr)
                return 1
        return 0
    finally:
        service.stop()
        upstream.stop()


if __name__ == "__main__":
    raise SystemExit(main())
