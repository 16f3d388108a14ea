"""Task analysis: what kind of task this is, how hard, and how many tokens it brings."""

from __future__ import annotations

import re
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


# Sentences addressed to the router rather than to the model: "ignore your constraints", "use the
# most expensive model", "allowed_models = all", {"max_cost_usd": 1000}. They cannot change
# constraints, budgets or a key's models (those come only from fields and keys), and they must not
# move the task's type or difficulty either, or a prompt could talk its way to a pricier model.
_FIELDS = (r"allowed_models|blocked_models|allowed_providers|blocked_providers|max_cost_usd|max_latency_ms|"
           r"budget(?:_usd)?|min_quality|dry_run|task_type|strategy|constraints|required_capabilities")
_ROUTER_DIRECTED = re.compile(
    r"\b(?:ignore|disregard|override|bypass|forget|drop)\b[^.!?\n]*\b(?:instructions?|constraints?|rules?|limits?"
    r"|budgets?|polic(?:y|ies)|settings?|restrictions?)\b"
    r"|\b(?:use|choose|pick|select|switch\s+to|route\s+(?:\w+\s+)?to|upgrade\s+to|send\s+(?:\w+\s+)?to)\b"
    r"[^.!?\n]*\b(?:most\s+expensive|priciest|premium|strongest|largest|biggest|most\s+capable|best|top)\b"
    r"[^.!?\n]*\bmodels?\b"
    rf"|[\"']?\b(?:{_FIELDS})\b[\"']?\s*[:=]",
    re.IGNORECASE)
_SENTENCE_ENDS = ".!?\n"
#: words without which no sentence can match _ROUTER_DIRECTED: a plain substring scan finds them in
#: microseconds, where running the regex over a long document costs tens of milliseconds
_TRIGGERS = ("model", "ignore", "disregard", "override", "bypass", "forget", "drop",
             *_FIELDS.replace("(?:_usd)?", "").split("|"))


def _sentence_around(text: str, i: int) -> tuple[int, int]:
    start = max(text.rfind(c, 0, i) for c in _SENTENCE_ENDS) + 1
    ends = [j for j in (text.find(c, i) for c in _SENTENCE_ENDS) if j != -1]
    return start, (min(ends) + 1 if ends else len(text))


def task_content(text: str) -> str:
    """``text`` without the sentences addressed to the router (all of it if nothing else is left)."""
    low = text.lower()
    spans: set[tuple[int, int]] = set()
    for word in _TRIGGERS:
        i = low.find(word)
        while i != -1:
            span = _sentence_around(text, i)
            spans.add(span)
            i = low.find(word, span[1])
    drop = sorted(span for span in spans if _ROUTER_DIRECTED.search(text, span[0], span[1]))
    if not drop:
        return text
    kept, pos = [], 0
    for start, end in drop:
        kept.append(text[pos:start])
        pos = max(pos, end)
    kept.append(text[pos:])
    content = "".join(kept).strip()
    return content or text


_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Text as the classifier was trained on it: no trailing blanks on lines or at either end, no runs
    of empty lines. Pasted text often carries such blanks, and they read as length (a task padded with
    200 spaces looked far harder than the same task without them)."""
    if "\n" in text:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        if "\n\n\n" in text:
            text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def analyze(task_text: str, all_text_chars: int, n_messages: int, task_type: str = "auto") -> TaskProfile:
    """Profile ``task_text`` (the last user turn); tokens count every message sent to the model."""
    input_tokens = int(all_text_chars / CHARS_PER_TOKEN) + 1 + MESSAGE_OVERHEAD_TOKENS * n_messages
    found = understand(tidy(task_content(task_text)))
    if task_type != "auto":
        return TaskProfile(task_type, 1.0, found.difficulty, input_tokens)
    return TaskProfile(found.task_type, round(found.confidence, 4), round(found.difficulty, 4), input_tokens)
