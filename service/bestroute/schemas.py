"""HTTP schemas: the field names shared by the service and all three connectors (see docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import jsonschema
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bestroute.tasks import Capability, Strategy, TaskType

MAX_TASK_CHARS = 2_000_000
Scalar = str | int | float | bool | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Message(_Strict):
    role: Literal["system", "user", "assistant"] = Field(description="Who wrote this turn.")
    content: str = Field(max_length=MAX_TASK_CHARS, description="The text of the turn.")


class Constraints(_Strict):
    max_cost_usd: float | None = Field(
        None, gt=0, le=1000, description="Most the request may cost in USD (estimated from input + max output tokens).")
    max_latency_ms: int | None = Field(
        None, gt=0, le=600_000, description="Deadline for the whole request in milliseconds, fallbacks included.")
    allowed_providers: list[str] | None = Field(
        None, max_length=50, description="Only models of these providers (e.g. openai, anthropic).")
    blocked_providers: list[str] = Field(default_factory=list, max_length=50, description="Never these providers.")
    allowed_models: list[str] | None = Field(
        None, max_length=200, description="Only these catalog models (ids as in GET /v1/models).")
    blocked_models: list[str] = Field(default_factory=list, max_length=200, description="Never these models.")
    required_capabilities: list[Capability] = Field(
        default_factory=list, description="Capabilities the model must have: vision, json_schema, tools, reasoning.")
    min_quality: float | None = Field(
        None, ge=0, le=1, description="Lowest acceptable expected quality (0..1) for this task.")


class ResponseFormat(_Strict):
    type: Literal["text", "json_schema"] = Field("text", description="text, or json_schema for parsed output.")
    schema_: dict[str, Any] | None = Field(
        None, alias="schema", description="JSON Schema the answer must satisfy (type json_schema).")
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> ResponseFormat:
        if self.type == "json_schema":
            if not self.schema_:
                raise ValueError("schema is required when type is json_schema")
            try:
                jsonschema.Draft202012Validator.check_schema(self.schema_)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"schema is not a valid JSON Schema: {exc.message}") from None
        return self


class RouteRequest(_Strict):
    task: str | None = Field(None, max_length=MAX_TASK_CHARS, description="The task text (or use messages).")
    messages: list[Message] | None = Field(
        None, max_length=500, description="Chat history instead of task; the last user turn is the task.")
    system: str | None = Field(None, max_length=100_000, description="System prompt.")
    strategy: Strategy | None = Field(None, description="balanced (default), cheapest, best or fastest.")
    task_type: Literal["auto"] | TaskType = Field("auto", description="auto-detect, or name the task type.")
    constraints: Constraints = Field(default_factory=Constraints, description="Hard limits on the choice.")
    response_format: ResponseFormat | None = Field(None, description="text (default) or json_schema.")
    max_output_tokens: int = Field(1024, ge=1, le=200_000, description="Most tokens the answer may have.")
    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature.")
    dry_run: bool = Field(False, description="Decide and estimate only; call no model.")
    metadata: dict[Annotated[str, Field(max_length=64)], Scalar] = Field(
        default_factory=dict, max_length=50, description="Your labels, stored with the usage record.")

    @field_validator("metadata")
    @classmethod
    def _short_values(cls, v: dict[str, Scalar]) -> dict[str, Scalar]:
        for key, value in v.items():
            if isinstance(value, str) and len(value) > 2000:
                raise ValueError(f"value of '{key}' is longer than 2000 characters")
        return v

    @model_validator(mode="after")
    def _task_or_messages(self) -> RouteRequest:
        if self.messages is not None:
            if not any(m.role == "user" and m.content.strip() for m in self.messages):
                raise ValueError("messages must contain a non-empty user turn")
        elif self.task is None or not self.task.strip():
            raise ValueError("task must be a non-empty string (or send messages)")
        return self

    def task_text(self) -> str:
        if self.messages is not None:
            return next(m.content for m in reversed(self.messages) if m.role == "user" and m.content.strip())
        return self.task or ""

    def chat(self) -> list[dict[str, str]]:
        msgs: list[dict[str, str]] = []
        if self.system:
            msgs.append({"role": "system", "content": self.system})
        if self.messages is not None:
            msgs.extend({"role": m.role, "content": m.content} for m in self.messages)
        else:
            msgs.append({"role": "user", "content": self.task or ""})
        return msgs


class Usage(BaseModel):
    input_tokens: int = Field(description="Input tokens billed by the provider (estimated on dry run).")
    output_tokens: int = Field(description="Output tokens billed by the provider.")


class TaskInfo(BaseModel):
    type: str = Field(description="Task type used for routing.")
    confidence: float = Field(description="Classifier confidence 0..1 (1 when given by the caller).")
    difficulty: float = Field(description="0..1: how likely a cheap model falls short.")
    input_tokens: int = Field(description="Estimated input tokens.")


class CandidateOut(BaseModel):
    model: str = Field(description="Catalog model id.")
    provider: str = Field(description="Provider of the model.")
    score: float = Field(description="Ranking score under the strategy (higher is better).")
    quality: float = Field(description="Expected quality 0..1 for this task and difficulty.")
    est_cost_usd: float = Field(description="Estimated cost (input tokens + max output tokens).")
    est_latency_ms: float = Field(description="Expected latency in ms.")


class ExclusionOut(BaseModel):
    model: str = Field(description="Catalog model id.")
    reason: str = Field(description="Why the model could not be used.")


class AttemptOut(BaseModel):
    model: str = Field(description="Model tried.")
    status: Literal["ok", "error", "invalid_output", "skipped"] = Field(description="Outcome of the attempt.")
    error_type: str | None = Field(None, description="timeout, rate_limited, server_error, bad_response, "
                                                     "context_window, auth, bad_request, invalid_output.")
    detail: str | None = Field(None, description="What went wrong, in words.")
    latency_ms: float = Field(description="Time spent on this attempt.")


class Receipt(BaseModel):
    strategy: str = Field(description="Strategy used.")
    task: TaskInfo = Field(description="What BestRoute understood of the task.")
    reason: str = Field(description="Why this model, in plain sentences.")
    chosen: str | None = Field(description="Model that answered (or would answer, on dry run).")
    candidates: list[CandidateOut] = Field(description="Eligible models, best first.")
    excluded: list[ExclusionOut] = Field(description="Models ruled out, each with its reason.")
    attempts: list[AttemptOut] = Field(description="Every call made, in order.")
    constraints: dict[str, Any] = Field(description="The constraints applied (request and API key).")
    rules_applied: list[str] = Field(description="Config rules that changed the ranking.")


class RouteResponse(BaseModel):
    id: str = Field(description="Request id (also in the usage log).")
    answer: str | None = Field(description="The model's answer; null on dry run.")
    output: Any = Field(None, description="Parsed JSON answer when response_format is json_schema.")
    model: str | None = Field(description="Model that answered (or would, on dry run).")
    provider: str | None = Field(description="Provider of that model.")
    task_type: str = Field(description="Task type used for routing.")
    cost_usd: float = Field(description="What the request cost (0 on dry run).")
    estimated_cost_usd: float = Field(description="Estimated cost of the chosen model before the call.")
    baseline_cost_usd: float = Field(description="What the baseline (premium) model would have cost.")
    savings_usd: float = Field(description="baseline_cost_usd - cost_usd (estimates on dry run).")
    latency_ms: float = Field(description="Total time in BestRoute, fallbacks included.")
    fallback_used: bool = Field(description="True when a model other than the first choice answered.")
    dry_run: bool = Field(description="True when no model was called.")
    usage: Usage = Field(description="Token usage.")
    receipt: Receipt = Field(description="The routing receipt: what was decided and why.")


class ModelPublic(BaseModel):
    id: str = Field(description="Catalog model id (same as model).")
    object: Literal["model"] = Field("model", description="Always 'model' (OpenAI list format).")
    owned_by: str = Field(description="Provider (OpenAI list format).")
    model: str = Field(description="Catalog model id.")
    provider: str = Field(description="Provider name.")
    input_cost_per_1m: float = Field(description="USD per 1M input tokens.")
    output_cost_per_1m: float = Field(description="USD per 1M output tokens.")
    context_window: int = Field(description="Max input tokens.")
    max_output_tokens: int = Field(description="Max output tokens.")
    capabilities: list[str] = Field(description="vision, json_schema, tools, reasoning.")
    quality: dict[str, float] = Field(description="Quality prior 0..1 per task type.")
    typical_latency_ms: float = Field(description="Expected latency of a typical answer in ms.")
    available: bool = Field(description="True when the provider's credentials are set.")
    health: Literal["ok", "open"] = Field(description="open = circuit open after repeated failures.")


class ModelList(BaseModel):
    object: Literal["list"] = Field("list", description="Always 'list'.")
    data: list[ModelPublic] = Field(description="The catalog.")
    count: int = Field(description="Number of models.")


class ErrorItem(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. constraints.max_cost_usd.")
    message: str = Field(description="What is wrong and how to fix it.")


class Problem(BaseModel):
    type: str = Field(description="Problem type URI, e.g. /problems/invalid-field.")
    title: str = Field(description="Short summary.")
    status: int = Field(description="HTTP status.")
    detail: str = Field(description="What went wrong, in words.")
    errors: list[ErrorItem] | None = Field(None, description="Invalid fields.")
    excluded: list[ExclusionOut] | None = Field(None, description="Why each model was excluded.")
    attempts: list[AttemptOut] | None = Field(None, description="Every attempt made.")
