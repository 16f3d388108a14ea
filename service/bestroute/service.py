"""The router as one object: understand the task, decide, call, fall back, record, and explain.

Every front (HTTP ``/v1/route``, the OpenAI-compatible endpoint, MCP, A2A, the CLI) goes through
``Router.route``.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bestroute import errors
from bestroute.analyze import TaskProfile, analyze
from bestroute.catalog import Catalog, ModelSpec
from bestroute.circuit import CircuitBreaker
from bestroute.config import Config
from bestroute.execute import Outcome, run
from bestroute.policy import CIRCUIT_OPEN, OVER_BUDGET, Candidate, Decision, Limits, decide
from bestroute.providers import KEY_VARIABLES, ProviderRegistry
from bestroute.schemas import RouteRequest
from bestroute.settings import Settings
from bestroute.store.keys import ApiKey
from bestroute.store.usage import UsageRecord, UsageWriter
from bestroute.wire import Caller, Wire


@dataclass
class Hooks:
    """Team features plug in here (budgets, rate limits); the defaults allow everything."""

    async def reserve(self, key: ApiKey | None, request_id: str, amount: float) -> None:
        return None

    async def settle(self, key: ApiKey | None, request_id: str, reserved: float, actual: float) -> None:
        return None

    async def status(self, key: ApiKey) -> dict[str, Any] | None:
        """The key's budget this month (budget_usd, spent_usd, held_usd, remaining_usd, resets_at)."""
        return None


