"""Shared fixtures: the fake upstream and a real `bestroute serve` (uvicorn) on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.stack import Service, Upstream  # noqa: E402


@pytest.fixture(scope="session")
def upstream() -> Iterator[Upstream]:
    up = Upstream().start()
    yield up
    up.stop()


@pytest.fixture(scope="module")
def upstream_client(request: pytest.FixtureRequest) -> str:
    """How the service calls providers: ``native`` (the default) or ``litellm`` (BESTROUTE_UPSTREAM_CLIENT).

    A module that sets ``BOTH_CLIENTS = True`` runs every test twice, once per client, so the same
    assertions hold for the native client and for litellm's real code path.
    """
    return getattr(request, "param", "native")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if getattr(metafunc.module, "BOTH_CLIENTS", False) and "upstream_client" in metafunc.fixturenames:
        metafunc.parametrize("upstream_client", ["native", "litellm"], indirect=True, scope="module")


@pytest.fixture(scope="module")
def service(upstream: Upstream, upstream_client: str, request: pytest.FixtureRequest) -> Iterator[Service]:
    """One server per test module (open auth: no key created), with the module's ``SERVICE_ENV``."""
    env = {"BESTROUTE_UPSTREAM_CLIENT": upstream_client, **getattr(request.module, "SERVICE_ENV", {})}
    svc = Service(upstream.url, extra_env=env).start()
    yield svc
    svc.stop()


@pytest.fixture
def clean_upstream(upstream: Upstream) -> Iterator[None]:
    """No fault rule outlives the test that set it; modules opt in with ``pytestmark`` or autouse."""
    upstream.reset()
    yield
    upstream.reset()


@pytest.fixture
def client(service: Service, upstream: Upstream) -> Iterator[httpx.Client]:
    upstream.reset()
    with httpx.Client(base_url=service.url, timeout=60) as c:
        yield c
    upstream.reset()
