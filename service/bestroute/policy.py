"""The routing decision: a pure function of task profile, constraints, catalog and health.

No I/O here. Hard constraints first (each exclusion with its reason), then the strategy ranks the
rest. Expected quality combines a model's prior for the task type with the task's difficulty: the
harder the task, the more a weaker model falls short.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from bestroute.analyze import TaskProfile
from bestroute.catalog import ModelSpec
from bestroute.config import Rule

#: how much quality one decade of price must buy under `balanced`
BALANCED_COST_WEIGHT = 0.1
#: estimates below this are all alike: a free local model does not make every paid one look infinitely dear
COST_FLOOR_USD = 1e-5
#: how much quality one decade of expected latency costs under `balanced`
BALANCED_LATENCY_WEIGHT = 0.08
#: expected output length used for latency estimates when max_output_tokens is larger
TYPICAL_OUTPUT_TOKENS = 400


@dataclass(frozen=True)
class Limits:
    """The hard constraints of one request (request constraints merged with the API key's policy)."""

    max_cost_usd: float | None = None
    max_latency_ms: int | None = None
    allowed_providers: Collection[str] | None = None
    blocked_providers: Collection[str] = ()
    allowed_models: Collection[str] | None = None
    blocked_models: Collection[str] = ()
    required_capabilities: Collection[str] = ()
    min_quality: float | None = None
    key_allowed_models: Collection[str] | None = None
    key_allowed_providers: Collection[str] | None = None
    #: what is left of the API key's monthly budget (spent and in-flight holds taken off)
    budget_left_usd: float | None = None


#: the reason a model that is otherwise eligible is excluded because its circuit breaker is open
CIRCUIT_OPEN = "circuit open after repeated failures (retried after a cool-down)"
#: the start of the reason a model is excluded because the key's remaining budget cannot cover it
OVER_BUDGET = "estimated cost exceeds the API key's remaining monthly budget"


@dataclass(frozen=True, slots=True)
class Candidate:
    model: ModelSpec
    score: float
    quality: float
    est_cost_usd: float
    est_latency_ms: float
    output_tokens: int


@dataclass(frozen=True, slots=True)
class Exclusion:
    model: str
    reason: str


@dataclass(frozen=True)
class Decision:
    strategy: str
    candidates: list[Candidate]
    excluded: list[Exclusion]
    reason: str
    rules_applied: list[str] = field(default_factory=list)

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


#: the difficulty of a typical prompt, where expected quality equals the catalog's prior (the weak
#: model of the difficulty training data fails ~30% of MMLU questions)
TYPICAL_DIFFICULTY = 0.3


def expected_quality(prior: float, difficulty: float) -> float:
    """A model's expected quality on a task of this difficulty.

    The shortfall ``1 - prior`` of a typical prompt shrinks on easy tasks (any model answers "what is
    the capital of France") and grows on hard ones, so differences between models matter little on
    easy tasks and a lot on hard ones.
    """
    scale = 0.25 + 0.75 * difficulty / TYPICAL_DIFFICULTY
    return max(0.0, min(1.0, 1.0 - (1.0 - prior) * scale))


def _exclusion_reason(
    m: ModelSpec, profile: TaskProfile, limits: Limits, out_tokens: int, cost: float, latency: float,
    quality: float, callable_models: Collection[str], open_circuits: Collection[str],
) -> str | None:
    if limits.key_allowed_models is not None and m.id not in limits.key_allowed_models:
        return "not allowed for this API key"
    if limits.key_allowed_providers is not None and m.provider not in limits.key_allowed_providers:
        return f"provider {m.provider} not allowed for this API key"
    if limits.allowed_models is not None and m.id not in limits.allowed_models:
        return "not in allowed_models"
    if m.id in limits.blocked_models:
        return "in blocked_models"
    if limits.allowed_providers is not None and m.provider not in limits.allowed_providers:
        return f"provider {m.provider} not in allowed_providers"
    if m.provider in limits.blocked_providers:
        return f"provider {m.provider} is in blocked_providers"
    missing = [c for c in limits.required_capabilities if c not in m.capabilities]
    if missing:
        return f"lacks required capability {', '.join(missing)}"
    if profile.input_tokens + out_tokens > m.context_window:
        return (f"context window {m.context_window:,} tokens is too small for ~{profile.input_tokens:,} "
                f"input + {out_tokens:,} output tokens")
    if m.id not in callable_models:
        return f"no credentials for provider {m.provider}"
    if limits.max_cost_usd is not None and cost > limits.max_cost_usd:
        return f"estimated cost ${cost:.6f} exceeds max_cost_usd ${limits.max_cost_usd:g}"
    if limits.budget_left_usd is not None and cost > limits.budget_left_usd:
        return f"{OVER_BUDGET} (${cost:.6f} > ${limits.budget_left_usd:.6f})"
    if limits.max_latency_ms is not None and latency > limits.max_latency_ms:
        return f"expected latency {latency:,.0f} ms exceeds max_latency_ms {limits.max_latency_ms:,}"
    if limits.min_quality is not None and quality < limits.min_quality:
        return f"expected quality {quality:.2f} for this task is below min_quality {limits.min_quality:g}"
    # last, so that this reason means "eligible but for its circuit": it will be tried after the cool-down
    if m.id in open_circuits:
        return CIRCUIT_OPEN
    return None


def _rule_bonus(rules: Sequence[Rule], task_type: str, model_id: str) -> tuple[float, list[str]]:
    bonus, applied = 0.0, []
    for rule in rules:
        if rule.task_type != task_type:
            continue
        if rule.prefer == model_id:
            bonus += rule.boost
            applied.append(rule.describe())
        elif rule.avoid == model_id:
            bonus -= rule.boost
            applied.append(rule.describe())
    return bonus, applied


def decide(
    profile: TaskProfile,
    strategy: str,
    limits: Limits,
    models: Sequence[ModelSpec],
    *,
    max_output_tokens: int,
    callable_models: Collection[str],
    open_circuits: Collection[str] = (),
    rules: Sequence[Rule] = (),
    quality_floor: float = 0.6,
    prefer_model: str | None = None,
) -> Decision:
    eligible: list[tuple[Candidate, float]] = []
    excluded: list[Exclusion] = []
    rules_applied: list[str] = []
    for m in models:
        out_tokens = min(max_output_tokens, m.max_output_tokens)
        cost = m.estimate_cost(profile.input_tokens, out_tokens)
        latency = m.estimate_latency_ms(min(out_tokens, TYPICAL_OUTPUT_TOKENS))
        quality = expected_quality(m.quality.get(profile.task_type, 0.7), profile.difficulty)
        reason = _exclusion_reason(m, profile, limits, out_tokens, cost, latency, quality,
                                   callable_models, open_circuits)
        if reason:
            excluded.append(Exclusion(m.id, reason))
            continue
        bonus, applied = _rule_bonus(rules, profile.task_type, m.id)
        rules_applied.extend(a for a in applied if a not in rules_applied)
        eligible.append((Candidate(m, 0.0, round(quality, 4), cost, round(latency, 1), out_tokens), bonus))
    floor = quality_floor if limits.min_quality is None else limits.min_quality
    ranked = _rank(strategy, eligible, floor, profile.difficulty)
    if prefer_model:
        ranked.sort(key=lambda c: c.model.id != prefer_model)
    return Decision(strategy, ranked, excluded, _explain(strategy, ranked, profile, excluded, quality_floor),
                    rules_applied)


def _rank(strategy: str, eligible: list[tuple[Candidate, float]], floor: float,
          difficulty: float) -> list[Candidate]:
    if not eligible:
        return []
    min_cost = max(min(c.est_cost_usd for c, _ in eligible), COST_FLOOR_USD)
    min_latency = max(min(c.est_latency_ms for c, _ in eligible), 1.0)
    scored: list[Candidate] = []
    for c, bonus in eligible:
        clears = 1.0 if c.quality >= floor else 0.0
        if strategy == "best":
            score = c.quality + bonus
        elif strategy == "cheapest":
            # models that clear the floor come first, cheapest first; the rest by quality
            score = clears * (1.0 + 1.0 / (1.0 + math.log10(max(c.est_cost_usd, COST_FLOOR_USD) / min_cost))) \
                + (1 - clears) * c.quality * 0.5 + bonus
        elif strategy == "fastest":
            score = clears * (1.0 + 1.0 / (1.0 + math.log10(c.est_latency_ms / min_latency) * 4)) \
                + (1 - clears) * c.quality * 0.5 + bonus
        else:
            below = 0.0 if clears else (floor - c.quality)
            # the harder the task, the more quality is worth: hard work goes to strong models
            cost_weight = BALANCED_COST_WEIGHT * (1.2 - difficulty)
            score = c.quality - cost_weight * math.log10(max(c.est_cost_usd, COST_FLOOR_USD) / min_cost) \
                - BALANCED_LATENCY_WEIGHT * math.log10(c.est_latency_ms / min_latency) - below + bonus
        scored.append(Candidate(c.model, round(score, 4), c.quality, c.est_cost_usd, c.est_latency_ms,
                                c.output_tokens))
    scored.sort(key=lambda c: (-c.score, c.est_cost_usd, c.model.id))
    return scored


_WHY = {
    "best": "it has the highest expected quality",
    "cheapest": "it is the cheapest model expected to handle this well",
    "fastest": "it is the fastest model expected to handle this well",
    "balanced": "it gives the best quality for its price",
}


def _explain(strategy: str, ranked: list[Candidate], profile: TaskProfile, excluded: list[Exclusion],
             floor: float) -> str:
    if not ranked:
        return f"No model satisfies the constraints: all {len(excluded)} models were excluded."
    top = ranked[0]
    level = "hard" if profile.difficulty >= 0.6 else "moderate" if profile.difficulty >= 0.3 else "easy"
    why = _WHY.get(strategy, _WHY["balanced"])
    if strategy in ("cheapest", "fastest") and top.quality < floor:
        why = f"no eligible model reaches the quality floor {floor:g}, so the strongest one was chosen"
    text = (f"{top.model.id} was chosen for this {level} {profile.task_type.replace('_', ' ')} task "
            f"because {why} (expected quality {top.quality:.2f}, est. ${top.est_cost_usd:.6f}).")
    if excluded:
        text += f" {len(excluded)} of {len(excluded) + len(ranked)} models were excluded by the constraints."
    return text
