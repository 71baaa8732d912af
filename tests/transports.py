"""Which transports the parametrised tests run on, and in which kinds of call: the default one
(sync and async), and the optional aiohttp and urllib3 transports when their distributions are
installed (skipped otherwise).

A transport that sends only one kind of call hands the other kind to another transport (urllib3:
async calls go to httpx). Tests parametrised on `mode` leave those out (tests/conftest.py), so
each transport is tested on the calls it sends itself.
"""

from __future__ import annotations

import importlib.util

import pytest

HAVE_AIOHTTP = importlib.util.find_spec("axios_python_aiohttp") is not None
NO_AIOHTTP = pytest.mark.skipif(not HAVE_AIOHTTP, reason="axios-python-aiohttp not installed")
HAVE_URLLIB3 = importlib.util.find_spec("axios_python_urllib3") is not None
NO_URLLIB3 = pytest.mark.skipif(not HAVE_URLLIB3, reason="axios-python-urllib3 not installed")
TRANSPORTS = [
    "httpx",
    pytest.param("aiohttp", marks=NO_AIOHTTP),
    pytest.param("urllib3", marks=NO_URLLIB3),
]
MODES = ["sync", "async"]
# transport -> the one kind of call it sends itself (the others send both)
ONLY_MODE = {"urllib3": "sync", "aiohttp": "async"}

# What a transport does not do yet: such tests run on it as strict xfails (GAPS), so a fix
# shows up; a test whose failure leaks a socket (an error at teardown, which xfail cannot cover)
# is left out instead (LEFT_OUT). Today every transport passes the whole contract suite.
GAPS: dict[str, dict[str, str]] = {}
LEFT_OUT: dict[str, set[str]] = {}
