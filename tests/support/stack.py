"""Start the real pieces on 127.0.0.1 for tests: the fake upstream and `bestroute serve` (uvicorn).

Used by the pytest fixtures and by ``live_stack.py`` (the connectors' tests).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def wait_ready(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Wait for a 200 from a readiness URL (503 while the service warms up)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} was not ready within {timeout}s")


def http_json(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


@dataclass
class Upstream:
    port: int = field(default_factory=free_port)
    delay_ms: float = 0.0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Upstream:
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_upstream.py"), "--port",
                                      str(self.port), "--delay-ms", str(self.delay_ms)])
        try:
            wait_http(f"{self.url}/_stats", proc=self.proc)
        except BaseException:
            self.stop()
            raise
        return self

    def control(self, **rule: Any) -> None:
        http_json("POST", f"{self.url}/_control", rule)

    def reset(self) -> None:
        self.control(reset=True)

    def calls(self) -> dict[str, int]:
        return http_json("GET", f"{self.url}/_stats")[1]["calls"]

    def clients(self) -> dict[str, int]:
        """Calls per client (the first word of the User-Agent) since the last reset."""
        return http_json("GET", f"{self.url}/_stats")[1]["clients"]

    def stop(self) -> None:
        _stop(self.proc)


def provider_env(upstream_url: str) -> dict[str, str]:
    """Point every provider the fake speaks (OpenAI and Anthropic wire formats) at the fake."""
    return {
        "OPENAI_API_KEY": "sk-fake-openai", "OPENAI_BASE_URL": f"{upstream_url}/v1",
        "ANTHROPIC_API_KEY": "sk-fake-anthropic", "ANTHROPIC_BASE_URL": upstream_url,
        "MISTRAL_API_KEY": "sk-fake-mistral", "MISTRAL_BASE_URL": f"{upstream_url}/v1",
        "DEEPSEEK_API_KEY": "sk-fake-deepseek", "DEEPSEEK_BASE_URL": f"{upstream_url}/v1",
    }


@dataclass
class Service:
    upstream_url: str | None
    port: int = field(default_factory=free_port)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bestroute-test-")))
    admin_key: str = field(default_factory=lambda: "adm-" + secrets.token_hex(16))
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.endswith(("_API_KEY", "_BASE_URL")) and not k.startswith("BESTROUTE_")}
        if self.upstream_url:
            env.update(provider_env(self.upstream_url))
        env.update({"BESTROUTE_DATA_DIR": str(self.data_dir), "BESTROUTE_ADMIN_KEY": self.admin_key,
                    "BESTROUTE_LOG_LEVEL": "warning"})
        env.update(self.extra_env)
        return env

    def start(self) -> Service:
        self.log_path = self.data_dir / f"service-{self.port}.log"
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bestroute", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(f"{self.url}/healthz", timeout=60, proc=self.proc)
            wait_ready(f"{self.url}/readyz", timeout=60, proc=self.proc)
        except BaseException:
            self.stop()  # a server that never became ready must not outlive the test that started it
            raise
        return self

    def create_key(self, **fields: Any) -> dict[str, Any]:
        status, body = http_json("POST", f"{self.url}/v1/admin/keys", {"name": "test", **fields},
                                 {"authorization": f"Bearer {self.admin_key}"})
        if status != 201:
            raise RuntimeError(f"creating a key failed: {status} {body}")
        return body

    def usage_rows(self) -> dict[str, dict[str, Any]]:
        """The service's SQLite usage log, by request id."""
        conn = sqlite3.connect(self.data_dir / "bestroute.db")
        conn.row_factory = sqlite3.Row
        try:
            return {r["id"]: dict(r) for r in conn.execute("SELECT * FROM usage")}
        finally:
            conn.close()

    def usage_row(self, request_id: str, wait_s: float = 3.0) -> dict[str, Any] | None:
        """The one usage record of ``request_id``, waiting up to ``wait_s`` for streams to finish."""
        end = time.monotonic() + wait_s
        while True:
            conn = sqlite3.connect(self.data_dir / "bestroute.db")
            conn.row_factory = sqlite3.Row
            try:
                rows = [dict(r) for r in conn.execute("SELECT * FROM usage WHERE id = ?", (request_id,))]
            finally:
                conn.close()
            if rows or time.monotonic() > end:
                assert len(rows) <= 1, rows  # exactly one record per request
                return rows[0] if rows else None
            time.sleep(0.05)

    def stop(self) -> None:
        _stop(self.proc)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def _stop(proc: subprocess.Popen | None) -> None:
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
