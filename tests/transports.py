"""Which transports the parametrised tests run on: the default one, and the optional aiohttp
transport when its distribution is installed (skipped otherwise)."""

from __future__ import annotations

import importlib.util

import pytest

HAVE_AIOHTTP = importlib.util.find_spec("axios_python_aiohttp") is not None
NO_AIOHTTP = pytest.mark.skipif(not HAVE_AIOHTTP, reason="axios-python-aiohttp not installed")
TRANSPORTS = ["httpx", pytest.param("aiohttp", marks=NO_AIOHTTP)]
MODES = ["sync", "async"]
