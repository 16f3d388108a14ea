"""Soak: many concurrent clients for minutes against a real `bestroute serve`, with faults mixed in.

    .venv/bin/python bench/soak.py                  # 50 clients, 5 minutes
    .venv/bin/python bench/soak.py --seconds 60     # shorter
    .venv/bin/python bench/soak.py --database postgres --out soak.json

Not part of CI. The service runs with one worker behind a fake upstream (tests/fake_upstream.py)
that takes --upstream-ms per call; a chaos loop breaks one model at a time (500, 503, 429 with
Retry-After, stalls past the provider timeout, malformed JSON, wrong content type, a body of the
wrong shape, streams cut mid-way). Every request allows three models, so a fallback always exists.

Each client sends a mix: routed requests (/v1/route), dry runs, OpenAI-compatible requests plain and
streaming, json_schema output, requests no model can satisfy (422 no-eligible-model) and invalid ones
(422 invalid-field). It checks:

- no unexpected status: routed requests must be answered (200), the two 422 kinds must be 422;
- memory stays flat: the service's RSS is sampled every few seconds (/proc); growth is reported
  between the first sample after warm-up and the end;
- exactly one usage record per routed request: every request carries its own X-Request-ID, and the
  usage table must hold exactly one row for each routed request a client sent (and none for the
  invalid ones, which never reach the router).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.stack import Service, Upstream  # noqa: E402

MODELS = ["openai/gpt-5-mini", "anthropic/claude-haiku-4-5", "openai/gpt-4o-mini"]
FAULTS = [
    {"mode": "error", "status": 500}, {"mode": "error", "status": 503},
    {"mode": "rate_limit", "retry_after": 2}, {"mode": "stall"},  # stalls past the provider timeout
    {"mode": "garbage"}, {"mode": "wrong_content_type"}, {"mode": "shape"}, {"mode": "cut"},
]
TASKS = ["Write a Python function that merges two sorted lists.",
         "Classify the sentiment: the delivery was late but the support was great.",
         "Summarize: BestRoute picks a model for each request and falls back when one fails.",
         "What is the capital of Australia?", "Solve 3x + 7 = 22 and show the steps."]
SCHEMA = {"type": "object", "properties": {"label": {"type": "string"}, "score": {"type": "number"}},
          "required": ["label", "score"]}


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    routed_ids: set[str] = field(default_factory=set)  # X-Request-IDs that must have one usage row
    invalid_ids: set[str] = field(default_factory=set)  # X-Request-IDs that must have none
    fallbacks: int = 0
    transport_errors: int = 0


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pick(rng: random.Random) -> tuple[str, str, dict[str, Any], int]:
    """(kind, path, body, expected status) of one request."""
    task = rng.choice(TASKS)
    allowed = {"allowed_models": MODELS}
    roll = rng.random()
    if roll < 0.45:
        return "route", "/v1/route", {"task": task, "max_output_tokens": 64, "constraints": allowed}, 200
    if roll < 0.55:
        return "dry_run", "/v1/route", {"task": task, "dry_run": True, "constraints": allowed}, 200
    if roll < 0.70:
        return "chat", "/v1/chat/completions", {"model": "bestroute/auto", "max_tokens": 64,
                                               "messages": [{"role": "user", "content": task}],
                                               "bestroute": allowed}, 200
    if roll < 0.85:
        return "stream", "/v1/chat/completions", {"model": "bestroute/auto", "max_tokens": 64, "stream": True,
                                                 "messages": [{"role": "user", "content": task}],
                                                 "bestroute": allowed}, 200
    if roll < 0.92:
        return "json", "/v1/route", {"task": "Label this review: great!", "max_output_tokens": 64,
                                     "constraints": {"allowed_models": ["openai/gpt-5-mini", "openai/gpt-4o-mini",
                                                                        "anthropic/claude-haiku-4-5"]},
                                     "response_format": {"type": "json_schema", "schema": SCHEMA}}, 200
    if roll < 0.96:
        return "no_model", "/v1/route", {"task": task, "constraints": {"max_cost_usd": 1e-9}}, 422
    return "invalid", "/v1/route", {"task": task, "temperature": 9}, 422


async def client(n: int, url: str, key: str, until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as c:
        i = 0
        while time.monotonic() < until:
            i += 1
            kind, path, body, expected = pick(rng)
            rid = f"soak-{n}-{i}"
            started = time.perf_counter()
            try:
                if kind == "stream":
                    status, failed_in_band, model = await _stream(c, path, body, rid)
                else:
                    r = await c.post(path, json=body, headers={"x-request-id": rid})
                    status, failed_in_band, model = r.status_code, False, ""
                    data = r.json()
                    if status != expected:
                        model = str(data.get("detail", ""))[:160]
                    if status == 200 and kind in ("route", "json"):
                        tally.fallbacks += bool(data.get("fallback_used"))
                    if status == 200 and kind == "chat":
                        tally.fallbacks += bool(data["bestroute"].get("fallback_used"))
            except httpx.TransportError as exc:
                tally.transport_errors += 1
                tally.unexpected.append(f"{kind}: {type(exc).__name__}")
                continue
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[f"{kind} {status}"] += 1
            (tally.invalid_ids if kind == "invalid" else tally.routed_ids).add(rid)
            if status != expected or failed_in_band:
                why = (f" (error in the stream: {model})" if kind == "stream" and failed_in_band
                       else f" ({model})" if model and status != expected else "")
                tally.unexpected.append(f"{kind}: {status}{why}")


async def _stream(c: httpx.AsyncClient, path: str, body: dict[str, Any], rid: str) -> tuple[int, bool, str]:
    async with c.stream("POST", path, json=body, headers={"x-request-id": rid}) as r:
        if r.status_code != 200:
            await r.aread()
            return r.status_code, False, ""
        failed, model = False, ""
        async for line in r.aiter_lines():
            if line.startswith("data: {"):
                event = json.loads(line[6:])
                if "error" in event:
                    failed = True
                    model = event["error"].get("message", "")[:160]
                else:
                    model = event.get("model", model)
        return 200, failed, model


async def chaos(upstream: Upstream, until: float, period_s: float, stall_s: float, rng: random.Random,
                log: list[str]) -> None:
    """Break one model at a time, for a while, then let it recover."""
    loop = asyncio.get_running_loop()
    while time.monotonic() < until:
        model = rng.choice(MODELS).split("/")[1]
        fault = rng.choice(FAULTS)
        if fault["mode"] == "stall":
            fault = {**fault, "delay_s": stall_s}
        await loop.run_in_executor(None, lambda: upstream.control(model=model, **fault))
        log.append(f"{model}: {fault['mode']}{fault.get('status', '')}")
        await asyncio.sleep(period_s)
        await loop.run_in_executor(None, upstream.reset)
        await asyncio.sleep(period_s / 2)


async def sampler(pid: int, until: float, every_s: float, samples: list[tuple[float, int]], t0: float) -> None:
    while time.monotonic() < until:
        samples.append((round(time.monotonic() - t0, 1), rss_kb(pid)))
        await asyncio.sleep(every_s)


def usage_counts(svc: Service, database_url: str | None) -> Counter[str]:
    sql = "SELECT request_id, COUNT(*) AS n FROM usage WHERE request_id LIKE 'soak-%' GROUP BY request_id"
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            return Counter({rid: n for rid, n in conn.execute(sql).fetchall()})
    conn = sqlite3.connect(svc.data_dir / "bestroute.db")
    try:
        return Counter({rid: n for rid, n in conn.execute(sql)})
    finally:
        conn.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    upstream = Upstream(delay_ms=args.upstream_ms).start()
    database_url = None
    pg = None
    # a stalled provider is cut after --provider-timeout-s; a whole stream must finish in that time
    env = {"BESTROUTE_PROVIDER_TIMEOUT_S": str(args.provider_timeout_s), "BESTROUTE_CIRCUIT_FAILURES": "5",
           "BESTROUTE_CIRCUIT_COOLDOWN_S": "3"}
    if args.database == "postgres":
        from tests.support.teamdb import pg_database

        pg = pg_database()
        database_url = pg.__enter__()
        env["BESTROUTE_DATABASE_URL"] = database_url
    svc = Service(upstream.url, extra_env=env).start()
    try:
        key = svc.create_key(name="soak", budget_usd=1_000_000)["key"]
        assert svc.proc is not None
        # warm every path once (not counted)
        async with httpx.AsyncClient(base_url=svc.url, headers={"authorization": f"Bearer {key}"},
                                     timeout=60) as c:
            for _ in range(3):
                await c.post("/v1/route", json={"task": "warm up", "constraints": {"allowed_models": MODELS}})
        tally, samples, chaos_log = Tally(), [], []
        load_before = os.getloadavg()
        t0 = time.monotonic()
        until = t0 + args.seconds
        tasks = [client(i, svc.url, key, until, tally, args.seed * 1000 + i) for i in range(args.clients)]
        tasks.append(sampler(svc.proc.pid, until + 1, args.sample_s, samples, t0))
        if not args.no_faults:
            tasks.append(chaos(upstream, until, args.fault_period_s, args.provider_timeout_s + 5, rng, chaos_log))
        await asyncio.gather(*tasks)
        took = time.monotonic() - t0
        load_after = os.getloadavg()
        samples.append((round(time.monotonic() - t0, 1), rss_kb(svc.proc.pid)))
        await asyncio.sleep(0.5)
        counts = usage_counts(svc, database_url)
    finally:
        svc.stop()
        upstream.stop()
        if pg is not None:
            pg.__exit__(None, None, None)

    missing = sorted(tally.routed_ids - counts.keys())
    doubled = sorted(rid for rid, n in counts.items() if n > 1)
    stray = sorted(tally.invalid_ids & counts.keys())
    unknown = sorted(counts.keys() - tally.routed_ids - tally.invalid_ids)
    warm = [kb for t, kb in samples if t >= args.seconds * 0.2] or [kb for _, kb in samples]
    lat = sorted(tally.latencies)
    total = len(lat)
    result = {
        "seconds": round(took, 1), "clients": args.clients, "database": args.database,
        "upstream_ms": args.upstream_ms, "provider_timeout_s": args.provider_timeout_s, "faults": not args.no_faults, "fault_windows": len(chaos_log),
        "requests": total, "rps": round(total / took, 1),
        "machine_load_avg_1m": {"before": round(load_before[0], 1), "after": round(load_after[0], 1),
                                "cores": os.cpu_count()},
        "latency_ms": {"p50": round(1000 * lat[total // 2], 1), "p95": round(1000 * lat[int(total * 0.95)], 1),
                       "p99": round(1000 * lat[int(total * 0.99)], 1), "max": round(1000 * lat[-1], 1)}
        if lat else {},
        "statuses": dict(sorted(tally.statuses.items())),
        "fallbacks_answered": tally.fallbacks,
        "unexpected": len(tally.unexpected), "unexpected_kinds": dict(Counter(tally.unexpected).most_common(10)),
        "rss_mb": {"first_after_warmup": round(warm[0] / 1024, 1), "end": round(warm[-1] / 1024, 1),
                   "max": round(max(kb for _, kb in samples) / 1024, 1),
                   "growth_after_warmup": round((warm[-1] - warm[0]) / 1024, 1),
                   "median": round(statistics.median(kb for _, kb in samples) / 1024, 1)},
        "rss_samples_mb": " ".join(f"{t:g}s:{kb / 1024:.1f}" for t, kb in samples),
        "usage": {"routed_requests": len(tally.routed_ids), "rows_matched": len(tally.routed_ids & counts.keys()),
                  "missing": len(missing), "duplicated": len(doubled), "rows_for_invalid": len(stray),
                  "rows_unknown": len(unknown), "examples_missing": missing[:5]},
    }
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=300.0)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--upstream-ms", type=float, default=20.0, help="time the fake provider takes per call")
    p.add_argument("--provider-timeout-s", type=float, default=10.0,
                   help="BESTROUTE_PROVIDER_TIMEOUT_S (stall faults last 5 s longer)")
    p.add_argument("--fault-period-s", type=float, default=4.0, help="how long each fault lasts")
    p.add_argument("--no-faults", action="store_true")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--sample-s", type=float, default=5.0, help="RSS sampling interval")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, help="write the result as JSON here")
    args = p.parse_args()
    result = asyncio.run(run(args))
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    u = result["usage"]
    ok = (result["unexpected"] == 0 and u["missing"] == 0 and u["duplicated"] == 0
          and u["rows_for_invalid"] == 0 and u["rows_unknown"] == 0)
    print("PASS" if ok else "FAIL", file=sys.stderr)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
