"""Training data: where it lives, how it is read, and the deterministic held-out splits.

The data directory is ``<repo>/../shared/data`` (CI mounts it there); ``BESTROUTE_DATA_DIR``
overrides it. Splits are by group so that nothing the model saw leaks into the held-out part:
P3 rows are grouped by prompt template (``source_label``), MMLU rows by subject.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
TASKMIX = "taskmix_train.jsonl"
STRONG_WEAK = "strong_weak_train.jsonl"


def data_dir() -> Path:
    override = os.environ.get("BESTROUTE_DATA_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared" / "data"


def read_jsonl(path: Path | str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def is_templated(row: dict) -> bool:
    """P3 rows come from a few prompt templates each, so they overstate accuracy."""
    return str(row.get("source", "")).startswith("P3")


def taskmix_group(row: dict) -> str:
    return row["source_label"] if is_templated(row) else row["id"]


def in_holdout(group: str, fraction: float = 0.2, salt: str = "bestroute") -> bool:
    """Stable pseudo-random assignment of a whole group to the held-out side."""
    return zlib.crc32(f"{salt}:{group}".encode()) % 1000 < fraction * 1000


def split_taskmix(rows: list[dict], salt: str = "bestroute") -> tuple[list[dict], list[dict]]:
    held = [in_holdout(taskmix_group(r), salt=salt) for r in rows]
    return [r for r, h in zip(rows, held) if not h], [r for r, h in zip(rows, held) if h]


def split_strong_weak(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Hold out whole MMLU subjects, the honest way to ask about unseen topics."""
    train = [r for r in rows if not in_holdout(r.get("category", ""), 0.3, "subject")]
    test = [r for r in rows if in_holdout(r.get("category", ""), 0.3, "subject")]
    return train, test
