"""Process settings: environment variables with the BESTROUTE_ prefix (nothing is read at import).

Provider credentials use the providers' conventional variables and live in ``providers``; the
optional YAML config file (``config``) holds the catalog overrides, routing rules and provider
entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bestroute.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BESTROUTE_", extra="ignore")

    config: Path | None = Field(None, description="Path of the YAML config file.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: Path = Path("data")
    database_url: str | None = Field(None, description="sqlite:///path or postgresql://...")
    redis_url: str | None = None
    redis_prefix: str = Field("bestroute:", description="Prefix of every Redis key (one per deployment).")
    budget_hold_s: float = Field(900.0, description="A budget hold of a request that never settles expires after this.")
    log_format: Literal["json", "text"] = Field("json", description="json (one object per line) or text.")
    admin_key: SecretStr | None = None
    max_body_bytes: int = 4 * 1024 * 1024
    max_attempts: int = 3
    provider_timeout_s: float = 60.0
    circuit_failures: int = 3
    circuit_cooldown_s: float = 30.0
    cors_origins: list[str] = Field(
        default_factory=list, description='Origins allowed by CORS, as JSON: ["https://app.example"]. Empty: CORS off.')
    log_level: str = "info"
    usage_batch_max: int = 256
    upstream_client: Literal["native", "litellm"] = Field(
        "native", description="native: OpenAI- and Anthropic-format models are called directly and the "
                              "rest through litellm; litellm: every model through litellm.")
    upstream_connections: int = Field(100, ge=1, description="Connections kept open to providers, per worker.")

    @classmethod
    def from_env(cls) -> "Settings":
        """The settings, or a ConfigError naming each bad variable and what it accepts."""
        try:
            return cls()
        except ValidationError as exc:
            problems = []
            for e in exc.errors():
                name = "BESTROUTE_" + "_".join(str(part) for part in e["loc"]).upper()
                shown = "" if name == "BESTROUTE_ADMIN_KEY" else f" (got {e.get('input')!r})"
                problems.append(f"{name}: {e['msg']}{shown}")
            raise ConfigError("invalid setting " + "; ".join(problems)) from None

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bestroute.db').resolve()}"
