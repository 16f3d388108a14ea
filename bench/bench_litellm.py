"""CPU per provider call against the fake upstream: litellm plain, litellm the way BestRoute calls it,
BestRoute's native client, and a bare httpx POST.

Modes (each in a fresh process, so a patch in one cannot leak into another), rounds interleaved:
- ``default``: litellm as installed (its success logging, redaction and cost calculation on),
- ``sub-call``: inside litellm's ``internal_sub_call()`` (no litellm logging; the caller bills),
- ``bestroute``: ``wire.via_litellm.litellm_call`` itself (sub-call, and litellm's cost calculator off),
- ``native``: ``wire.Wire("native").call``, BestRoute's own client for the OpenAI and Anthropic formats,
- ``raw-httpx``: one POST with httpx and ``json()``, the floor for an httpx client,
- ``raw-aiohttp``: the same POST with aiohttp and orjson, the floor for the native client's transport.

Run: ``python bench/bench_litellm.py [calls] [rounds]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "service"))

MODES = ("default", "sub-call", "bestroute", "native", "raw-httpx", "raw-aiohttp")
MESSAGES = [{"role": "user", "content": "Write a Python function that merges two sorted lists."}]


async def _calls(mode: str, base: str, n: int) -> tuple[float, float]:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    if mode == "raw-httpx":
        import httpx

        async with httpx.AsyncClient() as client:
            async def one() -> None:
                r = await client.post(f"{base}/v1/chat/completions", json={"model": "gpt-5-mini", "messages": MESSAGES,
                                                                         "max_completion_tokens": 256},
                                      headers={"authorization": "Bearer sk-fake"})
                r.raise_for_status()
                r.json()
            return await _time(one, n)
    if mode == "raw-aiohttp":
        import aiohttp
        import orjson

        body = orjson.dumps({"model": "gpt-5-mini", "messages": MESSAGES, "max_completion_tokens": 256})
        async with aiohttp.ClientSession() as session:
            async def one() -> None:
                async with session.post(f"{base}/v1/chat/completions", data=body,
                                        headers={"authorization": "Bearer sk-fake",
                                                 "content-type": "application/json"}) as r:
                    r.raise_for_status()
                    orjson.loads(await r.read())
            return await _time(one, n)
    if mode in ("bestroute", "native"):
        from bestroute.catalog import ModelSpec
        from bestroute.providers import Credentials
        from bestroute.wire import Wire
        from bestroute.wire.via_litellm import load_litellm

        if mode == "bestroute":
            load_litellm()
        wire = Wire("litellm" if mode == "bestroute" else "native")
        spec = ModelSpec(id="openai/gpt-5-mini", provider="openai", litellm_model="openai/gpt-5-mini",
                         input_cost_per_token=0.0, output_cost_per_token=0.0, context_window=400_000,
                         max_output_tokens=128_000, capabilities=frozenset(), quality={})
        creds = Credentials(api_key="sk-fake", api_base=f"{base}/v1")

        async def one() -> None:
            await wire.call(spec, creds, MESSAGES, max_tokens=256, temperature=None, timeout_s=30, json_schema=None)
        try:
            return await _time(one, n)
        finally:
            await wire.close()
    import litellm
    from litellm._internal_context import internal_sub_call

    kwargs = {"model": "openai/gpt-5-mini", "messages": MESSAGES, "max_tokens": 256, "api_key": "sk-fake",
              "api_base": f"{base}/v1", "num_retries": 0, "timeout": 30}

    async def one() -> None:
        if mode == "sub-call":
            with internal_sub_call():
                await litellm.acompletion(**kwargs)
        else:
            await litellm.acompletion(**kwargs)
    return await _time(one, n)


async def _time(one, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """CPU ms per call, and Python function calls per call (loop thread; steady on a busy machine)."""
    import cProfile
    import pstats

    for _ in range(30):
        await one()
    await asyncio.sleep(0.2)
    c0 = time.process_time()
    for _ in range(n):
        await one()
    await asyncio.sleep(0.3)  # let background logging tasks finish: they are part of the cost
    cpu = (time.process_time() - c0) / n * 1000
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        await one()
    await asyncio.sleep(0.3)
    prof.disable()
    return cpu, pstats.Stats(prof).total_calls / 20  # type: ignore[attr-defined]


def _child(mode: str, base: str, n: int) -> None:
    cpu, calls = asyncio.run(_calls(mode, base, n))
    print(json.dumps({"mode": mode, "cpu_ms": cpu, "calls": calls}))


def measure(upstream_url: str, calls: int = 300, rounds: int = 3) -> dict[str, list[dict[str, float]]]:
    out: dict[str, list[dict[str, float]]] = {m: [] for m in MODES}
    for _ in range(rounds):
        for mode in MODES:
            res = subprocess.run([sys.executable, __file__, "--child", mode, upstream_url, str(calls)],
                                 capture_output=True, text=True, check=True)
            out[mode].append(json.loads(res.stdout.strip().splitlines()[-1]))
    return out


def table(results: dict[str, list[dict[str, float]]]) -> str:
    lines = ["| mode | CPU ms per call (median) | each round | Python function calls per call |",
             "|---|---:|---|---:|"]
    for mode, rs in results.items():
        xs = [r["cpu_ms"] for r in rs]
        lines.append(f"| {mode} | {statistics.median(xs):.2f} | {', '.join(f'{x:.2f}' for x in xs)} | "
                     f"{statistics.median(r['calls'] for r in rs):,.0f} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    from _load import free_port, spawn, wait_ready

    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    port = free_port()
    up = spawn("fake-upstream", [sys.executable, str(HERE.parent / "tests" / "fake_upstream.py"), "--port", str(port)],
               port, dict(os.environ), Path(os.devnull))
    try:
        wait_ready(up, "/_stats")
        print(table(measure(up.url, calls, rounds)))
    finally:
        up.stop()


if __name__ == "__main__":
    main()
