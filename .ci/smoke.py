"""Smoke test of the built distributions, installed with plain pip in a fresh venv.

Run by `.ci/install_like_a_user.sh` with the venv's interpreter, outside the repository, so the
import of `axios_python` can only come from the installed wheel. It checks what a user of
`pip install "axios-python[all]"` touches first: sync and async requests against a local
server, every installed plugin by entry-point name and the shipped ones by class, every
installed transport, the command line and the pytest plugin.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from axios_python_testserver import LocalServer

import axios_python

EXPECTED_VERSION = sys.argv[1]
# Options a plugin cannot do without; every other plugin is registered with none.
REQUIRED_OPTIONS: dict[str, dict[str, Any]] = {"auth": {"token": "smoke-token"}}
SHIPPED_CLASSES = ("AuthPlugin", "CachePlugin", "LoggerPlugin")


def main() -> None:
    assert axios_python.__version__ == EXPECTED_VERSION, axios_python.__version__
    assert "site-packages" in (axios_python.__file__ or ""), axios_python.__file__
    with LocalServer() as server:
        requests(server.url)
        plugins_by_name(server.url)
        plugins_by_class(server.url)
        transports(server.url)
        command_line(server.url)
    pytest_plugin()
    print(f"smoke ok: axios-python {axios_python.__version__} on Python {sys.version.split()[0]}")


def requests(url: str) -> None:
    assert axios_python.get(f"{url}/get", params={"q": "1"}).data["args"] == {"q": "1"}

    async def run() -> int:
        async with axios_python.create({"base_url": url}) as api:
            return (await api.async_post("/post", json={"a": 1})).data["json"]["a"]  # type: ignore[no-any-return]

    assert asyncio.run(run()) == 1


def _entry_points(group: str) -> list[str]:
    return sorted(ep.name for ep in importlib.metadata.entry_points(group=group))


def plugins_by_name(url: str) -> None:
    names = _entry_points("axios_python.plugins")
    assert {"auth", "cache", "logger"} <= set(names), names
    for name in names:
        with axios_python.create({"base_url": url}) as api:
            api.plugin(name, **REQUIRED_OPTIONS.get(name, {}))
            assert api.get("/get").status_code == 200, name
            asyncio.run(api.async_get("/get"))
        print(f"  plugin by name: {name}")


def plugins_by_class(url: str) -> None:
    for class_name in SHIPPED_CLASSES:
        cls = getattr(axios_python, class_name)  # the lazy re-export of an installed plugin
        with axios_python.create({"base_url": url}) as api:
            api.plugin(cls(**REQUIRED_OPTIONS.get(cls.name, {})))
            assert api.get("/get").status_code == 200, class_name
        print(f"  plugin by class: {class_name}")


def transports(url: str) -> None:
    names = _entry_points("axios_python.transports")
    assert {"httpx", "aiohttp"} <= set(names), names
    for name in names:

        async def call(api: axios_python.AxiosPython) -> int:
            return (await api.async_get("/get")).status_code

        with axios_python.create({"base_url": url, "transport": name}) as api:
            assert api.get("/get").status_code == 200, name
            assert asyncio.run(call(api)) == 200, name
        print(f"  transport: {name}")


def command_line(url: str) -> None:
    script = Path(sys.executable).with_name("axios-python")
    version = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith(f"axios-python {EXPECTED_VERSION} "), version.stdout
    got = subprocess.run(
        [script, "request", "GET", f"{url}/get", "--body-only"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"url"' in got.stdout, got.stdout
    plugins = subprocess.run([script, "plugins"], capture_output=True, text=True, check=True)
    assert "cache" in plugins.stdout, plugins.stdout
    print("  command line: --version, request, plugins")


TEST_FILE = '''
import axios_python

def test_axios_mock_answers(axios_mock):
    route = axios_mock.get("https://api.example.test/users/1", json={"name": "Ada"})
    assert axios_python.get("https://api.example.test/users/1").data == {"name": "Ada"}
    assert route.call_count == 1
'''


def pytest_plugin() -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_smoke.py").write_text(TEST_FILE)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", folder],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    print("  pytest plugin: axios_mock fixture")


if __name__ == "__main__":
    main()
