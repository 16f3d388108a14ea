"""Task understanding: what kind of task a prompt is, and how likely a cheap model falls short.

``understand(text)`` is pure, thread-safe and fast (a hashed-feature linear model evaluated with
numpy; see ``features`` and ``model``). The weights ship in ``artefact/`` and are rebuilt by
``python -m bestroute.understanding.train``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bestroute.tasks import TASK_TYPES  # the one set of task types, re-exported here


@dataclass(frozen=True, slots=True)
class Understanding:
    task_type: str  # one of TASK_TYPES
    confidence: float  # 0..1, probability of task_type
    difficulty: float  # 0..1, how likely a cheap model falls short


def understand(text: str) -> Understanding:
    """Classify ``text`` and estimate its difficulty; loads the shipped artefact once."""
    from .model import shipped

    text = text if isinstance(text, str) else str(text)
    if not text.strip():  # nothing to read: no type is likelier than another, nothing is hard
        return Understanding(task_type="factual_qa", confidence=1.0 / len(TASK_TYPES), difficulty=0.0)
    scores = shipped().score(text)
    best = int(scores.type_probs.argmax())
    return Understanding(
        task_type=TASK_TYPES[best],
        confidence=float(scores.type_probs[best]),
        difficulty=float(scores.difficulty),
    )


__all__ = ["TASK_TYPES", "Understanding", "understand"]
