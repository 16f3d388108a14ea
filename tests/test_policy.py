"""The pure decision core: no I/O, so these run in microseconds."""

from __future__ import annotations

import pytest

from bestroute.analyze import TaskProfile
from bestroute.catalog import build_catalog
from bestroute.config import Config, Rule
from bestroute.policy import CIRCUIT_OPEN, OVER_BUDGET, Limits, decide, expected_quality
from bestroute.tasks import TASK_TYPES
from bestroute.understanding import TASK_TYPES as UNDERSTOOD_TYPES

CATALOG = build_catalog(Config())
ALL = {m.id for m in CATALOG.models}


def run(task_type: str = "code", difficulty: float = 0.5, strategy: str = "balanced", tokens: int = 200,
        limits: Limits = Limits(), **kw):
    profile = TaskProfile(task_type, 0.9, difficulty, tokens)
    return decide(profile, strategy, limits, CATALOG.models, max_output_tokens=kw.pop("max_output_tokens", 1024),
                  callable_models=kw.pop("callable_models", ALL), **kw)


def test_one_set_of_task_types_everywhere() -> None:
    assert tuple(UNDERSTOOD_TYPES) == TASK_TYPES
    assert all(set(m.quality) == set(TASK_TYPES) for m in CATALOG.models)


def test_catalog_prices_come_from_litellm_and_cover_five_providers() -> None:
    assert len(CATALOG.models) >= 12
    assert {"openai", "anthropic", "gemini", "mistral", "deepseek"} <= set(CATALOG.providers)
    mini = CATALOG.get("openai/gpt-5-mini")
    assert mini and mini.input_cost_per_token == pytest.approx(0.25e-6) and mini.context_window == 272000
    assert CATALOG.baseline.id == "anthropic/claude-opus-4-5"


def test_expected_quality_punishes_weak_models_more_on_hard_tasks() -> None:
    strong, weak = 0.95, 0.7
    assert strong - weak < expected_quality(strong, 0.9) - expected_quality(weak, 0.9)
    assert expected_quality(weak, 0.3) == pytest.approx(weak)  # a typical prompt: the prior
    assert expected_quality(strong, 0.0) - expected_quality(weak, 0.0) < 0.1  # easy: any model will do


def test_hard_code_goes_to_a_strong_model_easy_classification_to_a_cheap_one() -> None:
    hard = run("code", 0.9).chosen
    easy = run("classification", 0.05, tokens=60, max_output_tokens=20).chosen
    assert hard.model.quality["code"] >= 0.92
    assert easy.model.output_cost_per_token <= 2.5e-6
    assert easy.est_cost_usd < hard.est_cost_usd / 5


def test_long_documents_go_to_large_context() -> None:
    d = run("long_context", 0.4, tokens=600_000)
    assert d.chosen.model.context_window >= 1_000_000
    assert all(c.model.context_window >= 600_000 for c in d.candidates)


def test_strategies() -> None:
    best = run(strategy="best")
    assert best.chosen.quality == max(c.quality for c in best.candidates)
    cheap = run(strategy="cheapest", difficulty=0.2)
    ok = [c for c in cheap.candidates if c.quality >= 0.6]
    assert cheap.chosen.est_cost_usd == min(c.est_cost_usd for c in ok)
    fast = run(strategy="fastest", difficulty=0.2)
    ok = [c for c in fast.candidates if c.quality >= 0.6]
    assert fast.chosen.est_latency_ms == min(c.est_latency_ms for c in ok)


def test_cheapest_falls_back_to_the_strongest_when_nothing_clears_the_floor() -> None:
    d = run(strategy="cheapest", difficulty=1.0, quality_floor=0.99)
    assert d.chosen.quality == max(c.quality for c in d.candidates)
    assert "quality floor" in d.reason


def test_every_exclusion_has_its_reason() -> None:
    d = run(limits=Limits(max_cost_usd=0.001, allowed_providers=["openai", "anthropic"],
                          required_capabilities=["reasoning"]),
            callable_models=ALL - {"openai/gpt-5-nano"}, open_circuits={"openai/gpt-5-mini"})
    reasons = {e.model: e.reason for e in d.excluded}
    assert reasons["gemini/gemini-2.5-pro"] == "provider gemini not in allowed_providers"
    assert reasons["openai/gpt-4o-mini"] == "lacks required capability reasoning"
    assert reasons["openai/gpt-5-nano"] == "no credentials for provider openai"
    # its circuit is open too, but the reason given is the one a retry would not cure
    assert reasons["openai/gpt-5-mini"].startswith("estimated cost $")
    assert reasons["anthropic/claude-opus-4-5"].startswith("estimated cost $")
    assert len(d.excluded) + len(d.candidates) == len(CATALOG.models)


def test_an_open_circuit_is_the_reason_only_for_an_otherwise_eligible_model() -> None:
    d = run(strategy="best", open_circuits={"openai/gpt-5-mini", "anthropic/claude-opus-4-5"},
            limits=Limits(allowed_providers=["openai"]))
    reasons = {e.model: e.reason for e in d.excluded}
    assert reasons["openai/gpt-5-mini"] == CIRCUIT_OPEN
    assert reasons["anthropic/claude-opus-4-5"] == "provider anthropic not in allowed_providers"
    assert "openai/gpt-5-mini" not in [c.model.id for c in d.candidates] and d.chosen is not None


def test_a_nearly_spent_budget_still_routes_to_models_it_covers() -> None:
    full = run(strategy="best", difficulty=0.8)
    costs = {c.model.id: c.est_cost_usd for c in full.candidates}
    left = sorted(costs.values())[len(costs) // 2]  # half the models fit
    d = run(strategy="best", difficulty=0.8, limits=Limits(budget_left_usd=left))
    assert d.candidates and all(c.est_cost_usd <= left for c in d.candidates)
    over = {e.model for e in d.excluded if e.reason.startswith(OVER_BUDGET)}
    assert over == {m for m, cost in costs.items() if cost > left}
    assert full.chosen.model.id in over  # the best model was too dear: the best affordable one answers


def test_key_policy_applies_on_top_of_the_request() -> None:
    d = run(limits=Limits(key_allowed_models=["openai/gpt-5-nano"]))
    assert [c.model.id for c in d.candidates] == ["openai/gpt-5-nano"]
    assert {e.reason for e in d.excluded} == {"not allowed for this API key"}


def test_rules_adjust_ranking_and_are_reported() -> None:
    rule = Rule(task_type="code", prefer="mistral/codestral-latest", boost=0.5)
    d = run(rules=[rule])
    assert d.chosen.model.id == "mistral/codestral-latest"
    assert d.rules_applied == [rule.describe()]
    assert run("factual_qa", rules=[rule]).rules_applied == []


def test_no_candidates_means_no_choice() -> None:
    d = run(limits=Limits(max_cost_usd=1e-9))
    assert d.chosen is None and len(d.excluded) == len(CATALOG.models)
    assert "No model satisfies" in d.reason
