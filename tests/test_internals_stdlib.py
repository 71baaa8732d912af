"""Contract test of the stdlib private attribute axios_python reads
(axios_python/_internals/stdlib.py): it fails loudly when a Python release renames it."""

from __future__ import annotations

import sys
from http.cookiejar import CookieJar

import httpx

from axios_python._internals.stdlib import CHECKED_PYTHONS, cookie_jar_is_empty


def test_cookiejar_keeps_its_cookies_in_a_dict() -> None:
    """`CookieJar._cookies` is the dict the jar stores its cookies in."""
    jar = CookieJar()
    assert jar._cookies == {}
    cookies = httpx.Cookies()
    cookies.jar = jar
    cookies.set("a", "1", domain="example.com")
    assert "example.com" in jar._cookies


def test_cookie_jar_is_empty() -> None:
    """An empty jar, then one with a cookie."""
    cookies = httpx.Cookies()
    assert cookie_jar_is_empty(cookies.jar)
    cookies.set("a", "1")
    assert not cookie_jar_is_empty(cookies.jar)


def test_the_running_python_is_a_checked_version() -> None:
    """A new Python release: re-check axios_python/_internals/stdlib.py, then add it."""
    assert sys.version_info[:2] in CHECKED_PYTHONS, sys.version_info
