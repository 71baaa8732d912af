"""Private attributes of the standard library that axios_python reads.

Checked against CPython 3.10 to 3.13 (`http.cookiejar` has kept `CookieJar._cookies`, a dict
domain -> path -> name -> Cookie, since Python 2). Contract test: tests/test_internals_stdlib.py.
"""

from __future__ import annotations

from http.cookiejar import CookieJar

__all__ = ["CHECKED_PYTHONS", "cookie_jar_is_empty"]

CHECKED_PYTHONS = ((3, 10), (3, 11), (3, 12), (3, 13))


def cookie_jar_is_empty(jar: CookieJar) -> bool:
    """Whether `jar` holds no cookie, without walking it.

    `len(jar)` iterates every cookie (three calls deep); `_cookies` answers at once. Every
    request asks this of its client's jar (bench/overhead.py, plain rows: about 1 µs per
    request on an empty jar). A jar that is not a stdlib `CookieJar` is asked `len()`.
    """
    cookies = getattr(jar, "_cookies", None)
    if isinstance(cookies, dict):
        return not cookies
    return len(jar) == 0
