"""Decision latency: task analysis + policy (``Router.decide``) by prompt size, in process.

Run: ``python bench/bench_decision.py`` (also part of ``bench/bench_gateway.py``).
Provider credentials are fake values so every catalog model counts as callable; nothing is called.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

#: prompt sizes in characters (~4 characters per token)
SIZES = (200, 2_000, 20_000, 200_000)
_WORDS = ("Write a Python function that merges two sorted lists and explain its complexity. "
          "Summarise the main points of the report, then list the open questions in a table. ")


def prompt(chars: int) -> str:
    return (_WORDS * (chars // len(_WORDS) + 1))[:chars]


def measure(sizes: tuple[int, ...] = SIZES, budget_s: float = 1.5, max_n: int = 2000) -> list[dict[str, float]]:
    """p50/p99 of analyze alone and of the whole ``Router.decide`` (validation, analysis, policy)."""
    for var, value in {"OPENAI_API_KEY": "sk-bench", "ANTHROPIC_API_KEY": "sk-bench",
                       "GEMINI_API_KEY": "sk-bench", "MISTRAL_API_KEY": "sk-bench",
                       "DEEPSEEK_API_KEY": "sk-bench"}.items():
        os.environ.setdefault(var, value)
    from bestroute.analyze import analyze
    from bestroute.api.app import build_router
    from bestroute.schemas import RouteRequest
    from bestroute.settings import Settings

    router = build_router(Settings(_env_file=None))
    rows = []
    loop = asyncio.new_event_loop()
    try:
        for size in sizes:
            req = RouteRequest(task=prompt(size))
            text = req.task_text()
            loop.run_until_complete(router.decide(req))  # warm (artefact load, caches)
            an, dec = [], []
            end = time.perf_counter() + budget_s
            while len(dec) < max_n and (time.perf_counter() < end or len(dec) < 20):
                t0 = time.perf_counter()
                analyze(text, len(text), 1)
                t1 = time.perf_counter()
                loop.run_until_complete(router.decide(req))
                t2 = time.perf_counter()
                an.append(t1 - t0)
                dec.append(t2 - t1)
            rows.append({"chars": size, "n": len(dec), "analyze_p50_ms": _pct(an, 50), "decide_p50_ms": _pct(dec, 50),
                         "decide_p99_ms": _pct(dec, 99), "decide_mean_ms": statistics.fmean(dec) * 1000})
    finally:
        loop.close()
    return rows


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))] * 1000


def table(rows: list[dict[str, float]]) -> str:
    out = ["| prompt chars | runs | analyze p50 ms | decide p50 ms | decide p99 ms |", "|---:|---:|---:|---:|---:|"]
    out += [f"| {r['chars']:,} | {r['n']} | {r['analyze_p50_ms']:.3f} | {r['decide_p50_ms']:.3f} | "
            f"{r['decide_p99_ms']:.3f} |" for r in rows]
    return "\n".join(out)


if __name__ == "__main__":
    print(table(measure()))
