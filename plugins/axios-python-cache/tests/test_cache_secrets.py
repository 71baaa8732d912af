"""The cache keys on every sensitive header a request carries (the core's redaction policy),
never a subset: one API key's response is never served to another. Sync and async, both
transports."""

from __future__ import annotations

import importlib.util

import pytest

from axios_python.redaction import Redactor

from .conftest import Make

pytestmark = pytest.mark.anyio

TRANSPORTS = pytest.mark.parametrize(
    "transport",
    [
        "httpx",
        pytest.param(
            "aiohttp",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("axios_python_aiohttp") is None,
                reason="axios-python-aiohttp not installed",
            ),
        ),
    ],
)


@TRANSPORTS
@pytest.mark.parametrize("header", ["X-Api-Key", "X-Auth-Token", "X-Goog-Api-Key"])
async def test_api_keys_do_not_share_entries(
    make: Make, name: str, transport: str, header: str
) -> None:
    """`X-Api-Key: alice`, then `X-Api-Key: bob`: bob got alice's cached body."""
    api, _ = make(config={"transport": transport})
    url = f"/cache?max_age=60&n={name}"
    alice = await api.get(url, headers={header: "alice"})
    bob = await api.get(url, headers={header: "bob"})
    alice_again = await api.get(url, headers={header: "alice"})
    assert not alice.from_cache
    assert not bob.from_cache
    assert bob.data["counter"] != alice.data["counter"]
    assert alice_again.from_cache
    assert alice_again.data["counter"] == alice.data["counter"]


@TRANSPORTS
async def test_every_sensitive_header_is_key_material(
    make: Make, name: str, transport: str
) -> None:
    """Same Authorization, different X-Api-Key: not the same asker."""
    api, _ = make(config={"transport": transport})
    url = f"/cache?max_age=60&n={name}"
    common = {"Authorization": "Bearer shared", "X-Api-Key": "alice"}
    first = await api.get(url, headers=common)
    other = await api.get(url, headers={**common, "X-Api-Key": "bob"})
    assert not other.from_cache
    assert other.data["counter"] != first.data["counter"]


async def test_a_client_policy_header_is_key_material(make: Make, name: str) -> None:
    api, _ = make(config={"redact": Redactor().extend(headers=["x-tenant"])})
    url = f"/cache?max_age=60&n={name}"
    await api.get(url, headers={"X-Tenant": "a"})
    other = await api.get(url, headers={"X-Tenant": "b"})
    assert not other.from_cache
