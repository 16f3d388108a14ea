"""Provider credentials: conventional environment variables, then the config file's `providers:`.

A model is available only when its provider has credentials (or the model has its own api_base,
as local OpenAI-compatible servers do).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bestroute.catalog import Catalog, ModelSpec
from bestroute.config import Config

KEY_VARIABLES = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
}
BASE_VARIABLES = {
    "openai": "OPENAI_BASE_URL",
    "anthropic": "ANTHROPIC_BASE_URL",
    "gemini": "GEMINI_BASE_URL",
    "mistral": "MISTRAL_BASE_URL",
    "deepseek": "DEEPSEEK_BASE_URL",
}


def key_variable(provider: str) -> str:
    return KEY_VARIABLES.get(provider, f"{provider.upper()}_API_KEY")


@dataclass(frozen=True)
class Credentials:
    api_key: str | None = field(default=None, repr=False)
    api_base: str | None = None


@dataclass(frozen=True)
class ProviderRegistry:
    credentials: dict[str, Credentials]

    def for_model(self, model: ModelSpec) -> Credentials | None:
        """Credentials to call ``model`` with, or None when the model cannot be called."""
        creds = self.credentials.get(model.provider, Credentials())
        api_key = model.api_key or creds.api_key
        api_base = model.api_base or creds.api_base
        if api_key is None and model.api_base is None:
            return None
        return Credentials(api_key=api_key or "none", api_base=api_base)

    def configured(self, catalog: Catalog) -> set[str]:
        return {m.id for m in catalog.models if self.for_model(m) is not None}


def load_registry(config: Config, catalog: Catalog, environ: Mapping[str, str] | None = None) -> ProviderRegistry:
    env = os.environ if environ is None else environ
    creds: dict[str, Credentials] = {}
    for provider in set(catalog.providers) | set(config.providers):
        file_entry = config.providers.get(provider, {})
        api_key = env.get(key_variable(provider)) or file_entry.get("api_key")
        api_base = env.get(BASE_VARIABLES.get(provider, f"{provider.upper()}_BASE_URL")) or file_entry.get("api_base")
        creds[provider] = Credentials(api_key=api_key or None, api_base=api_base or None)
    return ProviderRegistry(credentials=creds)
