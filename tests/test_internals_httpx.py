"""The contract of `axios_python._internals.httpx`: every private httpx attribute the core uses
still exists and still means what it meant. A failure here names the attribute a new httpx
release changed; update `_internals/httpx.py` (and its list of checked versions) first."""

from __future__ import annotations

import gzip

import httpx
import pytest

from axios_python import Request
from axios_python._internals import httpx as internals


@pytest.mark.parametrize(
    ("owner", "attribute"),
    [
        (httpx.Response, "_get_content_decoder"),
        (httpx.Response(200), "_request"),
        (httpx.Response(200, content=b"x"), "_content"),
        (httpx.Request("GET", "http://h.test/"), "_content"),
        (httpx.Headers({"a": "b"}), "_list"),
        (httpx.Headers({"a": "b"}), "_encoding"),
    ],
)
def test_the_private_attribute_exists(owner: object, attribute: str) -> None:
    """Each private name the module reads is still there (fails on the release that drops it)."""
    assert hasattr(owner, attribute), f"httpx {httpx.__version__} has no {attribute}"


def test_request_without_body_is_what_httpx_builds() -> None:
    """Attribute for attribute, the shortcut builds httpx's own request."""
    headers = httpx.Headers({"Host": "h.test", "Content-Length": "0", "X-A": "1"})
    built = httpx.Request("POST", "http://h.test/p", headers={"X-A": "1"})
    ours = internals.request_without_body(
        httpx.Request, "POST", httpx.URL("http://h.test/p"), headers, {}, httpx.ByteStream(b"")
    )
    assert vars(ours).keys() == vars(built).keys()
    assert (ours.method, ours.url, ours.content, ours.extensions) == (
        built.method,
        built.url,
        built.content,
        built.extensions,
    )
    assert sorted(ours.headers.raw) == sorted(built.headers.raw)
    assert isinstance(
        internals.request_without_body(
            Request, "GET", httpx.URL("http://h.test/"), httpx.Headers(), {}, httpx.ByteStream(b"")
        ),
        Request,
    )


def test_request_of_a_response_with_and_without_one() -> None:
    """The response's request, or None where httpx's property raises."""
    request = httpx.Request("GET", "http://h.test/")
    assert internals.request_of(httpx.Response(200, request=request)) is request
    bare = httpx.Response(200)
    assert internals.request_of(bare) is None
    with pytest.raises(RuntimeError):
        bare.request  # noqa: B018 - the public way raises: why the shortcut exists


def test_content_decoder_and_set_content_read_a_gzip_body() -> None:
    """httpx's decoder inflates the raw body; set_content leaves what read() would."""
    body = b'{"ok": true}' * 100
    raw = httpx.Response(
        200,
        headers={"Content-Encoding": "gzip"},
        stream=httpx.ByteStream(gzip.compress(body)),
    )
    decoder = internals.content_decoder(raw)
    decoded = b"".join(decoder.decode(chunk) for chunk in raw.iter_raw(64)) + decoder.flush()
    assert decoded == body
    internals.set_content(raw, decoded)
    assert raw.content == body
    assert raw.text == body.decode()


def test_header_items_are_httpx_triples() -> None:
    """(raw name, lower-cased name, value) byte triples, in order, repeated names kept."""
    headers = httpx.Headers([("X-A", "1"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    assert internals.header_items(headers) == [
        (b"X-A", b"x-a", b"1"),
        (b"Set-Cookie", b"set-cookie", b"a=1"),
        (b"Set-Cookie", b"set-cookie", b"b=2"),
    ]


@pytest.mark.parametrize(
    ("start", "key", "value"),
    [
        ([("X-A", "1")], "X-New", "2"),  # a new name: appended
        ([("X-A", "1"), ("x-b", "2"), ("X-B", "3")], "X-b", "4"),  # replaces, drops repeats
        ([], "Caf\u00e9", "cr\u00e8me"),  # not ASCII: utf-8, as httpx encodes it
    ],
)
def test_add_header_is_what_httpx_setitem_does(
    start: list[tuple[str, str]], key: str, value: str
) -> None:
    """`add_header` leaves the headers exactly as httpx's own `headers[key] = value` does."""
    ours, theirs = httpx.Headers(start), httpx.Headers(start)
    internals.add_header(ours, key, value)
    theirs[key] = value
    assert internals.header_items(ours) == internals.header_items(theirs)


@pytest.mark.parametrize(("key", "value"), [("X-A", 1), (b"X-A", "1")])
def test_add_header_refuses_what_httpx_refuses(key: object, value: object) -> None:
    """A name or value that is not a str raises AttributeError, as in httpx."""
    with pytest.raises(AttributeError):
        httpx.Headers()[key] = value  # type: ignore[index,assignment]
    with pytest.raises(AttributeError):
        internals.add_header(httpx.Headers(), key, value)  # type: ignore[arg-type]


def test_the_installed_httpx_is_a_checked_version() -> None:
    """A new httpx minor release is admitted once this module has been checked against it."""
    minor = ".".join(httpx.__version__.split(".")[:2])
    assert minor in {".".join(v.split(".")[:2]) for v in internals.CHECKED_VERSIONS}
