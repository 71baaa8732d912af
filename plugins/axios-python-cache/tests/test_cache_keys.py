"""Cache keys (`_keys`): URL normalisation, credentials fingerprints, header scans."""

from __future__ import annotations

import httpx
import pytest
from axios_python_cache._keys import (
    Credentials,
    UrlKeys,
    credential_material,
    header_list,
    header_value,
    normalize_url,
    scan_headers,
    vary_matches,
)

from axios_python._config import merge_config, split_client_options
from axios_python._request_build import build_request


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h/p?b=2&a=1", "http://h/p?a=1&b=2"),
        ("http://h/p?a=2&b=0&a=1", "http://h/p?a=2&a=1&b=0"),  # repeated names keep their order
        ("http://h/p?q=a+b", "http://h/p?q=a+b"),
        ("http://h/p?q=a%20b", "http://h/p?q=a+b"),
        ("http://h/p?flag", "http://h/p?flag="),
        ("HTTP://H:80/p#frag", "http://h/p"),
        ("https://h:8443", "https://h:8443/"),
        ("http://h/p%2Fq", "http://h/p%2Fq"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    """Sorted query, uniform encoding, no fragment, no default port, a path of at least /."""
    assert normalize_url(httpx.URL(url))[0] == expected


def test_normalize_url_moves_userinfo_out_of_the_key() -> None:
    """user:password@ is returned apart (it is a credential), never in the key."""
    key, userinfo = normalize_url(httpx.URL("http://user:secret@h/p"))
    assert (key, userinfo) == ("http://h/p", b"user:secret")


@pytest.mark.parametrize(
    ("base_url", "url", "params"),
    [
        ("http://h/api", "/items", {"page": 1}),
        ("http://h/api/", "items?b=1", {"a": ["x", "y"]}),
        (None, "http://other/x?z=1", [("a", "1"), ("a", "2")]),
        ("http://h", "/x", "q=1&p=2"),
        ("http://h", httpx.URL("/x"), None),
    ],
)
def test_config_keys_match_the_built_request(
    base_url: str | None, url: object, params: object
) -> None:
    """The middleware's key (from the config) equals on_transport's (from the built request)."""
    defaults, _ = split_client_options({"base_url": base_url} if base_url else {})
    config = merge_config(defaults, "GET", url, {"params": params} if params else None)
    request = build_request(config)
    keys = UrlKeys()
    from_config = keys.from_config(config.get("base_url"), config["url"], config.get("params"))
    assert from_config == keys.from_url(request.url)
    assert (
        keys.from_config(config.get("base_url"), config["url"], config.get("params")) == from_config
    )


def test_invalid_urls_have_no_key() -> None:
    """A URL the core would reject gives None (the pipeline raises its own error)."""
    keys = UrlKeys()
    assert keys.from_config(None, "/relative", None) is None
    assert keys.from_config(None, "ftp://h/x", None) is None


def test_credentials_fingerprints() -> None:
    """No credentials: "". Different credentials: different hashes. Secrets never appear."""
    creds = Credentials()
    assert creds.fingerprint(None, None, None, None, b"") == ""
    alice = creds.fingerprint(b"Bearer alice-secret", None, None, None, b"")
    bob = creds.fingerprint(b"Bearer bob-secret", None, None, None, b"")
    assert alice != bob
    assert alice == creds.fingerprint(b"Bearer alice-secret", None, None, None, b"")
    assert "secret" not in alice
    assert len(alice) == 32
    cookie_a = creds.fingerprint(None, None, {"s": "1"}, None, b"")
    cookie_b = creds.fingerprint(None, None, {"s": "2"}, None, b"")
    assert "" != cookie_a != cookie_b
    assert creds.fingerprint(None, None, None, None, b"u:p") != ""


def test_cookie_jar_is_credential_material() -> None:
    """A non-empty cookie jar is part of the material; an empty one is not."""
    jar = httpx.Cookies()
    assert credential_material(None, None, None, jar, b"") is None
    jar.set("session", "abc", domain="h")
    material = credential_material(None, None, None, jar, b"")
    assert material is not None
    assert ("h", "/", "session", "abc") in material[3]


def test_scan_and_header_values() -> None:
    """One pass finds authorization, cookie, cache-control, pragma (repeats joined)."""
    items = header_list(
        httpx.Headers(
            [
                ("Accept", "a"),
                ("Authorization", "Bearer t"),
                ("Cache-Control", "no-cache"),
                ("Cookie", "a=1"),
                ("Cookie", "b=2"),
            ]
        )
    )
    assert scan_headers(items) == (b"Bearer t", b"a=1, b=2", b"no-cache", None)
    assert header_value(items, b"accept") == b"a"
    assert header_value(items, b"missing") is None
    assert vary_matches(((b"accept", b"a"), (b"missing", None)), items)
    assert not vary_matches(((b"accept", b"b"),), items)
    assert scan_headers(header_list({"X": "1"})) == (None, None, None, None)
