"""Side-by-side benchmark: BestRoute vs LiteLLM Proxy vs calling the (fake) upstream directly.

Run from the repository root with the project's venv::

    .venv/bin/python bench/bench_gateway.py            # everything, prints the tables
    .venv/bin/python bench/bench_gateway.py --quick    # fewer requests, for a smoke run

Everything runs on 127.0.0.1 against the same fake upstream (tests/fake_upstream.py, OpenAI wire
format, no delay). Each gateway runs with the same number of workers, pinned to CPU 0; the load
generator and the fake upstream share CPU 1. LiteLLM Proxy is installed on first use into its own
venv under .cache/litellm-proxy (``pip install 'litellm[proxy]'``).

Measured per target: requests/s and p50/p99 latency at concurrency 1 and 50, server CPU ms per
request (utime + stime of the server's processes before/after, from /proc), peak RSS per process
(VmHWM), time until the health check answers and until the first request through the whole path
succeeds. BestRoute is measured with its usage log on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_decision  # noqa: E402
import bench_litellm  # noqa: E402
import bench_usage  # noqa: E402
from _load import ROOT, Result, Server, cpu_seconds, free_port, peak_rss_mb, pin, post, run_load, spawn  # noqa: E402
from _load import wait_first_ok, wait_ready  # noqa: E402

PY = sys.executable
PROXY_VENV = ROOT / ".cache" / "litellm-proxy"
PROXY_SPEC = "litellm[proxy]"
MODEL = "gpt-5-mini"  # what LiteLLM Proxy and the direct call ask for; BestRoute picks among OpenAI models
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "bench_gateway"  # its own schema, so test runs sharing the database are not disturbed
TASK = "Write a Python function that merges two sorted lists."
MESSAGES = [{"role": "user", "content": TASK}]
SERVER_CPUS, CLIENT_CPUS = {0}, {1}


@dataclass
class Row:
    target: str
    concurrency: int
    result: Result
    cpu_ms: float

    def cells(self) -> list[str]:
        r = self.result
        return [self.target, str(self.concurrency), f"{r.ok}", f"{r.errors}", f"{r.rps():.0f}", f"{r.pct(50):.2f}",
                f"{r.pct(99):.2f}", f"{self.cpu_ms:.2f}" if self.cpu_ms == self.cpu_ms else "-"]


@dataclass
class Target:
    name: str
    server: Server | None  # None for the direct call (its CPU is the upstream's)
    port: int
    path: str
    body: Any
    headers: dict[str, str]


def server_cpus(workers: int) -> set[int]:
    """One worker gets CPU 0 to itself; several workers may use every CPU (shared with the load)."""
    return SERVER_CPUS if workers == 1 else set(range(os.cpu_count() or 1))


# --- servers --------------------------------------------------------------------------------------
def start_upstream(work: Path) -> Server:
    port = free_port()
    srv = spawn("fake-upstream", [PY, str(ROOT / "tests" / "fake_upstream.py"), "--port", str(port)],
                port, dict(os.environ), work / "upstream.log")
    wait_ready(srv, "/_stats")
    pin(srv.pids(), CLIENT_CPUS)
    return srv


def bestroute_env(upstream: Server, data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.endswith(("_API_KEY", "_BASE_URL")) and not k.startswith("BESTROUTE_")}
    env.update({"OPENAI_API_KEY": "sk-fake", "OPENAI_BASE_URL": f"{upstream.url}/v1",
                "BESTROUTE_DATA_DIR": str(data_dir), "BESTROUTE_LOG_LEVEL": "warning",
                "BESTROUTE_ADMIN_KEY": "adm-bench-admin-key"})
    if database_url:
        env["BESTROUTE_DATABASE_URL"] = database_url
    return env


def start_bestroute(name: str, upstream: Server, work: Path, workers: int, database_url: str | None,
                    client: str = "native") -> tuple[Server, str]:
    data_dir = Path(tempfile.mkdtemp(prefix="bestroute-bench-", dir=work))
    env = bestroute_env(upstream, data_dir, database_url)
    env["BESTROUTE_UPSTREAM_CLIENT"] = client
    out = subprocess.run([PY, "-m", "bestroute", "keys", "create", "--name", "bench", "--json"], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT)
    key = json.loads(out.stdout)["key"]
    port = free_port()
    srv = spawn(name, [PY, "-m", "bestroute", "serve", "--port", str(port), "--workers", str(workers)], port, env,
                work / f"{name}.log")
    headers = {"Authorization": f"Bearer {key}"}
    wait_ready(srv, "/readyz")  # ready: database reachable and the provider clients warmed up
    wait_first_ok(srv, "/v1/route", {"task": TASK, "max_output_tokens": 256}, headers)
    pin(srv.pids(), server_cpus(workers))
    return srv, key


def ensure_proxy() -> Path:
    exe = PROXY_VENV / "bin" / "litellm"
    if not exe.exists():
        print(f"installing {PROXY_SPEC} into {PROXY_VENV} (once) ...", file=sys.stderr)
        subprocess.run([PY, "-m", "venv", str(PROXY_VENV)], check=True)
        subprocess.run([str(PROXY_VENV / "bin" / "pip"), "install", "-q", PROXY_SPEC], check=True)
    return exe


def proxy_version() -> str:
    out = subprocess.run([str(PROXY_VENV / "bin" / "python"), "-c",
                          "import importlib.metadata as m; print(m.version('litellm'))"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "?"


def start_proxy(upstream: Server, work: Path, workers: int) -> tuple[Server, str]:
    exe = ensure_proxy()
    master = "sk-bench-master"
    cfg = work / "litellm-proxy.yaml"
    cfg.write_text(
        "model_list:\n"
        f"  - model_name: {MODEL}\n"
        "    litellm_params:\n"
        f"      model: openai/{MODEL}\n"
        f"      api_base: {upstream.url}/v1\n"
        "      api_key: sk-fake\n"
        "general_settings:\n"
        f"  master_key: {master}\n")
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.update({"LITELLM_MASTER_KEY": master, "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                "LITELLM_LOG": "ERROR", "LITELLM_OFFLINE_MODE": "true"})
    port = free_port()
    srv = spawn("litellm-proxy", [str(exe), "--config", str(cfg), "--host", "127.0.0.1", "--port", str(port),
                                  "--num_workers", str(workers)], port, env, work / "litellm-proxy.log")
    headers = {"Authorization": f"Bearer {master}"}
    wait_ready(srv, "/health/liveliness", timeout=180)
    wait_first_ok(srv, "/v1/chat/completions", {"model": MODEL, "messages": MESSAGES, "max_tokens": 256}, headers)
    pin(srv.pids(), server_cpus(workers))
    return srv, master


# --- measuring ------------------------------------------------------------------------------------
def measure(t: Target, upstream: Server, concurrency: int, total: int, warmup: int) -> Row:
    srv = t.server or upstream
    pids = srv.pids()
    run_load(t.port, t.path, t.body, t.headers, concurrency=concurrency, total=warmup, max_s=30)
    before = cpu_seconds(pids)
    res = run_load(t.port, t.path, t.body, t.headers, concurrency=concurrency, total=total, max_s=60)
    cpu = cpu_seconds(pids) - before
    return Row(t.name, concurrency, res, cpu / max(res.ok + res.errors, 1) * 1000)


def bench_targets(targets: list[Target], upstream: Server, plan: list[tuple[int, int]], warmup: int) -> list[Row]:
    rows = []
    for t in targets:
        for concurrency, total in plan:
            row = measure(t, upstream, concurrency, total, warmup)
            print(f"  {' | '.join(row.cells())}", file=sys.stderr, flush=True)
            if row.result.errors:
                print(f"    first error: {row.result.first_error}", file=sys.stderr)
            rows.append(row)
    return rows


def median_row(rows: list[Row]) -> Row:
    """The round with the median requests/s; CPU per request is the median over rounds."""
    by_rps = sorted(rows, key=lambda r: r.result.rps())
    mid = by_rps[len(by_rps) // 2]
    cpus = sorted(r.cpu_ms for r in rows)
    return Row(mid.target, mid.concurrency, mid.result, cpus[len(cpus) // 2])


def drop_pg_schema() -> None:
    import psycopg

    try:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
    except psycopg.Error as exc:
        print(f"could not drop schema {PG_SCHEMA}: {exc}", file=sys.stderr)


def reset_pg_schema() -> str:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{PG_SCHEMA}"


# --- output ---------------------------------------------------------------------------------------
def md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def machine() -> str:
    model = "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; CPU {model}, {os.cpu_count()} cores; Python "
            f"{platform.python_version()}; load average before the run: {load}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    ap.add_argument("--workers", type=int, default=1, help="workers for each gateway (default 1)")
    ap.add_argument("--requests", type=int, default=2000, help="requests per run at concurrency 50")
    ap.add_argument("--requests-c1", type=int, default=500, help="requests per run at concurrency 1")
    ap.add_argument("--rounds", type=int, default=3, help="rounds over all targets; the table shows medians")
    ap.add_argument("--no-proxy", action="store_true", help="skip LiteLLM Proxy")
    ap.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    ap.add_argument("--no-litellm-client", action="store_true",
                    help="skip the run with BESTROUTE_UPSTREAM_CLIENT=litellm (every call through litellm)")
    ap.add_argument("--no-decision", action="store_true", help="skip the decision benchmark")
    ap.add_argument("--no-litellm-calls", action="store_true", help="skip the litellm call benchmark")
    ap.add_argument("--no-usage", action="store_true", help="skip the usage-log benchmark")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = ap.parse_args()
    if args.quick:
        args.requests, args.requests_c1, args.rounds = 400, 100, 1
    plan = [(1, args.requests_c1), (50, args.requests)]
    warmup = 50 if args.quick else 200
    print(f"# {machine()}", flush=True)

    if not args.no_decision:
        print("\n## Decision latency (Router.decide: validation + task analysis + policy, in process)\n")
        print(bench_decision.table(bench_decision.measure(budget_s=0.5 if args.quick else 2.0)), flush=True)

    if not args.no_usage:
        print("\n## Usage log group commit (UsageWriter alone, in process)\n")
        print(bench_usage.table(bench_usage.measure(None if args.no_postgres else reset_pg_schema(),
                                                    total=800 if args.quick else 4000)), flush=True)

    pin([os.getpid()], CLIENT_CPUS)
    work = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    servers: list[Server] = []
    rows: list[Row] = []
    starts: list[Server] = []
    try:
        upstream = start_upstream(work)
        servers.append(upstream)
        # what a client of OpenAI sends for this model (the fake checks it as OpenAI does)
        direct = Target("direct upstream", None, upstream.port, "/v1/chat/completions",
                        {"model": MODEL, "messages": MESSAGES, "max_completion_tokens": 256},
                        {"Authorization": "Bearer sk-fake"})
        where = "gateway on CPU 0" if args.workers == 1 else "gateway on all CPUs"
        print(f"\n## Gateways ({args.workers} worker(s) each, {where}, load + upstream on CPU 1)\n",
              file=sys.stderr)
        if not args.no_litellm_calls:
            print("\n## One provider call, CPU: litellm and the native client (in process, against the same fake upstream)\n")
            print(bench_litellm.table(bench_litellm.measure(upstream.url, 100 if args.quick else 300,
                                                            1 if args.quick else 3)), flush=True)
        targets: list[Target] = [direct]
        runs = [("bestroute (sqlite)", None, "native")]
        if not args.no_postgres:
            runs.append(("bestroute (postgres)", "pg", "native"))
        if not args.no_litellm_client:
            runs.append(("bestroute (sqlite, via litellm)", None, "litellm"))
        for name, db, client in runs:
            url = reset_pg_schema() if db == "pg" else None
            srv, key = start_bestroute(name, upstream, work, args.workers, url, client)
            servers.append(srv)
            starts.append(srv)
            auth = {"Authorization": f"Bearer {key}"}
            targets.append(Target(f"{name} /v1/route", srv, srv.port, "/v1/route",
                                  {"task": TASK, "max_output_tokens": 256}, auth))
            status, _ = post(srv.url + "/v1/chat/completions", {"model": "bestroute/auto", "messages": MESSAGES,
                                                                "max_tokens": 256}, auth)
            if status == 200 and db is None:  # the same work as /v1/route: measured once per client
                targets.append(Target(f"{name} /v1/chat/completions", srv, srv.port, "/v1/chat/completions",
                                      {"model": "bestroute/auto", "messages": MESSAGES, "max_tokens": 256}, auth))
            if db is None and client == "native":  # BestRoute's own cost: everything (auth, decision, usage row, receipt) but the model call
                targets.append(Target(f"{name} /v1/route dry_run", srv, srv.port, "/v1/route",
                                      {"task": TASK, "max_output_tokens": 256, "dry_run": True}, auth))
        if not args.no_proxy:
            srv, master = start_proxy(upstream, work, args.workers)
            servers.append(srv)
            starts.append(srv)
            srv.name = f"litellm-proxy {proxy_version()}"
            targets.append(Target(f"{srv.name} /v1/chat/completions", srv, srv.port, "/v1/chat/completions",
                                  {"model": MODEL, "messages": MESSAGES, "max_tokens": 256},
                                  {"Authorization": f"Bearer {master}"}))
        # every server is up (idle ones cost nothing); rounds alternate the targets, so a change in
        # the machine's load during the run hits all of them alike, and the table shows medians
        by_key: dict[tuple[str, int], list[Row]] = {}
        for rnd in range(args.rounds):
            print(f"round {rnd + 1}/{args.rounds}", file=sys.stderr, flush=True)
            for row in bench_targets(targets, upstream, plan, warmup):
                by_key.setdefault((row.target, row.concurrency), []).append(row)
        rows = [median_row(rs) for rs in by_key.values()]
        for s in starts:
            s.rss_mb = peak_rss_mb(s.pids())  # type: ignore[attr-defined]
    finally:
        for s in servers:
            s.stop()
        if not args.no_postgres:
            drop_pg_schema()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}", file=sys.stderr)

    print(f"\n## Throughput, latency, CPU ({args.workers} worker(s) per gateway; median of {args.rounds} round(s))\n")
    print(md_table(["target", "concurrency", "ok", "errors", "req/s", "p50 ms", "p99 ms", "server CPU ms/req"],
                   [r.cells() for r in rows]))
    print("\n## Start-up and memory\n")
    print(md_table(["server", "ready s", "first successful request s", "peak RSS MB (largest process)"],
                   [[s.name, f"{s.ready_s:.2f}", f"{s.first_ok_s:.2f}", f"{getattr(s, 'rss_mb', 0):.0f}"]
                    for s in starts]))
    print("\n## Ratios\n")
    print(ratios(rows))
    return 0


def ratios(rows: list[Row]) -> str:
    by = {(r.target, r.concurrency): r for r in rows}
    direct1 = by.get(("direct upstream", 1))
    proxy = next((r for r in rows if r.target.startswith("litellm-proxy") and r.concurrency == 50), None)
    lines = []
    for r in rows:
        if not r.target.startswith("bestroute"):
            continue
        if r.concurrency == 1 and direct1 and "dry_run" not in r.target:
            lines.append(f"- {r.target}: added p50 latency over the direct call at concurrency 1: "
                         f"{r.result.pct(50) - direct1.result.pct(50):.2f} ms")
        if r.concurrency == 50 and proxy and "dry_run" not in r.target:
            lines.append(f"- {r.target}: throughput at concurrency 50 = {r.result.rps() / proxy.result.rps():.1f}x "
                         f"LiteLLM Proxy's; CPU per request = {r.cpu_ms / proxy.cpu_ms:.2f}x its")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