@dataclass
class Router:
    settings: Settings
    config: Config
    catalog: Catalog
    registry: ProviderRegistry
    breaker: Any = field(default_factory=CircuitBreaker)
    usage: UsageWriter | None = None
    wire: Wire = field(default_factory=Wire)
    hooks: Hooks = field(default_factory=Hooks)
    #: the caller of every model; tests put a fake here
    call: Caller | None = None

    def __post_init__(self) -> None:
        self.configured = self.registry.configured(self.catalog)
        self.wire.expect(m for m in self.catalog.models if m.id in self.configured)
        if self.call is None:
            self.call = self.wire.call

    # --- validation against the catalog -------------------------------------------------------
    def _check_names(self, req: RouteRequest) -> None:
        c = req.constraints
        providers, models = set(self.catalog.providers), {m.id for m in self.catalog.models}
        problems = []
        for fname in ("allowed_providers", "blocked_providers"):
            for i, name in enumerate(getattr(c, fname) or []):
                if name not in providers:
                    problems.append({"field": f"constraints.{fname}[{i}]",
                                     "message": f"unknown provider '{name}'; known: {', '.join(sorted(providers))}"})
        for fname in ("allowed_models", "blocked_models"):
            for i, name in enumerate(getattr(c, fname) or []):
                if name not in models:
                    problems.append({"field": f"constraints.{fname}[{i}]",
                                     "message": f"unknown model '{name}'; see GET /v1/models"})
        if problems:
            raise errors.InvalidField(problems)

    def limits(self, req: RouteRequest, key: ApiKey | None, budget_left_usd: float | None = None) -> Limits:
        c = req.constraints
        return Limits(
            max_cost_usd=c.max_cost_usd, max_latency_ms=c.max_latency_ms,
            allowed_providers=c.allowed_providers, blocked_providers=c.blocked_providers,
            allowed_models=c.allowed_models, blocked_models=c.blocked_models,
            required_capabilities=c.required_capabilities, min_quality=c.min_quality,
            key_allowed_models=key.allowed_models if key else None,
            key_allowed_providers=key.allowed_providers if key else None,
            budget_left_usd=budget_left_usd,
        )

    async def decide(self, req: RouteRequest, key: ApiKey | None = None,
                     prefer_model: str | None = None) -> tuple[TaskProfile, Decision]:
        self._check_names(req)
        chat = req.chat()
        profile = analyze(req.task_text(), sum(len(m["content"]) for m in chat), len(chat), req.task_type)
        strategy = req.strategy or (key.default_strategy if key and key.default_strategy else None) \
            or self.config.default_strategy
        # a dry run predicts the real call; only a fresh install with no provider key at all
        # shows the decision as if every provider were configured
        callable_models = self.configured if self.configured or not req.dry_run \
            else {m.id for m in self.catalog.models}
        # a budgeted key is routed among the models its remaining budget covers, so a nearly spent
        # budget still buys answers from cheaper models
        budget = await self.hooks.status(key) if key is not None and key.budget_usd is not None else None
        open_circuits = await self.breaker.open_models()
        decision = decide(
            profile, strategy, self.limits(req, key, budget["remaining_usd"] if budget else None),
            self.catalog.models,
            max_output_tokens=req.max_output_tokens, callable_models=callable_models,
            open_circuits=open_circuits, rules=self.config.rules,
            quality_floor=self.config.quality_floor, prefer_model=prefer_model,
        )
        if decision.chosen is None:
            # resting models come back after their cool-down, within the budget: a retry will do
            _raise_if_cooling_down(decision, open_circuits)
            if budget is not None and key is not None:
                _raise_if_over_budget(key, budget, decision)
        return profile, decision

    def baseline_cost(self, input_tokens: int, output_tokens: int) -> float:
        return self.catalog.baseline.estimate_cost(input_tokens, output_tokens)

    # --- the whole request ----------------------------------------------------------------------
    async def route(self, req: RouteRequest, key: ApiKey | None = None, prefer_model: str | None = None,
                    request_id: str | None = None) -> dict[str, Any]:
        started = time.monotonic()
        request_id = request_id or "req_" + uuid.uuid4().hex
        profile: TaskProfile | None = None
        decision: Decision | None = None
        outcome: Outcome | None = None
        reserved = 0.0
        try:
            profile, decision = await self.decide(req, key, prefer_model)
            self.check_decision(req, decision)
            if req.dry_run:
                body = self.response_body(request_id, req, profile, decision, None, started)
                await self.record_success(body, req, key)
                return body
            reserved = self.hold_for(decision)
            await self.hooks.reserve(key, request_id, reserved)
            deadline = started + req.constraints.max_latency_ms / 1000 if req.constraints.max_latency_ms else None
            schema = req.response_format.schema_ if req.response_format and req.response_format.type == "json_schema" else None
            outcome = await run(
                decision.candidates, req.chat(), creds_for=self.registry.for_model, call=self.call,
                deadline=deadline, max_attempts=self.settings.max_attempts,
                provider_timeout_s=self.settings.provider_timeout_s, temperature=req.temperature,
                json_schema=schema, on_failure=self.breaker.record_failure,
                on_success=self.breaker.record_success, is_eligible=self.within_hold(key, reserved),
            )
            actual = self.cost(outcome)
            await self.hooks.settle(key, request_id, reserved, actual)
            reserved = 0.0
            if outcome.failure is not None:
                outcome.failure.extra["attempts"] = [attempt_json(a) for a in outcome.attempts]
                raise outcome.failure
            body = self.response_body(request_id, req, profile, decision, outcome, started)
            await self.record_success(body, req, key)
            return body
        except errors.BestRouteError as exc:
            if reserved:
                await self.hooks.settle(key, request_id, reserved, self.cost(outcome) if outcome else 0.0)
            await self.record_failure(request_id, req, key, profile, decision, outcome, exc, started)
            raise
        except asyncio.CancelledError:
            # the caller went away mid-call: give the budget hold back now, not when it expires
            if reserved:
                await asyncio.shield(self.hooks.settle(key, request_id, reserved, 0.0))
            raise

    def hold_for(self, decision: Decision) -> float:
        """What a request holds against its key's budget: the worst case of the candidates that may be
        tried, since a fallback may answer with a pricier candidate than the chosen one."""
        return max(c.est_cost_usd for c in decision.candidates[:self.settings.max_attempts])

    @staticmethod
    def within_hold(key: ApiKey | None, held: float) -> Callable[[Candidate], bool]:
        """A budgeted key never falls back past what was held for it."""
        if key is None or key.budget_usd is None:
            return lambda c: True
        return lambda c: c.est_cost_usd <= held

    def check_decision(self, req: RouteRequest, decision: Decision) -> None:
        """Raise when nothing can be called: no credentials at all, or no eligible model."""
        if not req.dry_run and not self.configured:
            names = ", ".join(KEY_VARIABLES.values())
            raise errors.ProviderNotConfigured(
                f"no provider credentials are set: set at least one of {names} "
                "(or a provider in the config file), or send dry_run: true")
        if decision.chosen is None:
            raise errors.NoEligibleModel(
                _no_model_detail(req, decision),
                excluded=excluded_json(decision))

    def cost(self, outcome: Outcome | None) -> float:
        if outcome is None or outcome.completion is None or outcome.candidate is None:
            return 0.0
        c = outcome.completion
        return outcome.candidate.model.estimate_cost(c.input_tokens, c.output_tokens)

    def response_body(self, request_id: str, req: RouteRequest, profile: TaskProfile, decision: Decision,
                  outcome: Outcome | None, started: float) -> dict[str, Any]:
        chosen = outcome.candidate if outcome else decision.chosen
        assert chosen is not None
        model: ModelSpec = chosen.model
        if outcome and outcome.completion:
            in_tok, out_tok = outcome.completion.input_tokens, outcome.completion.output_tokens
            cost = model.estimate_cost(in_tok, out_tok)
            baseline = self.baseline_cost(in_tok, out_tok)
        else:
            in_tok, out_tok = profile.input_tokens, 0
            cost = 0.0
            baseline = self.baseline_cost(profile.input_tokens, chosen.output_tokens)
        estimate = chosen.est_cost_usd
        savings = baseline - (cost if outcome else estimate)
        latency = round((time.monotonic() - started) * 1000, 2)
        fallback = bool(outcome and decision.chosen and outcome.candidate
                        and outcome.candidate.model.id != decision.chosen.model.id)
        reason = decision.reason
        if fallback and outcome:
            failed = [a.model for a in outcome.attempts if a.status != "ok"]
            reason += (f" {', '.join(failed)} failed, so BestRoute fell back to {model.id}.")
        body = {
            "id": request_id,
            "answer": outcome.completion.text if outcome and outcome.completion else None,
            "output": outcome.output if outcome else None,
            "model": model.id,
            "provider": model.provider,
            "task_type": profile.task_type,
            "cost_usd": round(cost, 10),
            "estimated_cost_usd": round(estimate, 10),
            "baseline_cost_usd": round(baseline, 10),
            "savings_usd": round(savings, 10),
            "latency_ms": latency,
            "fallback_used": fallback,
            "dry_run": req.dry_run,
            "usage": {"input_tokens": in_tok, "output_tokens": out_tok},
            "receipt": {
                "strategy": decision.strategy,
                "task": {"type": profile.task_type, "confidence": profile.confidence,
                         "difficulty": profile.difficulty, "input_tokens": profile.input_tokens},
                "reason": reason,
                "chosen": model.id,
                "candidates": [{"model": c.model.id, "provider": c.model.provider, "score": c.score,
                                "quality": c.quality, "est_cost_usd": round(c.est_cost_usd, 10),
                                "est_latency_ms": c.est_latency_ms} for c in decision.candidates],
                "excluded": excluded_json(decision),
                "attempts": [attempt_json(a) for a in outcome.attempts] if outcome else [],
                "constraints": req.constraints.model_dump(exclude_none=True, exclude_defaults=True),
                "rules_applied": decision.rules_applied,
            },
        }
        return body

    async def record_success(self, body: dict[str, Any], req: RouteRequest, key: ApiKey | None) -> None:
        if self.usage is None:
            return
        await self.usage.record(UsageRecord(
            id=body["id"], created_at=time.time(), api_key_id=key.id if key else None,
            task_type=body["task_type"], model=body["model"], provider=body["provider"],
            strategy=body["receipt"]["strategy"], input_tokens=body["usage"]["input_tokens"],
            output_tokens=body["usage"]["output_tokens"], cost_usd=body["cost_usd"],
            baseline_cost_usd=body["baseline_cost_usd"], latency_ms=body["latency_ms"],
            status="ok", http_status=200, error_type=None, attempts=len(body["receipt"]["attempts"]),
            fallback_used=body["fallback_used"], dry_run=body["dry_run"], metadata=req.metadata,
        ))

    async def record_failure(self, request_id: str, req: RouteRequest, key: ApiKey | None,
                              profile: TaskProfile | None, decision: Decision | None,
                              outcome: Outcome | None, exc: errors.BestRouteError, started: float) -> None:
        if self.usage is None:
            return
        last = outcome.attempts[-1].model if outcome and outcome.attempts else None
        model = self.catalog.get(last) if last else None
        await self.usage.record(UsageRecord(
            id=request_id, created_at=time.time(), api_key_id=key.id if key else None,
            task_type=profile.task_type if profile else None, model=last,
            provider=model.provider if model else None, strategy=decision.strategy if decision else None,
            input_tokens=0, output_tokens=0, cost_usd=self.cost(outcome), baseline_cost_usd=0.0,
            latency_ms=round((time.monotonic() - started) * 1000, 2), status="error",
            http_status=exc.status, error_type=exc.slug, attempts=len(outcome.attempts) if outcome else 0,
            fallback_used=False, dry_run=req.dry_run, metadata=req.metadata,
        ))


