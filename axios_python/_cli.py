"""The `axios-python` command: `request`, `demo` and `plugins`.

`axios-python request METHOD URL [options]` sends one request and prints the status line, the
headers and the body (JSON pretty-printed), in colour when `rich` is installed (the `cli`
extra) and the output is a terminal. Exit codes:

====  ===========================================================================
0     a response was received (any status, unless `--fail`)
1     `--fail` and the status is >= 400, or another error (plugin, stream, file)
2     usage error (bad arguments, malformed header/param/JSON)
3     network error (connection refused, reset, DNS, too many redirects)
4     timeout
5     configuration error (invalid option value, unknown plugin, bad URL)
141   the output was closed early (``axios-python request ... | head -1``), as when a
      program is ended by SIGPIPE; nothing is printed about it
====  ===========================================================================
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import axios_python
    from axios_python._progress import ProgressEvent

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_CONFIG",
    "EXIT_HTTP",
    "EXIT_NETWORK",
    "EXIT_OK",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "main",
]

EXIT_OK = 0
EXIT_HTTP = 1
EXIT_USAGE = 2
EXIT_NETWORK = 3
EXIT_TIMEOUT = 4
EXIT_CONFIG = 5
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE if hasattr(signal, "SIGPIPE") else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; a reader that closes the output early ends it quietly."""
    try:
        code = _run(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the failed flush again at exit: point stdout at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


def _version() -> str:
    from importlib.metadata import version

    from ._version import __version__

    python = ".".join(map(str, sys.version_info[:3]))
    return f"axios-python {__version__} (httpx {version('httpx')}, Python {python})"


def _run(argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="axios-python", description="axios_python command line.")
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="walk through the features against an embedded local server")
    commands.add_parser(
        "plugins",
        help="list installed plugins (versions, hooks) and what environment activation registers",
    )
    request_parser = commands.add_parser(
        "request",
        help="send one request and print the response",
        description="Send one request and print the status line, headers and body.",
        epilog="exit codes: 0 response received (any status unless --fail), 1 --fail and "
        "status >= 400 or another error, 2 usage error, 3 network error, 4 timeout, "
        "5 configuration error",
    )
    _add_request_arguments(request_parser)
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "request":
        return request_command(args, request_parser)
    return list_plugins()


# --- request ---------------------------------------------------------------------------


def _add_request_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("method", help="HTTP method: GET, POST, PUT, PATCH, DELETE, HEAD, ...")
    parser.add_argument("url", help="absolute URL (http:// is assumed when no scheme is given)")
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar='"NAME: VALUE"',
        help="a request header (repeatable)",
    )
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a query parameter (repeatable; a repeated key sends several values)",
    )
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--json", metavar="JSON", help="a JSON request body, e.g. '{\"a\": 1}'")
    body.add_argument(
        "--data",
        metavar="DATA",
        help="a raw request body (form-encoded by default); @FILE reads it from a file",
    )
    parser.add_argument(
        "--retries", type=_non_negative(int), default=0, metavar="N", help="retry up to N times"
    )
    parser.add_argument(
        "--timeout", type=_non_negative(float), default=None, metavar="S", help="timeout in seconds"
    )
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="NAME",
        help="use an installed plugin by entry point name (repeatable)",
    )
    parser.add_argument(
        "--download",
        metavar="FILE",
        help="stream the body to FILE, showing a progress bar on stderr",
    )
    parser.add_argument(
        "-f",
        "--fail",
        action="store_true",
        help="exit with status 1 when the HTTP status is >= 400",
    )
    parser.add_argument(
        "-b",
        "--body-only",
        action="store_true",
        help="print the body only, not the status and headers",
    )
    parser.add_argument("--no-color", action="store_true", help="never colour the output")


