"""The pure decisions of `_policy`: no client, no transport, no clock."""

from __future__ import annotations

import email.utils

import httpx
import pytest
from axios_python_cache._policy import (
    DEFAULT_STATUSES,
    RequestDirectives,
    decide,
    freshness_lifetime,
    initial_age,
    parse_cache_control,
    request_directives,
    updated_headers,
    vary_names,
)

DATE = 1_700_000_000.0


def headers(**fields: str) -> httpx.Headers:
    return httpx.Headers({name.replace("_", "-"): value for name, value in fields.items()})


def date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


def test_parse_cache_control() -> None:
    """Directive names are lowercased; arguments unquoted; valueless directives map to None."""
    assert parse_cache_control('Max-Age=60, no-cache, private="set-cookie" ,') == {
        "max-age": "60",
        "no-cache": None,
        "private": "set-cookie",
    }
    assert parse_cache_control(None) == {}


def test_request_directives() -> None:
    """no-cache, no-store, max-age from Cache-Control; Pragma: no-cache only without it."""
    assert request_directives(None, None) == RequestDirectives()
    assert request_directives("no-cache, max-age=5", None) == RequestDirectives(
        no_cache=True, max_age=5.0
    )
    assert request_directives("no-store", None).no_store
    assert request_directives(None, "no-cache").no_cache
    assert not request_directives("max-age=1", "no-cache").no_cache
    assert request_directives("max-age=oops", None).max_age is None


def test_vary_names() -> None:
    """Vary names are lowercased and deduplicated across fields; * gives None."""
    assert vary_names(httpx.Headers([("Vary", "Accept, Accept-Language"), ("Vary", "accept")])) == (
        "accept",
        "accept-language",
    )
    assert vary_names(headers(Vary="Accept, *")) is None
    assert vary_names(headers()) == ()


@pytest.mark.parametrize(
    ("status", "fields", "kwargs", "reason"),
    [
        (500, {}, {}, "status"),
        (206, {}, {}, "status"),
        (200, {"Cache-Control": "no-store"}, {}, "no-store"),
        (200, {}, {"request": RequestDirectives(no_store=True)}, "no-store"),
        (200, {"Vary": "*"}, {}, "vary-star"),
        (200, {"Cache-Control": "private"}, {"shared": True}, "private"),
        (200, {}, {"shared": True, "authorization": True}, "authorization"),
        (200, {}, {"standards": True}, "stale"),
        (200, {"Cache-Control": "no-cache"}, {"standards": True}, "no-cache"),
        (200, {"Cache-Control": "max-age=10", "Age": "20"}, {"standards": True}, "stale"),
    ],
)
def test_decide_refuses(
    status: int, fields: dict[str, str], kwargs: dict[str, object], reason: str
) -> None:
    """Each refusal of the module docstring's table, with its reason."""
    decision = decide(status, httpx.Headers(fields), statuses=DEFAULT_STATUSES, **kwargs)  # type: ignore[arg-type]
    assert (decision.store, decision.reason) == (False, reason)


def test_decide_ttl_mode() -> None:
    """TTL mode: everything storable lives `ttl` seconds (forever for None), directives aside."""
    ok = decide(200, headers(Cache_Control="max-age=0"), statuses=DEFAULT_STATUSES, ttl=30)
    assert (ok.store, ok.lifetime) == (True, 30.0)
    forever = decide(404, headers(), statuses=DEFAULT_STATUSES, ttl=None)
    assert forever.lifetime == float("inf")
    private = decide(200, headers(Cache_Control="private"), statuses=DEFAULT_STATUSES, ttl=1)
    assert private.store  # a private (client) cache may store it


def test_decide_shared_cache_with_authorization_allowed_by_public() -> None:
    """A shared cache stores an authorized response when it is public or has s-maxage."""
    for cc in ("public", "s-maxage=5", "must-revalidate"):
        decision = decide(
            200,
            headers(Cache_Control=cc),
            statuses=DEFAULT_STATUSES,
            shared=True,
            authorization=True,
            ttl=1,
        )
        assert decision.store, cc


def test_decide_standards_mode() -> None:
    """Standards mode: lifetime and age from headers; no-cache stored for revalidation."""
    fresh = decide(
        200,
        headers(Cache_Control="max-age=60", Age="10", Vary="Accept"),
        statuses=DEFAULT_STATUSES,
        standards=True,
    )
    assert (fresh.store, fresh.lifetime, fresh.age, fresh.vary) == (True, 60.0, 10.0, ("accept",))
    revalidate = decide(
        200,
        headers(Cache_Control="no-cache", ETag='"x"'),
        statuses=DEFAULT_STATUSES,
        standards=True,
    )
    assert (revalidate.store, revalidate.always_revalidate) == (True, True)
    validators_only = decide(200, headers(ETag='"x"'), statuses=DEFAULT_STATUSES, standards=True)
    assert (validators_only.store, validators_only.lifetime) == (True, 0.0)


def test_freshness_lifetime_precedence() -> None:
    """s-maxage (shared) > max-age > Expires - Date > 10% of Date - Last-Modified."""
    h = headers(Date=date(DATE), Expires=date(DATE + 300), Last_Modified=date(DATE - 1000))
    cc = parse_cache_control("max-age=60, s-maxage=120")
    assert freshness_lifetime(h, cc, status_code=200, shared=True) == 120.0
    assert freshness_lifetime(h, cc, status_code=200, shared=False) == 60.0
    assert freshness_lifetime(h, {}, status_code=200, shared=False) == 300.0
    no_expires = headers(Date=date(DATE), Last_Modified=date(DATE - 1000))
    assert freshness_lifetime(no_expires, {}, status_code=200, shared=False) == 100.0
    assert freshness_lifetime(no_expires, {}, status_code=299, shared=False) == 0.0
    assert freshness_lifetime(no_expires, {"public": None}, status_code=299, shared=False) == 100.0


def test_freshness_lifetime_expires_edge_cases() -> None:
    """Invalid Expires is stale; Expires without Date is measured from `now`; past is 0."""
    assert freshness_lifetime(headers(Expires="0"), {}, status_code=200, shared=False) == 0.0
    no_date = headers(Expires=date(DATE + 50))
    assert freshness_lifetime(no_date, {}, status_code=200, shared=False, now=DATE) == 50.0
    past = headers(Date=date(DATE), Expires=date(DATE - 50))
    assert freshness_lifetime(past, {}, status_code=200, shared=False) == 0.0


def test_initial_age() -> None:
    """The Age header, or 0 when absent or malformed."""
    assert initial_age(headers(Age="42")) == 42.0
    assert initial_age(headers(Age="x")) == 0.0
    assert initial_age(headers()) == 0.0


def test_updated_headers() -> None:
    """A 304's fields replace the stored ones, except Content-Length/-Encoding."""
    stored = httpx.Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", "10"),
            ("Cache-Control", "max-age=0"),
            ("ETag", '"a"'),
        ]
    )
    fresh = httpx.Headers([("Cache-Control", "max-age=9"), ("Content-Length", "0"), ("X-New", "1")])
    merged = updated_headers(stored, fresh)
    assert merged["cache-control"] == "max-age=9"
    assert merged["content-length"] == "10"
    assert merged["x-new"] == "1"
    assert merged["etag"] == '"a"'
    assert stored["cache-control"] == "max-age=0"  # the stored headers are not mutated