def _raise_if_cooling_down(decision: Decision, open_circuits: dict[str, float]) -> None:
    """503 with Retry-After when the only models the request allows have open circuits."""
    resting = [e.model for e in decision.excluded if e.reason == CIRCUIT_OPEN]
    if not resting:
        return
    wait = max(1, math.ceil(min(open_circuits.get(m, 1.0) for m in resting)))
    raise errors.ModelsCoolingDown(
        f"every model this request allows failed repeatedly at its provider and is resting "
        f"({', '.join(resting[:3])}{' ...' if len(resting) > 3 else ''}); the first is tried again in "
        f"{wait} s: retry then, or widen the constraints to let other models answer",
        retry_after_s=wait,
        excluded=excluded_json(decision))


def _raise_if_over_budget(key: ApiKey, budget: dict[str, Any], decision: Decision) -> None:
    """402 when the remaining budget is what left no model to route to."""
    over = [e.model for e in decision.excluded if e.reason.startswith(OVER_BUDGET)]
    if not over:
        return
    held = budget["held_usd"]
    in_flight = f" (${held:.9g} of it held by requests in flight)" if held else ""
    raise errors.BudgetExhausted(
        f"API key '{key.name}' has ${budget['remaining_usd']:.9g} left of its ${budget['budget_usd']:.9g} "
        f"monthly budget{in_flight}, less than the estimated cost of any model this request allows "
        f"({', '.join(over[:3])}{' ...' if len(over) > 3 else ''}). The budget resets at {budget['resets_at']}.",
        spent_usd=budget["spent_usd"], budget_usd=budget["budget_usd"], resets_at=budget["resets_at"],
        held_usd=held)


