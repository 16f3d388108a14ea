"""The model catalog: bundled defaults + litellm's bundled price map + the user's config overrides.

Prices, context windows and capability flags come from litellm's price map file, read as JSON
without importing litellm (the import costs seconds and ~200 MB; deciding must stay cheap).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bestroute.config import Config
from bestroute.errors import ConfigError
from bestroute.tasks import TASK_TYPES

_CAPABILITY_FLAGS = {
    "supports_vision": "vision",
    "supports_response_schema": "json_schema",
    "supports_function_calling": "tools",
    "supports_reasoning": "reasoning",
}
DEFAULT_QUALITY = 0.7


@dataclass(frozen=True, slots=True)
class ModelSpec:
    id: str
    provider: str
    litellm_model: str
    input_cost_per_token: float
    output_cost_per_token: float
    context_window: int
    max_output_tokens: int
    capabilities: frozenset[str]
    quality: dict[str, float] = field(hash=False)
    ttft_ms: float = 800.0
    tokens_per_s: float = 80.0
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)

    def estimate_cost(self, input_tokens: int, output_tokens: int) -> float:
        return input_tokens * self.input_cost_per_token + output_tokens * self.output_cost_per_token

    def estimate_latency_ms(self, output_tokens: int) -> float:
        return self.ttft_ms + 1000.0 * output_tokens / self.tokens_per_s


@lru_cache(maxsize=1)
def litellm_price_map() -> dict[str, dict[str, Any]]:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("litellm is not installed: it provides the price map")
    path = Path(list(spec.submodule_search_locations)[0]) / "model_prices_and_context_window_backup.json"
    return json.loads(path.read_text())


def _default_entries() -> list[dict[str, Any]]:
    text = resources.files("bestroute").joinpath("data/catalog.yaml").read_text()
    return list(yaml.safe_load(text)["models"])


def _price_entry(price_map: dict[str, dict[str, Any]], litellm_model: str) -> dict[str, Any]:
    if litellm_model in price_map:
        return price_map[litellm_model]
    bare = litellm_model.split("/", 1)[-1]
    return price_map.get(bare, {})


def _build(entry: dict[str, Any], price_map: dict[str, dict[str, Any]]) -> ModelSpec:
    model_id = entry["id"]
    provider = entry.get("provider") or (model_id.split("/", 1)[0] if "/" in model_id else "openai")
    litellm_model = entry.get("litellm_model") or (model_id if "/" in model_id else f"{provider}/{model_id}")
    price = _price_entry(price_map, litellm_model)

    def per_token(key_1m: str, key_tok: str) -> float:
        if key_1m in entry:
            return float(entry[key_1m]) / 1_000_000
        if price.get(key_tok) is not None:
            return float(price[key_tok])
        if entry.get("api_base"):
            return 0.0  # a self-hosted endpoint costs nothing per token unless configured
        raise ConfigError(
            f"model '{model_id}': no price in litellm's price map; set input_cost_per_1m and "
            "output_cost_per_1m in the config file"
        )

    caps = entry.get("capabilities")
    capabilities = frozenset(caps) if caps is not None else frozenset(
        cap for flag, cap in _CAPABILITY_FLAGS.items() if price.get(flag)
    )
    quality = {t: float(entry.get("quality", {}).get(t, DEFAULT_QUALITY)) for t in TASK_TYPES}
    return ModelSpec(
        id=model_id,
        provider=provider,
        litellm_model=litellm_model,
        input_cost_per_token=per_token("input_cost_per_1m", "input_cost_per_token"),
        output_cost_per_token=per_token("output_cost_per_1m", "output_cost_per_token"),
        context_window=int(entry.get("context_window") or price.get("max_input_tokens") or 8192),
        max_output_tokens=int(entry.get("max_output_tokens") or price.get("max_output_tokens") or 4096),
        capabilities=capabilities,
        quality=quality,
        ttft_ms=float(entry.get("ttft_ms", 800.0)),
        tokens_per_s=float(entry.get("tokens_per_s", 80.0)),
        api_base=entry.get("api_base"),
        api_key=entry.get("api_key"),
    )


@dataclass(frozen=True)
class Catalog:
    models: tuple[ModelSpec, ...]
    baseline: ModelSpec

    def get(self, model_id: str) -> ModelSpec | None:
        for m in self.models:
            if m.id == model_id:
                return m
        return None

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.provider for m in self.models))


def build_catalog(config: Config, price_map: dict[str, dict[str, Any]] | None = None) -> Catalog:
    price_map = litellm_price_map() if price_map is None else price_map
    entries: dict[str, dict[str, Any]] = {e["id"]: dict(e) for e in _default_entries()}
    for override in config.models:
        merged = {**entries.get(override["id"], {}), **override}
        if "quality" in override and override["id"] in entries:
            merged["quality"] = {**entries[override["id"]].get("quality", {}), **override["quality"]}
        entries[override["id"]] = merged
    models = tuple(_build(e, price_map) for e in entries.values() if e.get("enabled", True))
    if not models:
        raise ConfigError("the catalog is empty: every model is disabled")
    if config.baseline_model:
        baseline = next((m for m in models if m.id == config.baseline_model), None)
        if baseline is None:
            raise ConfigError(f"key 'baseline_model': '{config.baseline_model}' is not in the catalog")
    else:
        baseline = max(models, key=lambda m: (m.output_cost_per_token, m.input_cost_per_token))
    return Catalog(models=models, baseline=baseline)


def with_credentials(model: ModelSpec, api_key: str | None, api_base: str | None) -> ModelSpec:
    return replace(model, api_key=model.api_key or api_key, api_base=model.api_base or api_base)
