"""The `axios-python` command against the local server.

A few tests run the real command in a subprocess (start-up, exit codes, the progress bar on a
pipe); the rest call `main()` in this process, which is much faster and exercises the same code.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import _cli

Run = Callable[..., tuple[int, str, str]]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m axios_python._cli ARGS` in a subprocess."""
    environ = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "axios_python._cli", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=environ,
        check=False,
    )


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Call `main(args)` in-process: (exit code, stdout, stderr); plain=True hides rich."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def call(*args: str, plain: bool = False) -> tuple[int, str, str]:
        capsys.readouterr()
        with monkeypatch.context() as patch:
            if plain:
                patch.setattr(_cli, "_load_rich", lambda: None)
            try:
                code = _cli.main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return call


def body_of(stdout: str) -> object:
    """The JSON body after the status line and headers."""
    _, _, body = stdout.partition("\n\n")
    return json.loads(body)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- subprocess ------------------------------------------------------------------------


def test_subprocess_get_with_headers_and_params(server: LocalServer) -> None:
    """Status line, headers and the JSON body are printed; -H and -p reach the server."""
    result = run(
        "request", "get", f"{server.url}/get", "-H", "X-Token: abc", "-p", "q=1", "-p", "q=2"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("HTTP/1.1 200 OK\n")
    assert "content-type: application/json\n" in result.stdout
    body = body_of(result.stdout)
    assert body["method"] == "GET"  # type: ignore[index]
    assert body["args"] == {"q": ["1", "2"]}  # type: ignore[index]
    assert body["headers"]["X-Token"] == "abc"  # type: ignore[index]


def test_subprocess_download_progress_bar(server: LocalServer, tmp_path: Path) -> None:
    """--download saves the body; the rich progress bar on stderr ends at 100%."""
    target = tmp_path / "out.bin"
    result = run("request", "GET", f"{server.url}/bytes/5000", "--download", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == httpx.get(f"{server.url}/bytes/5000").content
    assert result.stdout.startswith("HTTP/1.1 200 OK\n")
    lines = result.stderr.splitlines()
    assert lines[-1] == f"Saved 5000 bytes to {target}"
    assert lines[-2].startswith("out.bin ")
    assert "100%" in lines[-2]
    assert "4.9/4.9 KiB" in lines[-2]


def test_subprocess_usage_and_network_exit_codes() -> None:
    """Usage errors exit 2; a refused connection exits 3 and names the request."""
    usage = run("request", "GET", "http://127.0.0.1/", "-H", "no-colon")
    url = f"http://127.0.0.1:{closed_port()}/get"
    refused = run("request", "GET", url)
    assert usage.returncode == 2
    assert 'expected "Name: value"' in usage.stderr
    assert refused.returncode == 3
    assert "network error [ECONNREFUSED]" in refused.stderr
    assert f"(GET {url})" in refused.stderr


# --- in-process ------------------------------------------------------------------------


def test_plugins_command(cli: Run) -> None:
    """`axios-python plugins` still lists the installed plugins."""
    code, out, _ = cli("plugins")
    assert code == 0
    assert any(line.startswith("hello ") for line in out.splitlines())


def test_json_body_only(server: LocalServer, cli: Run) -> None:
    """--json sends a JSON body; -b prints the body alone, pretty-printed."""
    code, out, _ = cli("request", "POST", f"{server.url}/post", "--json", '{"a": [1, 2]}', "-b")
    assert code == 0
    assert out.startswith('{\n  "method": "POST",\n')
    assert json.loads(out)["json"] == {"a": [1, 2]}


def test_data_is_form_encoded(server: LocalServer, cli: Run) -> None:
    """--data sends a form-encoded body by default."""
    code, out, _ = cli("request", "POST", f"{server.url}/post", "--data", "a=1&b=two", "-b")
    assert code == 0
    assert json.loads(out)["form"] == {"a": "1", "b": "two"}


def test_data_from_file(server: LocalServer, cli: Run, tmp_path: Path) -> None:
    """--data @FILE sends the file's bytes, with the Content-Type given by -H."""
    source = tmp_path / "body.txt"
    source.write_bytes(b"raw body")
    code, out, _ = cli(
        "request",
        "PUT",
        f"{server.url}/put",
        "--data",
        f"@{source}",
        "-H",
        "Content-Type: text/plain",
        "-b",
    )
    assert code == 0
    body = json.loads(out)
    assert (body["data"], body["headers"]["Content-Type"]) == ("raw body", "text/plain")


def test_scheme_defaults_to_http(server: LocalServer, cli: Run) -> None:
    """A URL without a scheme gets http://."""
    code, out, _ = cli("request", "GET", f"{server.url.removeprefix('http://')}/get", "-b")
    assert code == 0
    assert json.loads(out)["url"] == f"{server.url}/get"


def test_http_error_status_exit_codes(server: LocalServer, cli: Run) -> None:
    """Any response exits 0; with --fail a status >= 400 exits 1."""
    code, out, _ = cli("request", "GET", f"{server.url}/status/404")
    assert code == 0
    assert out.startswith("HTTP/1.1 404 Not Found\n")
    code, _, err = cli("request", "GET", f"{server.url}/status/404", "--fail")
    assert code == 1
    assert "HTTP 404 Not Found (--fail)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "novalue"], "expected key=value"),
        (["--json", "{bad"], "argument --json: invalid JSON"),
        (["--retries", "-1"], "must be >= 0"),
        (["--timeout", "soon"], "invalid number 'soon'"),
        (["--json", "1", "--data", "x"], "not allowed with argument"),
        (["--data", "@/no/such/file"], "cannot read '/no/such/file'"),
    ],
)
def test_usage_errors_exit_2(server: LocalServer, cli: Run, args: list[str], message: str) -> None:
    """Malformed arguments are usage errors: exit 2 with a message."""
    code, _, err = cli("request", "GET", f"{server.url}/get", *args)
    assert code == 2
    assert message in err


