"""Task analysis: what kind of task this is, how hard, and how many tokens it brings."""

from __future__ import annotations

from dataclasses import dataclass

from bestroute.understanding import understand

#: characters per token for the estimate used in routing (English text and code average ~4).
CHARS_PER_TOKEN = 4.0
MESSAGE_OVERHEAD_TOKENS = 4


@dataclass(frozen=True, slots=True)
class TaskProfile:
    task_type: str
    confidence: float
    difficulty: float
    input_tokens: int


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def analyze(task_text: str, all_text_chars: int, n_messages: int, task_type: str = "auto") -> TaskProfile:
    """Profile ``task_text`` (the last user turn); tokens count every message sent to the model."""
    input_tokens = int(all_text_chars / CHARS_PER_TOKEN) + 1 + MESSAGE_OVERHEAD_TOKENS * n_messages
    found = understand(task_text)
    if task_type != "auto":
        return TaskProfile(task_type, 1.0, found.difficulty, input_tokens)
    return TaskProfile(found.task_type, round(found.confidence, 4), round(found.difficulty, 4), input_tokens)