def _non_negative(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be >= 0, not {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _build_options(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(client config, request options) from the parsed arguments; usage errors exit with 2."""
    headers: dict[str, str] = {}
    for header in args.header:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            parser.error(f'argument -H/--header: expected "Name: value", got {header!r}')
        headers[name.strip()] = value.strip()
    params: list[tuple[str, str]] = []
    for param in args.param:
        key, sep, value = param.partition("=")
        if not sep or not key:
            parser.error(f"argument -p/--param: expected key=value, got {param!r}")
        params.append((key, value))
    options: dict[str, Any] = {}
    if headers:
        options["headers"] = headers
    if params:
        options["params"] = params
    if args.json is not None:
        try:
            options["json"] = json.loads(args.json)
        except ValueError as exc:
            parser.error(f"argument --json: invalid JSON: {exc}")
    elif args.data is not None:
        data: str | bytes = args.data
        if args.data.startswith("@"):
            try:
                with open(args.data[1:], "rb") as file:
                    data = file.read()
            except OSError as exc:
                parser.error(f"argument --data: cannot read {args.data[1:]!r}: {exc.strerror}")
        options["content"] = data
        if not any(name.lower() == "content-type" for name in headers):
            options["headers"] = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    config: dict[str, Any] = {}
    if args.timeout is not None:
        config["timeout"] = args.timeout
    if args.retries:
        from axios_python import ExponentialBackoff

        config["max_retries"] = args.retries
        config["retry_strategy"] = ExponentialBackoff(
            base=0.25, retry_on_status=[429, 502, 503, 504]
        )
    return config, options


def request_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`axios-python request METHOD URL ...`: send, print, and map the outcome to an exit code."""
    import axios_python

    config, options = _build_options(args, parser)
    url: str = args.url
    if "://" not in url:
        url = "http://" + url
    out = _Output(no_color=args.no_color)
    try:
        with axios_python.create(config) as api:
            for name in args.plugin:
                api.plugin(name)
            if args.download:
                return _download(api, args, url, options, out)
            response = api.request(args.method, url, **options)
            out.response(response, body_only=args.body_only)
            if args.fail and response.status_code >= 400:
                out.error(f"HTTP {response.status_code} {response.reason_phrase} (--fail)")
            return _status_exit(response, args.fail)
    except axios_python.RetryError as exc:
        if exc.response is not None:
            out.response(exc.response, body_only=args.body_only)
            out.error(f"gave up after {exc.attempts} attempts")
            return _status_exit(exc.response, args.fail)
        cause = exc.__cause__
        code = _error_exit(cause if isinstance(cause, Exception) else exc)
        out.error(_describe(exc, code))
        return code
    except axios_python.AxiosPythonError as exc:
        code = _error_exit(exc)
        out.error(_describe(exc, code))
        return code
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130


def _status_exit(response: axios_python.Response, fail: bool) -> int:
    return EXIT_HTTP if fail and response.status_code >= 400 else EXIT_OK


_KINDS = {
    EXIT_NETWORK: "network error",
    EXIT_TIMEOUT: "timeout",
    EXIT_CONFIG: "configuration error",
}


def _describe(exc: axios_python.AxiosPythonError, code: int) -> str:
    kind = _KINDS.get(code, "error")
    where = f" ({exc.request.method} {exc.request.url})" if exc.request is not None else ""
    return f"{kind} [{exc.code}]: {exc}{where}"


def _error_exit(exc: Exception) -> int:
    import axios_python

    if isinstance(exc, axios_python.TimeoutError):
        return EXIT_TIMEOUT
    if isinstance(exc, (axios_python.NetworkError, axios_python.TooManyRedirects)):
        return EXIT_NETWORK
    if isinstance(exc, axios_python.ConfigError):
        return EXIT_CONFIG
    return EXIT_HTTP


def _download(
    api: axios_python.AxiosPython,
    args: argparse.Namespace,
    url: str,
    options: dict[str, Any],
    out: _Output,
) -> int:
    bar = out.progress_bar(os.path.basename(args.download) or args.download)
    with (
        bar,
        api.request(
            args.method, url, stream=True, on_download_progress=bar.update, **options
        ) as response,
    ):
        if response.status_code >= 400:
            response.read()
            bar.cancel()
            out.response(response, body_only=args.body_only)
            out.error(f"HTTP {response.status_code}: nothing saved to {args.download}")
            return _status_exit(response, args.fail)
        if not args.body_only:
            out.response(response, body_only=False, show_body=False)
        written = 0
        try:
            with open(args.download, "wb") as file:
                for chunk in response.iter_bytes():
                    file.write(chunk)
                    written += len(chunk)
        except OSError as exc:
            bar.cancel()
            out.error(f"cannot write {args.download}: {exc.strerror or exc}")
            return EXIT_HTTP
    out.note(f"Saved {written} bytes to {args.download}")
    return EXIT_OK


# --- output ------------------------------------------------------------------------------


def _load_rich() -> Any:
    try:
        import rich.console
    except ImportError:
        return None
    return rich


def _broken_pipe() -> None:
    raise BrokenPipeError  # rich's own handler would exit with status 1


class _Output:
    """Prints responses and errors: with rich when it is installed, plain text otherwise."""

    def __init__(self, *, no_color: bool) -> None:
        self.no_color = no_color
        self.rich = _load_rich()
        self.console: Any = None
        self.err_console: Any = None
        if self.rich is not None:
            from rich.console import Console

            colours: Any = {"color_system": None} if no_color else {}
            self.console = Console(highlight=False, soft_wrap=True, **colours)
            self.console.on_broken_pipe = _broken_pipe  # main() ends quietly, with 141
            self.err_console = Console(stderr=True, highlight=False, soft_wrap=True, **colours)

    def response(
        self, response: axios_python.Response, *, body_only: bool, show_body: bool = True
    ) -> None:
        if not body_only:
            self._head(response)
        if not show_body or (response.request is not None and response.request.method == "HEAD"):
            return
        body, is_json = _body_text(response)
        if body is None:
            return
        if not body_only:
            self._print("")
        if self.console is not None and is_json:
            from rich.json import JSON

            self.console.print(JSON(body, indent=2))
        else:
            self._print(body)

    def _head(self, response: axios_python.Response) -> None:
        status = f"{response.http_version} {response.status_code} {response.reason_phrase}"
        if self.console is None:
            print(status)
            for name, value in response.headers.multi_items():
                print(f"{name}: {value}")
            return
        from rich.text import Text

        code = response.status_code
        colour = "green" if code < 300 else "yellow" if code < 400 else "red"
        self.console.print(Text(status, style=f"bold {colour}"))
        for name, value in response.headers.multi_items():
            line = Text()
            line.append(name, style="cyan")
            line.append(f": {value}")
            self.console.print(line)

    def _print(self, text: str) -> None:
        if self.console is None:
            print(text)
        else:
            from rich.text import Text

            self.console.print(Text(text))

    def error(self, message: str) -> None:
        if self.err_console is None:
            print(f"axios-python: error: {message}", file=sys.stderr)
        else:
            from rich.text import Text

            self.err_console.print(Text(f"axios-python: error: {message}", style="bold red"))

    def note(self, message: str) -> None:
        print(message, file=sys.stderr)

    def progress_bar(self, label: str) -> _RichBar | _PlainBar:
        if self.rich is not None:
            return _RichBar(label, self.err_console)
        return _PlainBar(label, sys.stderr)


def _body_text(response: axios_python.Response) -> tuple[str | None, bool]:
    """The body to show and whether it is JSON; None for an empty body."""
    data = response.data  # decoded by content type: parsed JSON, str, or bytes
    if data is None:
        return None, False
    if isinstance(data, bytes):
        return f"[binary body: {len(data)} bytes not shown; use --download FILE]", False
    if isinstance(data, str):
        return data, False
    return json.dumps(data, indent=2, ensure_ascii=False), True


class _RichBar:
    """A rich.progress bar on stderr fed by `on_download_progress` events."""

    def __init__(self, label: str, console: Any) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            console=console,
        )
        self.task = self.progress.add_task(label, total=None, visible=False)

    def update(self, event: ProgressEvent) -> None:
        total = event.total
        if event.done and total is None:
            total = event.loaded  # the end of an unknown-length body: show it complete
        self.progress.update(self.task, completed=event.loaded, total=total, visible=True)

    def cancel(self) -> None:
        self.progress.update(self.task, visible=False)

    def __enter__(self) -> _RichBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


class _PlainBar:
    """A text progress bar: redrawn in place on a terminal, the final state only otherwise."""

    WIDTH = 30

    def __init__(self, label: str, stream: IO[str]) -> None:
        self.label = label
        self.stream = stream
        self.live = stream.isatty()
        self.last_draw = 0.0
        self.final: str | None = None
        self.cancelled = False

    def update(self, event: ProgressEvent) -> None:
        line = self.render(event)
        if event.done:
            self.final = line
        elif self.live and time.monotonic() - self.last_draw > 0.1:
            self.last_draw = time.monotonic()
            self.stream.write("\r" + line)
            self.stream.flush()

    def render(self, event: ProgressEvent) -> str:
        progress = 1.0 if event.done else event.progress
        size = _human(event.loaded)
        if event.total is not None:
            size += f"/{_human(event.total)}"
        rate = f" {_human(event.rate)}/s" if event.rate else ""
        if progress is None:
            return f"{self.label} {size}{rate}"
        filled = int(progress * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"{self.label} [{bar}] {progress * 100:3.0f}% {size}{rate}"

    def cancel(self) -> None:
        self.cancelled = True

    def __enter__(self) -> _PlainBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.final is not None and not self.cancelled:
            self.stream.write(("\r" if self.live else "") + self.final + "\n")
        elif self.live and self.last_draw:
            self.stream.write("\n")
        self.stream.flush()


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


# --- plugins and demo ----------------------------------------------------------------------


def list_plugins() -> int:
    """The installed plugins, then what environment/configuration activation registers on
    every client (with options and where each came from). A bad configuration exits with 5."""
    from ._discovery import discover

    found = discover()
    if not found:
        print("No plugins installed (entry point group 'axios_python.plugins').")
    else:
        width = max(len(p.name) for p in found)
        for info in found:
            hooks = ", ".join(info.hooks) or "-"
            status = "" if info.error is None else f"  [broken: {info.error}]"
            print(
                f"{info.name:<{width}}  {info.distribution} {info.version}  hooks: {hooks}{status}"
            )
    return _list_activation()


def _list_activation() -> int:
    from ._discovery import ENV_DISABLE, activation_plan, check_plan
    from ._exceptions import ConfigError

    try:
        plan = activation_plan()
        problems = check_plan(plan)
    except ConfigError as exc:
        problems = [exc]
    if problems:
        for problem in problems:
            print(f"Activation: configuration error: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    print()
    if os.environ.get(ENV_DISABLE, "").strip().lower() in ("1", "true", "yes", "on"):
        print(f"Activation: off ({ENV_DISABLE} is set).")
    elif not plan.activations:
        print("Activation: none (AXIOS_PYTHON_PLUGINS and AXIOS_PYTHON_PLUGINS_CONFIG are unset).")
    else:
        print("Activation (registered on every client; create({'autoload': False}) opts out):")
        for activation in plan.activations:
            options = json.dumps(dict(activation.options), default=repr, sort_keys=True)
            where = (
                f", options from {activation.options_origin}" if activation.options_origin else ""
            )
            print(f"  {activation.name}  options: {options}  from {activation.origin}{where}")
    if plan.disabled:
        print(f"Disabled: {', '.join(plan.disabled)}")
    for configured in plan.options.values():
        print(f"Options: {configured.origin} (also for api.plugin(name) and plugins=[name])")
    for message in plan.skipped:
        print(f"Skipped: {message}")
    return EXIT_OK


def demo() -> int:
    """Start a server on 127.0.0.1 and show each feature against it, printing what happens."""
    import axios_python

    try:
        from axios_python_testserver import LocalServer
    except ImportError:
        print(
            "axios-python demo needs its embedded server, which is not installed:\n"
            '    pip install "axios-python[cli]"',
            file=sys.stderr,
        )
        return EXIT_CONFIG
    with LocalServer() as server:
        print(f"Embedded server listening on {server.url}\n")
        _section("1. One-off request with the module-level helper")
        response = axios_python.get(f"{server.url}/get", params={"q": "python"})
        print(
            f"GET /get?q=python -> {response.status_code}, ok={response.ok}, args={response.data['args']}"
        )

        _section("2. An isolated client, interceptors and middleware")
        api = axios_python.create(
            {"base_url": server.url, "timeout": 5, "headers": {"X-App-Version": "2.0"}}
        )

        def attach_auth(config: dict[str, Any]) -> dict[str, Any]:
            config["headers"]["Authorization"] = "Bearer demo-token"
            print("  request interceptor: attached Authorization")
            return config

        def unwrap(response: axios_python.Response) -> axios_python.Response:
            streamed = response.config.get("stream")
            if not streamed and isinstance(response.data, dict) and "headers" in response.data:
                response.data = response.data["headers"]
            print("  response interceptor: unwrapped the echoed headers")
            return response

        async def timing(ctx: dict[str, Any], next_fn: Any) -> Any:
            start = time.perf_counter()
            print(f"  -> {ctx['method']} {ctx['url']}")
            result = await next_fn(ctx)
            print(f"  <- {result.status_code} in {(time.perf_counter() - start) * 1000:.1f} ms")
            return result

        api.interceptors.request.use(attach_auth)
        api.interceptors.response.use(unwrap)
        api.use(timing)
        response = api.get("/headers")
        print(
            f"  server saw: X-App-Version={response.data.get('X-App-Version')}, "
            f"Authorization={response.data.get('Authorization')}"
        )
        print("  the same pipeline, async:")
        statuses = asyncio.run(_gather(api))
        print(f"  asyncio.gather of 3 requests -> {statuses}")

        _section("3. Retries with back-off")
        flaky = axios_python.create(
            {
                "base_url": server.url,
                "max_retries": 3,
                "retry_strategy": axios_python.ExponentialBackoff(base=0.05, retry_on_status=[503]),
                "on_retry": lambda attempt, outcome, delay: print(
                    f"  attempt {attempt} got {getattr(outcome, 'status_code', outcome)}; retrying in {delay * 1000:.0f} ms"
                ),
            }
        )
        response = flaky.get("/flaky/demo", params={"fail": 2})
        print(
            f"  GET /flaky/demo -> {response.status_code} after {response.data['attempt']} attempts"
        )
        try:
            flaky.get("/status/503")
        except axios_python.RetryError as exc:
            print(
                f"  GET /status/503 -> RetryError after {exc.attempts} attempts (code {exc.code})"
            )
        flaky.close()

        _section("4. Typed errors")
        try:
            api.get("/delay/2", timeout=0.2)
        except axios_python.TimeoutError as exc:
            print(f"  timeout=0.2 on /delay/2 -> TimeoutError phase={exc.phase} code={exc.code}")
        strict = axios_python.create(
            {"base_url": server.url, "validate_status": lambda status: status < 400}
        )
        try:
            strict.get("/status/404")
        except axios_python.HTTPStatusError as exc:
            print(f"  validate_status rejects 404 -> HTTPStatusError code={exc.code}")
        strict.close()
        try:
            axios_python.create({"timout": 5})
        except axios_python.ConfigError as exc:
            print(f"  bad config -> ConfigError: {exc}")

        _section("5. Cancellation from another thread")
        token = axios_python.CancelToken()
        threading.Timer(0.3, token.cancel, kwargs={"reason": "user navigated away"}).start()
        start = time.perf_counter()
        try:
            api.get("/delay/10", cancel_token=token)
        except axios_python.CancelError as exc:
            print(f"  /delay/10 aborted after {time.perf_counter() - start:.2f} s: {exc}")
        print(f"  the client is still healthy: GET /get -> {api.get('/get').status_code}")

        _section("6. Streaming")
        with api.get("/stream-bytes/4096", stream=True) as streamed:
            sizes = [len(chunk) for chunk in streamed.iter_bytes(chunk_size=1024)]
        print(f"  /stream-bytes/4096 in {len(sizes)} chunks of {sizes[0]} bytes")

        _section("7. A custom plugin")

        class CorrelationId(axios_python.Plugin):
            def on_request(self, config: dict[str, Any]) -> dict[str, Any]:
                config["headers"]["X-Correlation-Id"] = "demo-42"
                return config

        api.plugin(CorrelationId())
        response = api.get("/headers")
        print(f"  server saw X-Correlation-Id={response.data.get('X-Correlation-Id')}")
        api.close()
        axios_python.default_client().close()
    print("\nDone.")
    return 0


async def _gather(api: Any) -> list[int]:
    responses = await asyncio.gather(*(api.async_get("/get", params={"n": i}) for i in range(3)))
    await api.aclose()
    return [r.status_code for r in responses]


def _section(title: str) -> None:
    print(f"\n{title}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
