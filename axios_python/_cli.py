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
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

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
        from ._demo import demo

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
    options: dict[str, Any] = {}
    headers = _headers_argument(args.header, parser)
    if headers:
        options["headers"] = headers
    params = _params_argument(args.param, parser)
    if params:
        options["params"] = params
    options.update(_body_options(args, headers, parser))
    return _client_config(args), options


def _headers_argument(given: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    headers: dict[str, str] = {}
    for header in given:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            parser.error(f'argument -H/--header: expected "Name: value", got {header!r}')
        headers[name.strip()] = value.strip()
    return headers


def _params_argument(given: list[str], parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for param in given:
        key, sep, value = param.partition("=")
        if not sep or not key:
            parser.error(f"argument -p/--param: expected key=value, got {param!r}")
        params.append((key, value))
    return params


def _body_options(
    args: argparse.Namespace, headers: dict[str, str], parser: argparse.ArgumentParser
) -> dict[str, Any]:
    """`--json` as the JSON body, or `--data` (text, or `@file`) as a form body."""
    if args.json is not None:
        try:
            return {"json": json.loads(args.json)}
        except ValueError as exc:
            parser.error(f"argument --json: invalid JSON: {exc}")
    if args.data is None:
        return {}
    data: str | bytes = args.data
    if args.data.startswith("@"):
        try:
            with open(args.data[1:], "rb") as file:
                data = file.read()
        except OSError as exc:
            parser.error(f"argument --data: cannot read {args.data[1:]!r}: {exc.strerror}")
    if any(name.lower() == "content-type" for name in headers):
        return {"content": data}
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    return {"content": data, "headers": form}


def _client_config(args: argparse.Namespace) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if args.timeout is not None:
        config["timeout"] = args.timeout
    if args.retries:
        from axios_python import ExponentialBackoff

        config["max_retries"] = args.retries
        config["retry_strategy"] = ExponentialBackoff(
            base=0.25, retry_on_status=[429, 502, 503, 504]
        )
    return config


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

    def progress_bar(self, label: str) -> _RichBar | _NoBar:
        """rich's progress bar on stderr; without rich (the `cli` extra), none."""
        if self.rich is not None:
            return _RichBar(label, self.err_console)
        return _NoBar()


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


class _NoBar:
    """No progress bar: what the command shows without rich."""

    def update(self, event: ProgressEvent) -> None:
        pass

    def cancel(self) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


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


# --- plugins ----------------------------------------------------------------------


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