def test_timeout_exits_4(server: LocalServer, cli: Run) -> None:
    """A timeout exits 4."""
    code, _, err = cli("request", "GET", f"{server.url}/delay/2", "--timeout", "0.2")
    assert code == 4
    assert "timeout [ETIMEDOUT]" in err


def test_config_errors_exit_5(server: LocalServer, cli: Run) -> None:
    """An unknown plugin or an unusable URL is a configuration error: exit 5."""
    code, _, err = cli("request", "GET", f"{server.url}/get", "--plugin", "no-such-plugin")
    assert code == 5
    assert "configuration error" in err
    assert "'no-such-plugin'" in err
    code, _, err = cli("request", "GET", "ftp://127.0.0.1/file")
    assert code == 5
    assert "only http:// and https:// URLs work" in err


def test_plugin_by_name(server: LocalServer, cli: Run) -> None:
    """--plugin loads an installed plugin by its entry point name."""
    code, out, _ = cli("request", "GET", f"{server.url}/headers", "--plugin", "hello", "-b")
    assert code == 0
    assert json.loads(out)["headers"]["X-Greeting"] == "hello"


def test_retries(server: LocalServer, cli: Run) -> None:
    """--retries retries a 503 and prints the final response."""
    name = uuid.uuid4().hex
    code, out, _ = cli(
        "request", "GET", f"{server.url}/flaky/{name}", "-p", "fail=1", "--retries", "2", "-b"
    )
    assert code == 0
    assert json.loads(out) == {"name": name, "attempt": 2}


def test_retries_exhausted_prints_last_response(server: LocalServer, cli: Run) -> None:
    """When retries run out on a status, the last response is shown; --fail makes it exit 1."""
    name = uuid.uuid4().hex
    code, out, err = cli(
        "request", "GET", f"{server.url}/flaky/{name}", "-p", "fail=5", "--retries", "1", "--fail"
    )
    assert code == 1
    assert out.startswith("HTTP/1.1 503 Service Unavailable\n")
    assert "gave up after 2 attempts" in err


def test_binary_body_is_not_dumped(server: LocalServer, cli: Run) -> None:
    """A binary body is summarised, not written to the terminal."""
    code, out, _ = cli("request", "GET", f"{server.url}/bytes/100", "-b")
    assert code == 0
    assert out == "[binary body: 100 bytes not shown; use --download FILE]\n"


def test_head_prints_no_body(server: LocalServer, cli: Run) -> None:
    """HEAD prints the status line and headers only."""
    code, out, _ = cli("request", "HEAD", f"{server.url}/get")
    assert code == 0
    assert out.startswith("HTTP/1.1 200 OK\n")
    assert "\n\n" not in out


