"""The fixed set of task types, used by analysis, policy, catalog, API and connectors alike."""

from typing import Literal, get_args

TaskType = Literal[
    "code",
    "math_reasoning",
    "writing_creative",
    "summarization_extraction",
    "factual_qa",
    "classification",
    "long_context",
]
TASK_TYPES: tuple[str, ...] = get_args(TaskType)

Strategy = Literal["balanced", "cheapest", "best", "fastest"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)

Capability = Literal["vision", "json_schema", "tools", "reasoning"]
CAPABILITIES: tuple[str, ...] = get_args(Capability)
