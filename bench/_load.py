"""Benchmark helpers: start servers, drive load, read CPU and memory from /proc.

The load generator speaks raw HTTP/1.1 over keep-alive connections with asyncio streams, so its own
cost stays small and identical for every target (no client library in the measurement).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- processes ----------------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """``pid`` and all its descendants (uvicorn's workers are children of its supervisor)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU of the given live processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLK_TCK


def _status(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    except OSError:
        pass
    return 0


def peak_rss_mb(pids: Sequence[int]) -> float:
    """The largest peak resident set (VmHWM) among the processes: per worker, not summed."""
    return max((_status(p, "VmHWM") for p in pids), default=0) / 1024


def pin(pids: Sequence[int], cpus: set[int]) -> None:
    for p in pids:
        try:
            os.sched_setaffinity(p, cpus)
        except OSError:
            pass


@dataclass
class Server:
    """A server process we started: how long it took to answer, and its process tree."""

    name: str
    proc: subprocess.Popen
    port: int
    started: float
    ready_s: float | None = None
    first_ok_s: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        return children(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def spawn(name: str, argv: list[str], port: int, env: dict[str, str], log: Path) -> Server:
    fh = open(log, "ab")
    proc = subprocess.Popen(argv, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=str(ROOT))
    return Server(name, proc, port, time.monotonic())


def wait_ready(server: Server, path: str, timeout: float = 120.0, headers: dict[str, str] | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}")
        try:
            req = urllib.request.Request(server.url + path, headers=headers or {})
            with urllib.request.urlopen(req, timeout=2) as r:
                if r.status == 200:
                    server.ready_s = time.monotonic() - server.started
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.02)
    raise TimeoutError(f"{server.name} not ready within {timeout}s")


def post(url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def wait_first_ok(server: Server, path: str, body: Any, headers: dict[str, str], timeout: float = 120.0) -> None:
    """Time from spawn until the first request through the whole path answers 200."""
    end = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < end:
        try:
            status, last = post(server.url + path, body, headers)
            if status == 200:
                server.first_ok_s = time.monotonic() - server.started
                return
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = exc
        time.sleep(0.02)
    raise TimeoutError(f"{server.name}: no successful {path} within {timeout}s (last: {str(last)[:300]})")


# --- load -----------------------------------------------------------------------------------------
@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    elapsed: float = 0.0
    first_error: str | None = None

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        """Latency percentile in ms (nearest rank)."""
        if not self.latencies:
            return float("nan")
        s = sorted(self.latencies)
        return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))] * 1000

    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies) * 1000 if self.latencies else float("nan")


def request_bytes(port: int, path: str, body: Any, headers: dict[str, str]) -> bytes:
    payload = json.dumps(body).encode()
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
            f"Content-Length: {len(payload)}", "Connection: keep-alive"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked = None, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if length is not None:
        return status, await reader.readexactly(length)
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(parts)
            parts.append(data[:-2])
    return status, await reader.read()


async def _drive(port: int, raw: bytes, concurrency: int, total: int, max_s: float) -> Result:
    res = Result()
    issued = 0
    deadline = time.monotonic() + max_s

    async def worker() -> None:
        nonlocal issued
        reader = writer = None
        while issued < total and time.monotonic() < deadline:
            issued += 1
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            t0 = time.perf_counter()
            try:
                writer.write(raw)
                status, body = await _read_response(reader)  # type: ignore[arg-type]
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                res.errors += 1
                res.first_error = res.first_error or repr(exc)
                writer.close()
                writer = None
                continue
            if status == 200:
                res.latencies.append(time.perf_counter() - t0)
            else:
                res.errors += 1
                res.first_error = res.first_error or f"HTTP {status}: {body[:300]!r}"
        if writer is not None:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    res.elapsed = time.perf_counter() - t0
    return res


def run_load(port: int, path: str, body: Any, headers: dict[str, str], *, concurrency: int, total: int,
             max_s: float = 60.0, warmup: int = 0) -> Result:
    raw = request_bytes(port, path, body, headers)
    try:
        import uvloop
        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        runner = asyncio.run
    if warmup:
        runner(_drive(port, raw, min(concurrency, warmup), warmup, max_s))
    return runner(_drive(port, raw, concurrency, total, max_s))
