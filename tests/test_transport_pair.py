"""Transport pairs: `transport="fast"` and `{"sync": ..., "async": ...}` send each kind of call
with its own transport, one cookie jar between them; bad pairs are a ConfigError naming what is
wrong."""

from __future__ import annotations

from typing import Any

import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import BaseTransport, ConfigError, MockTransport, Request, Response, TransportPair
from tests.transports import HAVE_AIOHTTP, HAVE_URLLIB3

pytestmark = pytest.mark.anyio
NEED_FAST = pytest.mark.skipif(
    not (HAVE_AIOHTTP and HAVE_URLLIB3), reason='needs "axios-python[fast]" installed'
)


def answering(name: str) -> MockTransport:
    return MockTransport(lambda request: Response(200, data={"by": name}))


async def test_each_kind_of_call_goes_to_its_side() -> None:
    """Sync calls are sent by `sync`, async calls by `async_`, closing closes both."""
    sync, async_ = answering("sync"), answering("async")
    async with axios_python.AxiosPython(
        {"base_url": "http://pair.test"}, transport={"sync": sync, "async": async_}
    ) as api:
        assert isinstance(api.transport, TransportPair)
        assert api.get("/a").data == {"by": "sync"}
        assert (await api.async_get("/b")).data == {"by": "async"}
    assert [str(r.url) for r in sync.requests] == ["http://pair.test/a"]
    assert [str(r.url) for r in async_.requests] == ["http://pair.test/b"]


class SyncOnly(BaseTransport):
    sends = frozenset({"sync"})

    def send(self, request: Request) -> Response:
        return Response(200, request=request)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"sync": "httpx", "asink": "httpx"}, "unknown key(s) 'asink'"),
        ({"sync": "no-such-transport"}, "no installed transport named 'no-such-transport'"),
        ({"async": SyncOnly()}, "SyncOnly cannot be the 'async' side: it sends sync calls only"),
        ({"sync": 5}, "instance of BaseTransport"),
    ],
)
def test_bad_pairs_are_config_errors(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match="transport") as info:
        axios_python.create({"transport": spec})
    assert message in str(info.value)


def test_options_for_a_pair_of_objects_are_refused() -> None:
    with pytest.raises(ConfigError, match="verify configure named transports"):
        axios_python.create({"transport": {"sync": answering("s")}, "verify": False})


@pytest.mark.skipif(not HAVE_AIOHTTP, reason="axios-python-aiohttp not installed")
def test_a_sync_only_side_is_named_when_misplaced() -> None:
    """aiohttp hands sync calls to httpx: as the sync side it is refused, naming it."""
    with pytest.raises(ConfigError, match="AiohttpTransport cannot be the 'sync' side"):
        axios_python.create({"transport": {"sync": "aiohttp", "async": "httpx"}})


@NEED_FAST
async def test_fast_is_urllib3_for_sync_and_aiohttp_for_async(server: LocalServer) -> None:
    """transport="fast": one cookie jar between both sides, each sending its own calls, and the
    client options (cookies, max_redirects) reach both."""
    from axios_python_aiohttp import AiohttpTransport
    from axios_python_urllib3 import Urllib3Transport

    config = {"base_url": server.url, "cookies": {"start": "1"}, "max_redirects": 1}
    async with axios_python.create({**config, "transport": "fast"}) as api:
        pair = api.transport
        assert isinstance(pair, TransportPair)
        assert isinstance(pair.sync, Urllib3Transport)
        assert isinstance(pair.async_, AiohttpTransport)
        assert api.get("/cookies/set", params={"s": "1"}).data == {
            "cookies": {"start": "1", "s": "1"}
        }
        assert (await api.async_get("/cookies/set", params={"a": "2"})).data == {
            "cookies": {"start": "1", "s": "1", "a": "2"}
        }
        assert api.get("/cookies").data["cookies"]["a"] == "2"
        with pytest.raises(axios_python.TooManyRedirects):
            await api.async_get("/redirect/2")
        with pytest.raises(axios_python.TooManyRedirects):
            api.get("/redirect/2")


@NEED_FAST
def test_fast_equals_the_explicit_pair() -> None:
    api = axios_python.create({"transport": {"sync": "urllib3", "async": "aiohttp"}})
    fast = axios_python.create({"transport": "fast"})
    assert isinstance(api.transport, TransportPair)
    assert isinstance(fast.transport, TransportPair)
    assert type(api.transport.sync) is type(fast.transport.sync)
    assert type(api.transport.async_) is type(fast.transport.async_)
    api.close()
    fast.close()


def test_fast_without_its_transports_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from axios_python._transports import pair

    monkeypatch.setattr(pair, "_missing", lambda names: ["urllib3"])
    with pytest.raises(ConfigError, match=r'pip install "axios-python\[fast\]"') as info:
        axios_python.create({"transport": "fast"})
    assert info.value.key == "transport"