@pytest.mark.parametrize("path", ["/stream-bytes/3000", "/bytes/3000"])
def test_download_without_rich_shows_no_progress_bar(
    server: LocalServer, cli: Run, tmp_path: Path, path: str
) -> None:
    """Without rich (the cli extra) the body is saved and no progress bar is drawn."""
    target = tmp_path / "body.bin"
    code, _, err = cli("request", "GET", f"{server.url}{path}", "--download", str(target), plain=True)
    assert code == 0
    assert target.stat().st_size == 3000
    assert err == f"Saved 3000 bytes to {target}\n"


def test_download_error_status_saves_nothing(server: LocalServer, cli: Run, tmp_path: Path) -> None:
    """An error status is printed, not saved."""
    target = tmp_path / "missing.bin"
    code, out, err = cli(
        "request", "GET", f"{server.url}/status/500", "--download", str(target), "--fail"
    )
    assert code == 1
    assert not target.exists()
    assert out.startswith("HTTP/1.1 500 Internal Server Error\n")
    assert "nothing saved" in err


def test_plain_output_without_rich(server: LocalServer, cli: Run) -> None:
    """Without rich the same layout is printed as plain text."""
    code, out, _ = cli("request", "GET", f"{server.url}/json", plain=True)
    assert code == 0
    assert out.startswith("HTTP/1.1 200 OK\n")
    assert body_of(out) == httpx.get(f"{server.url}/json").json()


def test_colour_and_no_color(
    server: LocalServer, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With colour forced the output has ANSI codes; --no-color removes them."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, coloured, _ = cli("request", "GET", f"{server.url}/get")
    _, plain, _ = cli("request", "GET", f"{server.url}/get", "--no-color")
    assert "\x1b[1;32mHTTP/1.1 200 OK" in coloured
    assert "\x1b[" not in plain
    assert plain.startswith("HTTP/1.1 200 OK\n")


def test_demo_walks_through_every_section() -> None:
    """`axios-python demo` (the README's first command) runs end to end against its own server."""
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (
        "Embedded server listening on http://127.0.0.1:",
        "GET /get?q=python -> 200, ok=True",
        "server saw: X-App-Version=2.0, Authorization=Bearer demo-token",
        "asyncio.gather of 3 requests -> [200, 200, 200]",
        "GET /flaky/demo -> 200 after 3 attempts",
        "RetryError after 4 attempts (code ERR_RETRY_EXHAUSTED)",
        "TimeoutError phase=read code=ETIMEDOUT",
        "HTTPStatusError code=ERR_BAD_REQUEST",
        "did you mean 'timeout'?",
        "the client is still healthy: GET /get -> 200",
        "in 4 chunks of 1024 bytes",
        "server saw X-Correlation-Id=demo-42",
        "Done.",
    ):
        assert expected in out
    assert result.stderr == ""


# --- release polish ------------------------------------------------------------------------


def test_version_names_the_core_httpx_and_python(cli: Run) -> None:
    """`axios-python --version` prints the versions that matter in a bug report, then exits 0."""
    code, out, _ = cli("--version")
    assert code == 0
    assert out.startswith(f"axios-python {axios_python.__version__} (httpx {httpx.__version__}, ")


def test_closed_pipe_ends_quietly_with_the_sigpipe_status(server: LocalServer) -> None:
    """`axios-python request ... | head -1`: no traceback, the status a shell shows for SIGPIPE."""
    url = f"{server.url}/stream/2000"
    command = [sys.executable, "-m", "axios_python._cli", "request", "GET", url]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # the reader goes away, as `head -1` does
        err = proc.stderr.read()
        code = proc.wait(timeout=30)
    assert first.startswith(b"HTTP/1.1 200")
    assert err == b""
    assert code == _cli.EXIT_BROKEN_PIPE == 141


def test_demo_without_its_server_says_what_to_install(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without axios-python-testserver, `demo` names the extra that brings it."""
    monkeypatch.setitem(sys.modules, "axios_python_testserver", None)
    code, _, err = cli("demo")
    assert code == _cli.EXIT_CONFIG
    assert 'pip install "axios-python[cli]"' in err
