"""API keys: created once and shown once, stored as SHA-256 hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bestroute.store.db import Database

KEY_PREFIX = "br-"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    prefix: str
    created_at: float
    revoked_at: float | None
    budget_usd: float | None
    rpm: int | None
    allowed_models: list[str] | None
    allowed_providers: list[str] | None
    default_strategy: str | None

    def public(self) -> dict[str, Any]:
        """Everything but secrets (the hash never leaves the store)."""
        return {
            "id": self.id, "name": self.name, "prefix": self.prefix, "created_at": self.created_at,
            "revoked": self.revoked_at is not None, "revoked_at": self.revoked_at,
            "budget_usd": self.budget_usd, "rpm": self.rpm, "allowed_models": self.allowed_models,
            "allowed_providers": self.allowed_providers, "default_strategy": self.default_strategy,
        }


def _from_row(row: dict[str, Any]) -> ApiKey:
    return ApiKey(
        id=row["id"], name=row["name"], prefix=row["prefix"], created_at=row["created_at"],
        revoked_at=row["revoked_at"], budget_usd=row["budget_usd"], rpm=row["rpm"],
        allowed_models=json.loads(row["allowed_models"]) if row["allowed_models"] else None,
        allowed_providers=json.loads(row["allowed_providers"]) if row["allowed_providers"] else None,
        default_strategy=row["default_strategy"],
    )


class KeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, *, name: str, budget_usd: float | None = None, rpm: int | None = None,
               allowed_models: list[str] | None = None, allowed_providers: list[str] | None = None,
               default_strategy: str | None = None) -> tuple[ApiKey, str]:
        """Returns the key record and the plaintext key (the only time it exists)."""
        plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
        key_id = "key_" + uuid.uuid4().hex[:16]
        self.db.execute(
            "INSERT INTO api_keys (id, name, key_hash, prefix, created_at, budget_usd, rpm, allowed_models, "
            "allowed_providers, default_strategy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key_id, name, hash_key(plaintext), plaintext[:7], time.time(), budget_usd, rpm,
             json.dumps(allowed_models) if allowed_models else None,
             json.dumps(allowed_providers) if allowed_providers else None, default_strategy),
        )
        return self.get(key_id), plaintext  # type: ignore[return-value]

    def get(self, key_id: str) -> ApiKey | None:
        rows = self.db.query("SELECT * FROM api_keys WHERE id = ?", (key_id,))
        return _from_row(rows[0]) if rows else None

    def list(self) -> list[ApiKey]:
        return [_from_row(r) for r in self.db.query("SELECT * FROM api_keys ORDER BY created_at")]

    def revoke(self, key_id: str) -> bool:
        return self.db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               (time.time(), key_id)) > 0

    def any_exist(self) -> bool:
        return bool(self.db.query("SELECT 1 AS one FROM api_keys LIMIT 1"))

    def verify(self, presented: str) -> ApiKey | None:
        """The live key for ``presented``, or None (unknown or revoked)."""
        digest = hash_key(presented)
        rows = self.db.query("SELECT * FROM api_keys WHERE key_hash = ?", (digest,))
        if not rows or not hmac.compare_digest(rows[0]["key_hash"], digest):
            return None
        key = _from_row(rows[0])
        return None if key.revoked_at is not None else key
