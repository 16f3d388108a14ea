"""The CLI with no provider keys, the config file's validation, and the no-credentials error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bestroute.config import parse_config
from bestroute.errors import ConfigError
from tests.support.stack import Service


def run_cli(*args: str, tmp_path: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))
           and not k.startswith("BESTROUTE_")}
    env.update({"BESTROUTE_DATA_DIR": str(tmp_path)}, **(extra or {}))
    return subprocess.run([sys.executable, "-m", "bestroute", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_dry_run_without_any_provider_key_shows_the_decision(tmp_path: Path) -> None:
    p = run_cli("route", "Write a haiku about the sea", "--dry-run", "--json", tmp_path=tmp_path)
    assert p.returncode == 0, p.stderr
    body = json.loads(p.stdout)
    assert body["answer"] is None and body["dry_run"] is True and body["model"]
    assert len(body["receipt"]["candidates"]) + len(body["receipt"]["excluded"]) >= 12
    p = run_cli("route", "Write a haiku about the sea", "--dry-run", "--strategy", "cheapest", tmp_path=tmp_path)
    assert p.returncode == 0 and "why:" in p.stdout and "candidates:" in p.stdout
    usage = json.loads(run_cli("usage", "--json", tmp_path=tmp_path).stdout)
    assert usage["totals"]["requests"] == 2  # the CLI records its requests like the server


def test_real_route_without_keys_names_the_variables(tmp_path: Path) -> None:
    p = run_cli("route", "hello", tmp_path=tmp_path)
    assert p.returncode == 1
    assert "OPENAI_API_KEY" in p.stderr and "ANTHROPIC_API_KEY" in p.stderr


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("BESTROUTE_UPSTREAM_CLIENT", "fast", "Input should be 'native' or 'litellm' (got 'fast')"),
    ("BESTROUTE_UPSTREAM_CONNECTIONS", "0", "greater than or equal to 1 (got '0')"),
    ("BESTROUTE_PORT", "eighty", "valid integer"),
])
def test_a_bad_setting_is_named_without_a_traceback(tmp_path: Path, variable: str, value: str, says: str) -> None:
    p = run_cli("serve", tmp_path=tmp_path, extra={variable: value})
    assert p.returncode == 2
    assert p.stderr.startswith(f"error: invalid setting {variable}: ") and says in p.stderr, p.stderr
    assert "Traceback" not in p.stderr


def test_models_table(tmp_path: Path) -> None:
    p = run_cli("models", tmp_path=tmp_path)
    assert p.returncode == 0
    assert "anthropic/claude-opus-4-5" in p.stdout and "gemini/gemini-2.5-flash" in p.stdout
    rows = json.loads(run_cli("models", "--json", tmp_path=tmp_path).stdout)
    assert len(rows) >= 12 and not any(r["available"] for r in rows)


@pytest.fixture(scope="module")
def keyless_service() -> Iterator[Service]:
    svc = Service(upstream_url=None).start()
    yield svc
    svc.stop()


def test_http_route_without_provider_keys(keyless_service: Service) -> None:
    with httpx.Client(base_url=keyless_service.url) as c:
        r = c.post("/v1/route", json={"task": "hello"})
        assert r.status_code == 503
        assert r.json()["type"] == "/problems/provider-not-configured"
        assert "OPENAI_API_KEY" in r.json()["detail"]
        r = c.post("/v1/route", json={"task": "hello", "dry_run": True})
        assert r.status_code == 200 and r.json()["answer"] is None


def test_config_errors_name_key_and_line() -> None:
    with pytest.raises(ConfigError, match=r"line 4: key 'models.0.quality.code'"):
        parse_config("baseline_model: openai/gpt-5\nmodels:\n  - id: openai/gpt-5-mini\n    quality: {code: 3}\n")
    with pytest.raises(ConfigError, match=r"line 1: key 'quality_flor'|'quality_flor' was unexpected"):
        parse_config("quality_flor: 0.5\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_config("models: [\n")


def test_config_overrides_and_local_models(tmp_path: Path) -> None:
    cfg = tmp_path / "bestroute.yaml"
    cfg.write_text(
        "models:\n"
        "  - id: openai/gpt-5-mini\n    ttft_ms: 123\n"
        "  - id: ollama/llama3.1\n    litellm_model: openai/llama3.1\n    api_base: http://127.0.0.1:11434/v1\n"
        "    context_window: 128000\n    quality: {code: 0.5}\n"
        "rules:\n  - {task_type: code, prefer: anthropic/claude-sonnet-4-5, boost: 0.5}\n")
    rows = {r["model"]: r for r in json.loads(run_cli("models", "--json", "--config", str(cfg), tmp_path=tmp_path).stdout)}
    assert rows["ollama/llama3.1"]["available"] is True  # its own api_base: no key needed
    assert rows["ollama/llama3.1"]["input_cost_per_1m"] == 0
    p = run_cli("route", "Write a Rust function that reverses a linked list", "--dry-run", "--json",
                "--task-type", "code", "--config", str(cfg), tmp_path=tmp_path,
                extra={"ANTHROPIC_API_KEY": "sk-unused"})  # a dry run: no call is made
    body = json.loads(p.stdout)
    assert body["task_type"] == "code"
    assert body["model"] == "anthropic/claude-sonnet-4-5"
    assert body["receipt"]["rules_applied"] == ["for code prefer anthropic/claude-sonnet-4-5 (+0.5)"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {task_type: poetry, prefer: x}\n")
    p = run_cli("models", "--config", str(bad), tmp_path=tmp_path)
    assert p.returncode == 2 and "line 2" in p.stderr and "rules.0.task_type" in p.stderr
