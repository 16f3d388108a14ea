"""The `bestroute` command: serve, route, models, keys, usage, classify, eval."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bestroute.errors import BestRouteError


def _settings(args: argparse.Namespace) -> Any:
    from bestroute.settings import Settings

    if getattr(args, "config", None):
        os.environ["BESTROUTE_CONFIG"] = str(args.config)
    return Settings.from_env()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bestroute.store.db import Database
    from bestroute.store.keys import KeyStore

    settings = _settings(args)
    host = args.host or settings.host
    port = args.port or settings.port
    db = Database(settings.resolved_database_url())
    db.migrate()
    has_keys = KeyStore(db).any_exist()
    db.close()
    if not _is_loopback(host) and not has_keys:
        print(f"refusing to listen on {host}: no API key exists, so anyone could use your provider "
              "credentials. Create one with 'bestroute keys create --name NAME' or bind 127.0.0.1.",
              file=sys.stderr)
        return 2
    from bestroute.logs import uvicorn_log_config

    if (args.workers or settings.workers) > 1 and not settings.redis_url:
        print("warning: several workers without BESTROUTE_REDIS_URL: each worker keeps its own budget "
              "holds, rate limits and circuit state (see docs/deployment.md)", file=sys.stderr)
    uvicorn.run("bestroute.api.app:create_app", factory=True, host=host, port=port,
                workers=args.workers or settings.workers, log_level=settings.log_level,
                log_config=uvicorn_log_config(settings.log_level, settings.log_format),
                access_log=False, loop="uvloop", http="httptools")
    return 0


def _router(args: argparse.Namespace) -> Any:
    from bestroute.api.app import build_router

    return build_router(_settings(args))


def cmd_route(args: argparse.Namespace) -> int:
    from bestroute.schemas import RouteRequest

    router = _router(args)
    body: dict[str, Any] = {"task": args.text, "dry_run": args.dry_run}
    if args.strategy:
        body["strategy"] = args.strategy
    if args.task_type:
        body["task_type"] = args.task_type
    if args.max_cost is not None:
        body["constraints"] = {"max_cost_usd": args.max_cost}
    try:
        req = RouteRequest.model_validate(body)
        result = asyncio.run(_route_recorded(router, req, _db(args)))
    except BestRouteError as exc:
        print(json.dumps(exc.problem(), indent=2) if args.json else f"error: {exc.detail}", file=sys.stderr)
        for e in exc.extra.get("excluded", [])[:20]:
            print(f"  - {e['model']}: {e['reason']}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(result["answer"] if result["answer"] is not None else "(dry run: no model was called)")
    print()
    print(render_receipt(result))
    return 0


async def _route_recorded(router: Any, req: Any, db: Any) -> dict[str, Any]:
    """Route like the server does, usage record included."""
    from bestroute.store.usage import UsageWriter

    router.usage = UsageWriter(db)
    router.usage.start()
    try:
        return await router.route(req)
    finally:
        await router.usage.close()
        await router.wire.close()
        db.close()


def render_receipt(r: dict[str, Any]) -> str:
    rc = r["receipt"]
    lines = [
        f"model:     {r['model']} ({r['provider']})",
        f"task:      {rc['task']['type']} (confidence {rc['task']['confidence']:.2f}, "
        f"difficulty {rc['task']['difficulty']:.2f}, ~{rc['task']['input_tokens']} input tokens)",
        f"strategy:  {rc['strategy']}",
        f"why:       {rc['reason']}",
        f"cost:      ${r['cost_usd']:.6f} (estimated ${r['estimated_cost_usd']:.6f}; premium baseline "
        f"${r['baseline_cost_usd']:.6f}; saved ${r['savings_usd']:.6f})",
        "candidates:",
    ]
    for c in rc["candidates"][:8]:
        lines.append(f"  {c['model']:<34} score {c['score']:>7.3f}  quality {c['quality']:.2f}  "
                     f"est ${c['est_cost_usd']:.6f}  ~{c['est_latency_ms']:.0f} ms")
    if rc["excluded"]:
        lines.append("excluded:")
        lines += [f"  {e['model']:<34} {e['reason']}" for e in rc["excluded"]]
    if rc["attempts"]:
        lines.append("attempts:")
        lines += [f"  {a['model']:<34} {a['status']} {a['error_type'] or ''} {a['latency_ms']:.0f} ms"
                  for a in rc["attempts"]]
    return "\n".join(lines)


def cmd_models(args: argparse.Namespace) -> int:
    router = _router(args)
    rows = []
    for m in router.catalog.models:
        rows.append({"model": m.id, "provider": m.provider,
                     "input_cost_per_1m": round(m.input_cost_per_token * 1e6, 4),
                     "output_cost_per_1m": round(m.output_cost_per_token * 1e6, 4),
                     "context_window": m.context_window, "capabilities": sorted(m.capabilities),
                     "available": m.id in router.configured})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'model':<34} {'$/1M in':>9} {'$/1M out':>9} {'context':>10}  {'available':<9} capabilities")
    for r in rows:
        print(f"{r['model']:<34} {r['input_cost_per_1m']:>9.3f} {r['output_cost_per_1m']:>9.3f} "
              f"{r['context_window']:>10,}  {'yes' if r['available'] else 'no':<9} {','.join(r['capabilities'])}")
    return 0


def _db(args: argparse.Namespace) -> Any:
    from bestroute.store.db import Database

    db = Database(_settings(args).resolved_database_url())
    db.migrate()
    return db


def cmd_keys(args: argparse.Namespace) -> int:
    from bestroute.store.keys import KeyStore

    store = KeyStore(_db(args))
    if args.keys_cmd == "create":
        key, plaintext = store.create(
            name=args.name, budget_usd=args.budget_usd, rpm=args.rpm,
            allowed_models=args.allowed_models, allowed_providers=args.allowed_providers,
            default_strategy=args.default_strategy)
        if args.json:
            print(json.dumps({**key.public(), "key": plaintext}))
        else:
            print(plaintext)
            print(f"created {key.id} ({key.name}); the key above is shown only once", file=sys.stderr)
        return 0
    if args.keys_cmd == "list":
        keys = [k.public() for k in store.list()]
        if args.json:
            print(json.dumps(keys, indent=2))
        else:
            print(f"{'id':<22} {'name':<20} {'prefix':<8} {'budget':>10} {'rpm':>6}  status")
            for k in keys:
                print(f"{k['id']:<22} {k['name'][:20]:<20} {k['prefix']:<8} "
                      f"{k['budget_usd'] if k['budget_usd'] is not None else '-':>10} "
                      f"{k['rpm'] if k['rpm'] is not None else '-':>6}  {'revoked' if k['revoked'] else 'active'}")
        return 0
    if store.revoke(args.key_id):
        print(f"revoked {args.key_id}")
        return 0
    print(f"no active key with id {args.key_id}", file=sys.stderr)
    return 1


def cmd_usage(args: argparse.Namespace) -> int:
    from bestroute.store.usage import usage_report

    from bestroute.api.usage import parse_time

    since = time.time() - args.days * 86400 if args.days else parse_time("since", args.since)
    report = usage_report(_db(args), api_key_id=args.key, model=args.model, task_type=args.task_type,
                          since=since, until=parse_time("until", args.until), group_by=args.group_by)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    head = f"{'group':<34} {'requests':>9} {'spend $':>11} {'baseline $':>11} {'saved $':>11} {'fallbacks':>9} {'errors':>7}"
    print(head)
    rows = [(g["group"], g) for g in report.get("groups", [])] + [("TOTAL", report["totals"])]
    for name, g in rows:
        print(f"{str(name)[:34]:<34} {g['requests']:>9} {g['spend_usd']:>11.6f} {g['baseline_spend_usd']:>11.6f} "
              f"{g['savings_usd']:>11.6f} {g['fallbacks']:>9} {g['errors']:>7}")
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    """Serve the MCP tools over stdio; usage is recorded in the same database as the HTTP service."""
    from bestroute.mcp_server import serve_stdio
    from bestroute.store.usage import UsageWriter

    router = _router(args)
    db = _db(args)

    async def serve() -> None:
        router.usage = UsageWriter(db, router.settings.usage_batch_max)
        router.usage.start()
        try:
            await serve_stdio(router)
        finally:
            await router.usage.close()
            await router.wire.close()

    try:
        asyncio.run(serve())
    finally:
        db.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bestroute", description="Route each AI request to the best model.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the HTTP service")
    s.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=None, help="port (default 8000)")
    s.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    s.add_argument("--config", type=Path, help="YAML config file (or BESTROUTE_CONFIG)")
    s.set_defaults(func=cmd_serve)

    r = sub.add_parser("route", help="route one task and print the answer and the receipt")
    r.add_argument("text")
    r.add_argument("--strategy", choices=["balanced", "cheapest", "best", "fastest"])
    r.add_argument("--max-cost", type=float, dest="max_cost")
    r.add_argument("--task-type", dest="task_type", help="skip detection: one of the seven task types")
    r.add_argument("--dry-run", action="store_true", dest="dry_run")
    r.add_argument("--json", action="store_true")
    r.add_argument("--config", type=Path)
    r.set_defaults(func=cmd_route)

    m = sub.add_parser("models", help="the model catalog")
    m.add_argument("--json", action="store_true")
    m.add_argument("--config", type=Path)
    m.set_defaults(func=cmd_models)

    k = sub.add_parser("keys", help="manage API keys")
    ksub = k.add_subparsers(dest="keys_cmd", required=True)
    kc = ksub.add_parser("create")
    kc.add_argument("--name", required=True)
    kc.add_argument("--budget-usd", type=float, dest="budget_usd")
    kc.add_argument("--rpm", type=int)
    kc.add_argument("--allowed-models", nargs="+", dest="allowed_models")
    kc.add_argument("--allowed-providers", nargs="+", dest="allowed_providers")
    kc.add_argument("--default-strategy", choices=["balanced", "cheapest", "best", "fastest"], dest="default_strategy")
    kc.add_argument("--json", action="store_true")
    kl = ksub.add_parser("list")
    kl.add_argument("--json", action="store_true")
    kr = ksub.add_parser("revoke")
    kr.add_argument("key_id")
    for x in (kc, kl, kr):
        x.add_argument("--config", type=Path)
    k.set_defaults(func=cmd_keys)

    u = sub.add_parser("usage", help="usage and savings report")
    u.add_argument("--key")
    u.add_argument("--model")
    u.add_argument("--task-type", dest="task_type")
    u.add_argument("--days", type=float, help="only the last N days")
    u.add_argument("--since", help="from this time on (ISO 8601 date or date-time, or unix seconds)")
    u.add_argument("--until", help="before this time (ISO 8601 date or date-time, or unix seconds)")
    u.add_argument("--group-by", choices=["day", "model", "task_type", "key"], dest="group_by")
    u.add_argument("--json", action="store_true")
    u.add_argument("--config", type=Path)
    u.set_defaults(func=cmd_usage)

    mc = sub.add_parser("mcp", help="serve BestRoute's MCP tools over stdio (for local agents)")
    mc.add_argument("--config", type=Path)
    mc.set_defaults(func=cmd_mcp)

    try:
        from bestroute.understanding.commands import add_commands
    except ImportError:
        pass
    else:
        add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BestRouteError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
