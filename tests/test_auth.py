"""Every way to fail authentication, against a real server (SQLite, no Redis): no key, wrong key,
revoked key, malformed header, user key on admin routes, admin routes without or with a wrong key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support import stack
from tests.support.stack import Service, Upstream

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def svc(upstream: Upstream) -> Iterator[Service]:
    s = Service(upstream.url).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def http(svc: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=svc.url, timeout=30) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def problem(r: httpx.Response, status: int, slug: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["type"] == f"/problems/{slug}" and body["status"] == status and body["detail"]
    return body


def test_open_until_the_first_key_exists_then_closed(svc: Service, http: httpx.Client) -> None:
    # a fresh single-user install: no key needed
    assert http.get("/v1/models").status_code == 200
    assert http.post("/v1/route", json={"task": "hi", "dry_run": True}).status_code == 200
    svc.create_key(name="first")
    body = problem(http.get("/v1/models"), 401, "unauthorized")
    assert "missing API key" in body["detail"]
    assert http.get("/v1/models").headers["www-authenticate"].startswith("Bearer")
    problem(http.post("/v1/route", json={"task": "hi", "dry_run": True}), 401, "unauthorized")


def test_missing_wrong_and_malformed_keys_are_401(svc: Service, http: httpx.Client) -> None:
    key = svc.create_key(name="alice")["key"]
    assert http.get("/v1/models", headers=bearer(key)).status_code == 200
    assert http.get("/v1/models", headers={"x-api-key": key}).status_code == 200
    assert http.get("/v1/models", headers={"authorization": f"bearer {key}"}).status_code == 200
    for headers in ({}, bearer("br-not-a-real-key"), bearer(key + "x"), bearer(key[:-1]),
                    {"authorization": "Bearer"}, {"authorization": f"Basic {key}"},
                    {"x-api-key": "wrong"}):
        body = problem(http.get("/v1/models", headers=headers), 401, "unauthorized")
        assert key not in str(body)  # the presented secret is never echoed
    for path in ("/v1/usage",):
        problem(http.get(path, headers=bearer("br-wrong")), 401, "unauthorized")
    problem(http.post("/v1/route", json={"task": "hi", "dry_run": True}, headers=bearer("br-wrong")),
            401, "unauthorized")


def test_revoked_key_is_refused_at_once(svc: Service, http: httpx.Client) -> None:
    created = svc.create_key(name="bob")
    key = created["key"]
    assert http.post("/v1/route", json={"task": "hi", "dry_run": True}, headers=bearer(key)).status_code == 200
    r = http.delete(f"/v1/admin/keys/{created['id']}", headers=bearer(svc.admin_key))
    assert r.status_code == 200 and r.json()["revoked"] is True
    body = problem(http.post("/v1/route", json={"task": "hi", "dry_run": True}, headers=bearer(key)),
                   401, "unauthorized")
    assert "revoked" in body["detail"]
    problem(http.get("/v1/models", headers=bearer(key)), 401, "unauthorized")
    problem(http.get("/v1/usage", headers=bearer(key)), 401, "unauthorized")
    listed = {k["id"]: k for k in http.get("/v1/admin/keys", headers=bearer(svc.admin_key)).json()["data"]}
    assert listed[created["id"]]["revoked"] is True
    problem(http.delete("/v1/admin/keys/key_doesnotexist", headers=bearer(svc.admin_key)), 404, "not-found")


def test_user_key_on_admin_routes_is_403(svc: Service, http: httpx.Client) -> None:
    created = svc.create_key(name="carol")
    h = bearer(created["key"])
    problem(http.get("/v1/admin/keys", headers=h), 403, "forbidden")
    problem(http.post("/v1/admin/keys", json={"name": "mine"}, headers=h), 403, "forbidden")
    problem(http.delete(f"/v1/admin/keys/{created['id']}", headers=h), 403, "forbidden")
    # the key was not revoked by its own attempt
    assert http.get("/v1/models", headers=h).status_code == 200


def test_admin_routes_without_or_with_a_wrong_admin_key(svc: Service, http: httpx.Client) -> None:
    body = problem(http.get("/v1/admin/keys"), 401, "unauthorized")
    assert "BESTROUTE_ADMIN_KEY" in body["detail"]
    problem(http.get("/v1/admin/keys", headers=bearer(svc.admin_key + "x")), 403, "forbidden")
    problem(http.post("/v1/admin/keys", json={"name": "x"}, headers=bearer("adm-guess")), 403, "forbidden")
    assert http.get("/v1/admin/keys", headers=bearer(svc.admin_key)).status_code == 200


def test_admin_key_is_not_a_routing_key(svc: Service, http: httpx.Client) -> None:
    problem(http.post("/v1/route", json={"task": "hi", "dry_run": True}, headers=bearer(svc.admin_key)),
            401, "unauthorized")


def test_admin_routes_disabled_without_admin_key(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack, "wait_ready", lambda *a, **k: None)  # admin routes need no warm provider layer
    s = Service(upstream.url, admin_key="")
    s.extra_env["BESTROUTE_ADMIN_KEY"] = ""
    s.start()
    try:
        r = httpx.get(f"{s.url}/v1/admin/keys", headers=bearer("anything"), timeout=30)
        body = problem(r, 403, "forbidden")
        assert "BESTROUTE_ADMIN_KEY" in body["detail"]
    finally:
        s.stop()


def test_user_key_sees_only_its_own_usage(svc: Service, http: httpx.Client) -> None:
    a, b = svc.create_key(name="dave"), svc.create_key(name="erin")
    for k in (a, a, b):
        assert http.post("/v1/route", json={"task": "hello", "dry_run": True},
                         headers=bearer(k["key"])).status_code == 200
    mine = http.get("/v1/usage", headers=bearer(a["key"])).json()
    assert mine["filters"]["key"] == a["id"] and mine["totals"]["requests"] == 2
    assert http.get("/v1/usage", params={"key": a["id"]}, headers=bearer(a["key"])).json()["totals"]["requests"] == 2
    problem(http.get("/v1/usage", params={"key": b["id"]}, headers=bearer(a["key"])), 403, "forbidden")
    everyone = http.get("/v1/usage", params={"group_by": "key"}, headers=bearer(svc.admin_key)).json()
    groups = {g["group"]: g for g in everyone["groups"]}
    assert groups[a["id"]]["requests"] == 2 and groups[b["id"]]["requests"] == 1
    assert groups[a["id"]]["name"] == "dave"
    assert everyone["totals"]["requests"] >= 3