def excluded_json(decision: Decision) -> list[dict[str, str]]:
    """The receipt's and the problems' ``excluded`` list: each model left out and why."""
    return [{"model": e.model, "reason": e.reason} for e in decision.excluded]


def attempt_json(a: Any) -> dict[str, Any]:
    return {"model": a.model, "status": a.status, "error_type": a.error_type, "detail": a.detail,
            "latency_ms": a.latency_ms}


def _no_model_detail(req: RouteRequest, decision: Decision) -> str:
    c = req.constraints.model_dump(exclude_none=True, exclude_defaults=True)
    named = ", ".join(f"{k}={v}" for k, v in c.items()) or "the API key's policy"
    if not decision.excluded:
        return "no model in the catalog"
    # the models the caller asked for come first: their reasons are the ones worth reading
    listed = ("not in allowed_models", "in blocked_models", "not in allowed_providers",
              "is in blocked_providers", "not allowed for this API key")
    ordered = sorted(decision.excluded, key=lambda e: any(e.reason.endswith(x) for x in listed))
    sample = "; ".join(f"{e.model}: {e.reason}" for e in ordered[:3])
    more = len(ordered) - 3
    return (f"no model satisfies {named}: all {len(ordered)} models were excluded "
            f"({sample}{f'; {more} more' if more > 0 else ''}). Relax a constraint.")
