"""The standard library's private attributes the core relies on (axios_python/_internals/stdlib.py)
still exist and mean what they did: a new Python release that changes them fails here."""

from __future__ import annotations

import sys
from http.cookiejar import Cookie, CookieJar

from axios_python._internals import stdlib


def _cookie(name: str) -> Cookie:
    return Cookie(
        0, name, "v", None, False, "example.test", True, False, "/", True,
        False, None, False, None, None, {},
    )  # fmt: skip


def test_cookie_store_is_the_jars_own_dict() -> None:
    jar = CookieJar()
    assert stdlib.cookie_store(jar) == {}
    jar.set_cookie(_cookie("a"))
    store = stdlib.cookie_store(jar)
    assert store is not None
    assert store["example.test"]["/"]["a"].value == "v"
    jar.clear()
    assert not stdlib.cookie_store(jar)


def test_the_running_python_is_a_checked_version() -> None:
    """A new Python release: re-check axios_python/_internals/stdlib.py, then add it."""
    assert sys.version_info[:2] in stdlib.CHECKED_PYTHONS, sys.version_info
