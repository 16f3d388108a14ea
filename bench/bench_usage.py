"""The usage log's group commit, measured alone: records/s and rows per commit, SQLite and PostgreSQL.

Each request waits until its own record is committed; concurrent requests share one transaction.
Run: ``python bench/bench_usage.py`` (also part of ``bench/bench_gateway.py``).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))


def _record(i: int) -> Any:
    from bestroute.store.usage import UsageRecord

    return UsageRecord(id=f"bench_{i}_{time.monotonic_ns()}", created_at=time.time(), api_key_id=None,
                       task_type="code", model="openai/gpt-5-mini", provider="openai", strategy="balanced",
                       input_tokens=20, output_tokens=40, cost_usd=1e-5, baseline_cost_usd=1e-4, latency_ms=3.2,
                       status="ok", http_status=200, error_type=None, attempts=1, fallback_used=False,
                       dry_run=False, metadata={"team": "bench"})


async def _run(url: str, concurrency: int, total: int) -> dict[str, float]:
    from bestroute.store.db import Database
    from bestroute.store.usage import UsageWriter

    db = Database(url)
    db.migrate()
    commits = 0
    inner = db.executemany

    def counted(sql: str, rows: Any) -> None:
        nonlocal commits
        commits += 1
        inner(sql, rows)

    db.executemany = counted  # type: ignore[method-assign]
    writer = UsageWriter(db)
    writer.start()
    waits: list[float] = []
    issued = 0

    async def client() -> None:
        nonlocal issued
        while issued < total:
            issued += 1
            t0 = time.perf_counter()
            await writer.record(_record(issued))
            waits.append(time.perf_counter() - t0)

    t0, c0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    await writer.close()
    db.close()
    waits.sort()
    return {"records_per_s": total / elapsed, "rows_per_commit": total / max(commits, 1),
            "wait_p50_ms": waits[len(waits) // 2] * 1000, "wait_p99_ms": waits[int(len(waits) * 0.99) - 1] * 1000,
            "cpu_ms_per_record": cpu / total * 1000}


def measure(pg_url: str | None, total: int = 2000) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-usage-") as tmp:
        urls = [("sqlite", f"sqlite:///{tmp}/usage.db")]
        if pg_url:
            urls.append(("postgresql", pg_url))
        for name, url in urls:
            for concurrency in (1, 50):
                r = asyncio.run(_run(url, concurrency, total if concurrency > 1 else total // 4))
                rows.append({"db": name, "concurrency": concurrency, **r})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    out = ["| database | concurrent requests | records/s | rows per commit | wait p50 ms | wait p99 ms | "
           "CPU ms per record (whole process) |", "|---|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {r['db']} | {r['concurrency']} | {r['records_per_s']:.0f} | {r['rows_per_commit']:.1f} | "
            f"{r['wait_p50_ms']:.2f} | {r['wait_p99_ms']:.2f} | {r['cpu_ms_per_record']:.3f} |" for r in rows]
    return "\n".join(out)


if __name__ == "__main__":
    print(table(measure(sys.argv[1] if len(sys.argv) > 1 else None)))
