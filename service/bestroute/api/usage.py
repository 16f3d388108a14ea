"""GET /v1/usage: spend, baseline spend, savings, requests, fallbacks and errors, filtered and grouped.

A user key sees its own usage only (and its budget); the admin key (BESTROUTE_ADMIN_KEY) sees every
key's. Query parameters are validated here so that each bad one is named in the 422.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from bestroute.api.deps import current_key, is_admin
from bestroute.api.routes import PROBLEMS
from bestroute.errors import Forbidden, InvalidField
from bestroute.store.usage import GROUPS, usage_report
from bestroute.tasks import TASK_TYPES
from bestroute.team.budgets import iso

router = APIRouter()

_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class UsageTotals(BaseModel):
    requests: int = Field(description="Requests, failed ones and dry runs included.")
    spend_usd: float = Field(description="What the model calls cost.")
    baseline_spend_usd: float = Field(description="What the premium baseline model would have cost.")
    savings_usd: float = Field(description="baseline_spend_usd - spend_usd.")
    fallbacks: int = Field(description="Answers that came from a fallback model.")
    errors: int = Field(description="Requests that ended in an error.")
    input_tokens: int = Field(description="Input tokens.")
    output_tokens: int = Field(description="Output tokens.")


class UsageGroup(UsageTotals):
    group: str | None = Field(description="The day (YYYY-MM-DD), model, task type or key id.")
    name: str | None = Field(None, description="The key's name (group_by=key).")


class UsageReport(BaseModel):
    filters: dict[str, Any] = Field(description="The filters applied (the caller's key for a user key).")
    totals: UsageTotals = Field(description="Sums over every matching request.")
    groups: list[UsageGroup] | None = Field(None, description="Present with group_by.")
    budget: dict[str, Any] | None = Field(None, description="A user key's budget this month.")


def parse_time(field: str, value: str | None) -> float | None:
    """Unix seconds, an ISO date (UTC midnight) or an ISO date-time (no offset = UTC)."""
    if value is None or value == "":
        return None
    if _NUMBER.match(value):
        return float(value)
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField.one(field, f"'{value}' is not a time: use ISO 8601 (2026-11-01 or "
                                      "2026-11-01T12:00:00Z) or unix seconds") from None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()


@router.get("/v1/usage", response_model=UsageReport, operation_id="usage",
            responses={s: PROBLEMS[s] for s in (401, 422, 429)} | {403: {"description": "Another key's usage"}},
            summary="Usage and savings")
async def usage(
    request: Request,
    key: Annotated[str | None, Query(description="Only this key id (a user key: only its own).")] = None,
    model: Annotated[str | None, Query(description="Only this model, e.g. openai/gpt-5-mini.")] = None,
    task_type: Annotated[str | None, Query(description="Only this task type.")] = None,
    since: Annotated[str | None, Query(description="From this time: ISO 8601 date or date-time, or unix seconds.")] = None,
    until: Annotated[str | None, Query(description="Before this time (same formats).")] = None,
    group_by: Annotated[str | None, Query(description="day | model | task_type | key")] = None,
) -> dict[str, Any]:
    admin = is_admin(request)
    caller = None if admin else await current_key(request)
    problems = []
    if task_type is not None and task_type not in TASK_TYPES:
        problems.append({"field": "task_type", "message": f"must be one of {', '.join(TASK_TYPES)}"})
    if group_by is not None and group_by not in GROUPS:
        problems.append({"field": "group_by", "message": f"must be one of {', '.join(GROUPS)}"})
    start = end = None
    for name, raw in (("since", since), ("until", until)):
        try:
            value = parse_time(name, raw)
        except InvalidField as exc:
            problems += exc.errors
            continue
        start, end = (value, end) if name == "since" else (start, value)
    if start is not None and end is not None and end <= start:
        problems.append({"field": "until", "message": "must be later than since"})
    if problems:
        raise InvalidField(problems)
    if caller is not None:
        if key is not None and key != caller.id:
            raise Forbidden("a user key sees only its own usage; the admin key sees every key's")
        key = caller.id
    state = request.app.state
    report = await asyncio.to_thread(usage_report, state.db, api_key_id=key, model=model, task_type=task_type,
                                     since=start, until=end, group_by=group_by)
    if group_by == "key":
        names = {k.id: k.name for k in await asyncio.to_thread(state.keys.list)}
        for g in report["groups"]:
            g["name"] = names.get(g["group"])
    report["filters"] = {"key": key, "model": model, "task_type": task_type,
                         "since": iso(start) if start is not None else None,
                         "until": iso(end) if end is not None else None, "group_by": group_by}
    if caller is not None:
        report["budget"] = await state.router.hooks.status(caller)
    return report
