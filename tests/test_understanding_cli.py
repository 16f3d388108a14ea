"""`classify` and `eval` run as real subprocesses, the way held-out benchmarks will run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[1] / "service"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SERVICE)}
    return subprocess.run([sys.executable, "-m", "bestroute.understanding.commands", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_classify_round_trip_keeps_order_and_ids(tmp_path: Path) -> None:
    rows = [{"id": 7, "text": "Write a bash script that backs up my home directory"},
            {"id": "b", "text": "what is the tallest mountain in africa"},
            {"id": None, "text": ""},
            {"id": "x", "text": "Écris un poème sur la mer 🌊"}]
    proc = run("classify", str(write_jsonl(tmp_path / "in.jsonl", rows)))
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == [7, "b", None, "x"]
    assert all(set(o) == {"id", "task_type", "confidence", "difficulty"} for o in out)
    assert out[0]["task_type"] == "code" and out[1]["task_type"] == "factual_qa"
    assert all(0 <= o["confidence"] <= 1 and 0 <= o["difficulty"] <= 1 for o in out)


def test_classify_reads_stdin() -> None:
    proc = run("classify", "-", stdin='{"id": 1, "text": "Solve 2x + 4 = 10"}\n')
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["task_type"] == "math_reasoning"


@pytest.mark.parametrize("bad", ["{not json}\n", "[1, 2]\n"])
def test_classify_rejects_bad_lines_with_exit_2(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "hi"}\n' + bad)
    proc = run("classify", str(path))
    assert proc.returncode == 2
    assert "bad.jsonl:2" in proc.stderr


def test_classify_missing_file_exits_2(tmp_path: Path) -> None:
    assert run("classify", str(tmp_path / "nope.jsonl")).returncode == 2


def test_eval_reports_accuracy_and_routing_and_writes_png(tmp_path: Path) -> None:
    rows = [{"text": "Write a Python function to merge two dicts", "gold_type": "code"},
            {"text": "who discovered penicillin", "gold_type": "factual_qa"},
            {"text": "Write a limerick about a cat", "gold_type": "writing_creative"}]
    for i in range(40):
        hard = i % 2 == 0
        rows.append({
            "prompt": (f"Compute the integral of x^{i} dx from 0 to {i + 2}, then find its derivative.\nA. 1\nB. 2\nAnswer:"
                       if hard else f"Which city is the capital of country number {i}?\nA. Paris\nB. Rome\nAnswer:"),
            "strong_score": 1.0, "weak_score": 0.0 if hard else 1.0, "benchmark": "toy" if i < 20 else "toy2"})
    plot = tmp_path / "curve.png"
    proc = run("eval", str(write_jsonl(tmp_path / "eval.jsonl", rows)), "--plot", str(plot), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["rows"] == 43
    assert report["task_type"]["n"] == 3 and report["task_type"]["accuracy"] == 1.0
    routing = report["routing"]
    assert set(routing) == {"all", "toy", "toy2"}
    assert routing["all"]["strong_quality"] == 1.0 and routing["all"]["weak_quality"] == 0.5
    assert routing["all"]["apgr"] > 0.6
    assert 0 < routing["all"]["cost_saved_at_95"] < 1
    assert plot.read_bytes()[:8] == PNG_MAGIC


def test_eval_text_report_and_progress_bar(tmp_path: Path) -> None:
    rows = [{"text": "summarize: the meeting moved to friday.", "gold_type": "summarization_extraction"}] * 30
    proc = run("eval", str(write_jsonl(tmp_path / "e.jsonl", rows)), "--progress-min", "10")
    assert proc.returncode == 0, proc.stderr
    assert "task type accuracy" in proc.stdout
    assert "eval" in proc.stderr and "30/30" in proc.stderr  # tqdm on stderr


def test_add_commands_registers_both_subcommands() -> None:
    import argparse

    sys.path.insert(0, str(SERVICE))
    from bestroute.understanding.commands import add_commands

    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    for name in ("classify", "eval"):
        args = parser.parse_args([name, "x.jsonl"])
        assert callable(args.func)
