"""Admin routes (BESTROUTE_ADMIN_KEY): API keys."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from bestroute.api.deps import AdminDep
from bestroute.api.routes import PROBLEMS
from bestroute.catalog import Catalog
from bestroute.errors import InvalidField, NotFound
from bestroute.tasks import Strategy

router = APIRouter()


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, description="A label for the key's owner.")
    budget_usd: float | None = Field(None, gt=0, le=1_000_000, description="Monthly budget in USD.")
    rpm: StrictInt | None = Field(None, gt=0, le=1_000_000, description="Requests per minute.")
    allowed_models: list[str] | None = Field(None, description="Only these models for this key.")
    allowed_providers: list[str] | None = Field(None, description="Only these providers for this key.")
    default_strategy: Strategy | None = Field(None, description="Strategy when the request names none.")


class KeyPublic(BaseModel):
    id: str = Field(description="Key id (not secret).")
    name: str = Field(description="Label.")
    prefix: str = Field(description="First characters of the key, to recognise it.")
    created_at: float = Field(description="Unix time.")
    revoked: bool = Field(description="True once revoked.")
    revoked_at: float | None = Field(description="Unix time of revocation.")
    budget_usd: float | None = Field(description="Monthly budget in USD.")
    rpm: int | None = Field(description="Requests per minute.")
    allowed_models: list[str] | None = Field(description="Allowed models.")
    allowed_providers: list[str] | None = Field(description="Allowed providers.")
    default_strategy: str | None = Field(description="Default strategy.")


class KeyCreated(KeyPublic):
    key: str = Field(description="The API key. Shown only this once.")


class KeyList(BaseModel):
    data: list[KeyPublic] = Field(description="Keys (never the secret).")
    count: int = Field(description="Number of keys.")


def _check_catalog_names(body: KeyCreate, catalog: Catalog) -> None:
    models, providers = {m.id for m in catalog.models}, set(catalog.providers)
    problems = [{"field": f"allowed_models[{i}]", "message": f"unknown model '{m}'; see GET /v1/models"}
                for i, m in enumerate(body.allowed_models or []) if m not in models]
    problems += [{"field": f"allowed_providers[{i}]",
                  "message": f"unknown provider '{p}'; known: {', '.join(sorted(providers))}"}
                 for i, p in enumerate(body.allowed_providers or []) if p not in providers]
    if problems:
        raise InvalidField(problems)


ADMIN_PROBLEMS = {s: PROBLEMS[s] for s in (401, 422)} | {403: {"description": "Not the admin key"}}


@router.post("/v1/admin/keys", status_code=201, response_model=KeyCreated, operation_id="create_key",
             responses=ADMIN_PROBLEMS, summary="Create an API key (shown once)")
async def create_key(body: KeyCreate, request: Request, _: AdminDep) -> dict[str, Any]:
    _check_catalog_names(body, request.app.state.router.catalog)
    key, plaintext = await asyncio.to_thread(request.app.state.keys.create, **body.model_dump())
    request.app.state.keys_required = True
    return {**key.public(), "key": plaintext}


@router.get("/v1/admin/keys", response_model=KeyList, operation_id="list_keys", responses=ADMIN_PROBLEMS,
            summary="List API keys")
async def list_keys(request: Request, _: AdminDep) -> dict[str, Any]:
    keys = await asyncio.to_thread(request.app.state.keys.list)
    return {"data": [k.public() for k in keys], "count": len(keys)}


@router.delete("/v1/admin/keys/{key_id}", response_model=KeyPublic, operation_id="revoke_key",
               responses=ADMIN_PROBLEMS | {404: {"description": "No such key"}}, summary="Revoke an API key")
async def revoke_key(key_id: str, request: Request, _: AdminDep) -> dict[str, Any]:
    store = request.app.state.keys
    await asyncio.to_thread(store.revoke, key_id)
    key = await asyncio.to_thread(store.get, key_id)
    if key is None:
        raise NotFound(f"no API key with id '{key_id}'")
    return key.public()
