"""axios_python's per-request overhead against raw httpx, measured in the same run, interleaved.

Run from the repository root::

    uv run python bench/overhead.py                  # everything, full size (1-2 minutes)
    uv run python bench/overhead.py --quick          # a smoke test
    uv run python bench/overhead.py --only sync,import --json out.json

A minimal HTTP/1.1 keep-alive server (bench/_server.py) runs in a separate process on
127.0.0.1. Each group warms its clients up, then runs R rounds; in each round every contender
sends N sequential requests (the order rotates from round to round) and its wall time (and this
process's CPU time) per request is recorded. A ratio is median(axios_python) / median(httpx)
over the rounds; for the 1 MiB groups it is the throughput ratio, the inverse. See bench/README.md.

This is a benchmark, not a test: it prints PASS/FAIL against the targets and exits 0 unless
`--strict` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

import axios_python

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SERVER = HERE / "_server.py"
JSON_SIZE = 104  # bytes of /json's body (see _server.py)
BIG_SIZE = 1 << 20  # bytes of /big's body

# Raw httpx sends exactly the request headers axios_python sends by default, so both put the same
# bytes on the wire and only the Python-side work differs.
try:
    from axios_python._config import DEFAULT_HEADERS as _AXIOS_DEFAULT_HEADERS
except ImportError:  # pragma: no cover - the private module moved; use the documented values
    _AXIOS_DEFAULT_HEADERS = {
        "Accept": "application/json, text/plain, */*",
        "Accept-Encoding": "gzip, deflate",
        "User-Agent": f"axios-python/{axios_python.__version__}",
    }
BASE_HEADERS: dict[str, str] = dict(_AXIOS_DEFAULT_HEADERS)
# What the 3 interceptors and the header-setting middleware add; raw httpx sends them too.
EXTRA_HEADERS: dict[str, str] = {
    "X-Interceptor-1": "1",
    "X-Interceptor-2": "1",
    "X-Interceptor-3": "1",
    "X-Middleware": "1",
}

Sample = tuple[int, int]  # (wall ns, CPU ns) for one batch of requests
SyncRun = Callable[[int], Sample]  # sends n requests
AsyncRun = Callable[[int], Awaitable[Sample]]


# --- parameters and results ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Params:
    rounds: int
    n_sync: int
    n_async: int
    n_big: int
    import_runs: int
    warmup: int


FULL = Params(rounds=15, n_sync=1000, n_async=500, n_big=30, import_runs=15, warmup=200)
QUICK = Params(rounds=3, n_sync=300, n_async=200, n_big=10, import_runs=5, warmup=50)


@dataclasses.dataclass
class Series:
    """One contender: wall time and CPU time per request (or per run), one value per round."""

    name: str
    label: str
    wall: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None


@dataclasses.dataclass
class Group:
    name: str
    title: str
    requests_per_round: int  # 1: each round is one run (the import groups)
    unit: str = "µs/req"
    series: dict[str, Series] = dataclasses.field(default_factory=dict)

    def add(self, name: str, label: str) -> None:
        self.series[name] = Series(name, label)

    def record(self, name: str, sample: Sample, scale: float) -> None:
        series = self.series[name]
        series.wall.append(sample[0] / scale)
        series.cpu.append(sample[1] / scale)


@dataclasses.dataclass(frozen=True)
class Target:
    """`subject` against `baseline` in `group`: a time ratio, or a throughput ratio."""

    key: str
    group: str
    subject: str
    baseline: str
    threshold: float
    throughput: bool = False  # True: time(baseline) / time(subject) must be >= threshold

    @property
    def wording(self) -> str:
        return f">= {self.threshold:.2f}x" if self.throughput else f"<= {self.threshold:.2f}x"


TARGETS = (
    Target("sync plain", "sync", "axios", "httpx", 1.05),
    Target("sync 3 interceptors + 3 middlewares", "sync", "axios_ext", "httpx_ext", 1.15),
    Target("async plain", "async", "axios", "httpx", 1.05),
    Target("async 3 interceptors + 3 middlewares", "async", "axios_ext", "httpx_ext", 1.15),
    Target("1 MiB sync throughput", "big_sync", "axios", "httpx", 0.90, throughput=True),
    Target("1 MiB async throughput", "big_async", "axios", "httpx", 0.90, throughput=True),
    Target("import time (process)", "import", "axios", "httpx", 1.30),
    Target("sync 3 plugins not matching (POST)", "plugins_sync", "plugins", "bare", 1.10),
    Target("async 3 plugins not matching (POST)", "plugins_async", "plugins", "bare", 1.10),
)


@dataclasses.dataclass(frozen=True)
class Outcome:
    target: Target
    ratio: float  # median/median (throughput: inverted); PASS/FAIL is decided on this
    paired_ratio: float  # median of the per-round ratios (robust to drift between rounds)
    cpu_ratio: float | None  # the same ratio on CPU time
    delta: float  # median(subject) - median(baseline), in the group's unit
    passed: bool


def evaluate(target: Target, group: Group) -> Outcome:
    subject = group.series[target.subject]
    baseline = group.series[target.baseline]
    ratio = subject.median / baseline.median
    paired = statistics.median(s / b for s, b in zip(subject.wall, baseline.wall, strict=True))
    s_cpu, b_cpu = subject.cpu_median, baseline.cpu_median
    cpu_ratio = s_cpu / b_cpu if s_cpu and b_cpu else None
    if target.throughput:
        ratio, paired = 1 / ratio, 1 / paired
        cpu_ratio = 1 / cpu_ratio if cpu_ratio else None
        passed = ratio >= target.threshold
    else:
        passed = ratio <= target.threshold
    delta = subject.median - baseline.median
    return Outcome(target, ratio, paired, cpu_ratio, delta, passed)


# --- the server process --------------------------------------------------------------------


@contextlib.contextmanager
def bench_server(pin: bool) -> Iterator[str]:
    """Start bench/_server.py in its own process; yield its base URL; always stop it."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the benchmark server did not start (it said {line!r})")
        if pin:
            os.sched_setaffinity(proc.pid, {1})
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()  # end of file on its stdin: the server exits
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


# --- contenders ----------------------------------------------------------------------------


def _interceptor(header: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def interceptor(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"][header] = "1"
        return config

    return interceptor


async def _passthrough_1(ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Any]) -> Any:
    return await next_fn(ctx)


async def _passthrough_2(ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Any]) -> Any:
    return await next_fn(ctx)


async def _set_header(ctx: dict[str, Any], next_fn: Callable[[dict[str, Any]], Any]) -> Any:
    ctx["headers"]["X-Middleware"] = "1"
    return await next_fn(ctx)


def make_axios(base_url: str, extended: bool) -> axios_python.AxiosPython:
    """A plain client, or one with 3 request interceptors and 3 middlewares."""
    api = axios_python.create({"base_url": base_url})
    if extended:
        for i in (1, 2, 3):
            api.interceptors.request.use(_interceptor(f"X-Interceptor-{i}"))
        api.use(_passthrough_1)
        api.use(_set_header)
        api.use(_passthrough_2)
    return api


def _httpx_headers(extended: bool) -> dict[str, str]:
    return {**BASE_HEADERS, **EXTRA_HEADERS} if extended else dict(BASE_HEADERS)


def make_httpx(extended: bool) -> httpx.Client:
    """A raw `httpx.Client` sending the same request headers as its axios_python counterpart."""
    client = httpx.Client(headers=_httpx_headers(extended))
    del client.headers["Connection"]  # httpx's default "keep-alive"; HTTP/1.1 keeps alive anyway
    return client


def make_httpx_async(extended: bool) -> httpx.AsyncClient:
    """A raw `httpx.AsyncClient` sending the same request headers as axios_python."""
    client = httpx.AsyncClient(headers=_httpx_headers(extended))
    del client.headers["Connection"]
    return client


# The timed loops: identical shape on both sides, `get(target)` n times; the response body is
# read inside get() (httpx's client.get and axios_python's non-stream requests both read it).


def sync_httpx(client: httpx.Client, url: str) -> SyncRun:
    def run(n: int) -> Sample:
        get = client.get
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(n):
            get(url)
        return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

    return run


def sync_axios(api: axios_python.AxiosPython, path: str) -> SyncRun:
    def run(n: int) -> Sample:
        get = api.get
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(n):
            get(path)
        return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

    return run


def async_httpx(client: httpx.AsyncClient, url: str) -> AsyncRun:
    async def run(n: int) -> Sample:
        get = client.get
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(n):
            await get(url)
        return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

    return run


def async_axios(api: axios_python.AxiosPython, path: str) -> AsyncRun:
    async def run(n: int) -> Sample:
        get = api.async_get
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(n):
            await get(path)
        return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

    return run


def check_pair(name: str, raw: httpx.Response, ours: axios_python.Response, size: int) -> None:
    """Both contenders of a pair read the whole body, and sent the same request headers."""
    for who, status, body in (
        ("httpx", raw.status_code, raw.content),
        (name, ours.status_code, ours.content),
    ):
        if status != 200 or len(body) != size:
            raise RuntimeError(f"{who}: unexpected response {status}, {len(body)} bytes")
    assert ours.request is not None
    sent = sorted((k.lower(), v) for k, v in ours.request.headers.multi_items())
    expected = sorted((k.lower(), v) for k, v in raw.request.headers.multi_items())
    if sent != expected:
        raise RuntimeError(f"{name}: request headers differ:\n  {sent}\n  {expected} (httpx)")


# --- running groups ------------------------------------------------------------------------


def _rotation(names: list[str], round_index: int) -> list[str]:
    k = round_index % len(names)
    return names[k:] + names[:k]


def _progress(group: Group, done: int, total: int) -> None:
    if not sys.stderr.isatty():
        return
    end = "\n" if done == total else ""
    print(f"\r  {group.name}: round {done}/{total}", end=end, file=sys.stderr, flush=True)


# --- the project plugins, registered but not matching (issue 4's target) -----------------------


def make_plugged(base_url: str) -> axios_python.AxiosPython:
    """Cache, Auth and Logger registered, none of them applying to a POST to the bench server:
    the cache bypasses POSTs, the token is for another host (no base_url, whose origin Auth
    would serve), the logger's level is off."""
    import logging

    from axios_python import AuthPlugin, CachePlugin, LoggerPlugin

    logging.getLogger("axios_python.bench").setLevel(logging.WARNING)
    api = axios_python.create()
    api.plugin(CachePlugin(ttl=60))
    api.plugin(AuthPlugin(token="bench-token", allowed_hosts=["api.elsewhere.test"]))
    api.plugin(LoggerPlugin(level=logging.INFO, logger="axios_python.bench"))
    return api


def bench_plugins(base_url: str, params: Params, *, asynchronous: bool) -> Group:
    """POST /json through a bare client and through one with the three project plugins."""
    mode = "async" if asynchronous else "sync"
    n = params.n_async if asynchronous else params.n_sync
    group = Group(
        f"plugins_{mode}", f"{mode} POST /json: no plugins vs Cache+Auth+Logger not matching", n
    )
    apis = {"bare": axios_python.create(), "plugins": make_plugged(base_url)}
    url = base_url + "/json"
    group.add("bare", f"axios_python {mode}, no plugins")
    group.add("plugins", f"axios_python {mode}, 3 plugins")

    def sync_runner(api: axios_python.AxiosPython) -> SyncRun:
        def run(count: int) -> Sample:
            post = api.post
            cpu, wall = time.process_time_ns(), time.perf_counter_ns()
            for _ in range(count):
                post(url)
            return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

        return run

    def async_runner(api: axios_python.AxiosPython) -> AsyncRun:
        async def run(count: int) -> Sample:
            post = api.async_post
            cpu, wall = time.process_time_ns(), time.perf_counter_ns()
            for _ in range(count):
                await post(url)
            return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

        return run

    if not asynchronous:
        try:
            probe = apis["plugins"].post(url).request
            assert probe is not None
            assert "authorization" not in probe.headers
            run_sync_rounds(
                group, {k: sync_runner(a) for k, a in apis.items()}, params, params.warmup
            )
        finally:
            for api in apis.values():
                api.close()
        return group

    async def main() -> None:
        try:
            runners = {k: async_runner(a) for k, a in apis.items()}
            await run_async_rounds(group, runners, params, params.warmup)
        finally:
            for api in apis.values():
                await api.aclose()

    asyncio.run(main())
    return group


def run_sync_rounds(group: Group, runners: dict[str, SyncRun], params: Params, warmup: int) -> None:
    names = list(runners)
    for name in names:
        runners[name](warmup)
    scale = group.requests_per_round * 1000  # ns per batch -> µs per request
    for r in range(params.rounds):
        gc.collect()
        for name in _rotation(names, r):
            group.record(name, runners[name](group.requests_per_round), scale)
        _progress(group, r + 1, params.rounds)


async def run_async_rounds(
    group: Group, runners: dict[str, AsyncRun], params: Params, warmup: int
) -> None:
    names = list(runners)
    for name in names:
        await runners[name](warmup)
    scale = group.requests_per_round * 1000
    for r in range(params.rounds):
        gc.collect()
        for name in _rotation(names, r):
            group.record(name, await runners[name](group.requests_per_round), scale)
        _progress(group, r + 1, params.rounds)


def bench_sync(base_url: str, params: Params, *, big: bool, aa: bool) -> Group:
    """The sync small-body group (plain and extended pairs), or the sync 1 MiB group."""
    path, size = ("/big", BIG_SIZE) if big else ("/json", JSON_SIZE)
    n = params.n_big if big else params.n_sync
    title = f"sync GET {path} ({'1 MiB' if big else '~100 B'}), keep-alive"
    group = Group("big_sync" if big else "sync", title, n)
    url = base_url + path
    pairs = [("httpx", "axios", False)] + ([] if big else [("httpx_ext", "axios_ext", True)])
    clients: dict[str, httpx.Client] = {}
    apis: dict[str, axios_python.AxiosPython] = {}
    runners: dict[str, SyncRun] = {}
    try:
        for raw_name, our_name, extended in pairs:
            clients[raw_name] = make_httpx(extended)
            apis[our_name] = make_axios(base_url, extended)
            check_pair(our_name, clients[raw_name].get(url), apis[our_name].get(path), size)
            runners[raw_name] = sync_httpx(clients[raw_name], url)
            runners[our_name] = sync_axios(apis[our_name], path)
            more = " + 4 headers" if extended else ""
            group.add(raw_name, f"httpx.Client{more}")
            group.add(our_name, "axios_python" + (" + 3 icpt + 3 mw" if extended else ""))
        if aa:
            clients["httpx_aa"] = make_httpx(False)
            runners["httpx_aa"] = sync_httpx(clients["httpx_aa"], url)
            group.add("httpx_aa", "httpx.Client (A/A copy)")
        run_sync_rounds(
            group, runners, params, max(3, params.warmup // 20) if big else params.warmup
        )
    finally:
        for client in clients.values():
            client.close()
        for api in apis.values():
            api.close()
    return group


def bench_async(base_url: str, params: Params, *, big: bool, aa: bool) -> Group:
    """The async twin of bench_sync(), in one event loop."""
    path, size = ("/big", BIG_SIZE) if big else ("/json", JSON_SIZE)
    n = params.n_big if big else params.n_async
    title = f"async GET {path} ({'1 MiB' if big else '~100 B'}), keep-alive"
    group = Group("big_async" if big else "async", title, n)
    url = base_url + path
    pairs = [("httpx", "axios", False)] + ([] if big else [("httpx_ext", "axios_ext", True)])

    async def main() -> None:
        clients: dict[str, httpx.AsyncClient] = {}
        apis: dict[str, axios_python.AxiosPython] = {}
        runners: dict[str, AsyncRun] = {}
        try:
            for raw_name, our_name, extended in pairs:
                clients[raw_name] = make_httpx_async(extended)
                apis[our_name] = make_axios(base_url, extended)
                raw = await clients[raw_name].get(url)
                check_pair(our_name, raw, await apis[our_name].async_get(path), size)
                runners[raw_name] = async_httpx(clients[raw_name], url)
                runners[our_name] = async_axios(apis[our_name], path)
                more = " + 4 headers" if extended else ""
                group.add(raw_name, f"httpx.AsyncClient{more}")
                group.add(our_name, "axios_python async" + (" + 3 icpt + 3 mw" if extended else ""))
            if aa:
                clients["httpx_aa"] = make_httpx_async(False)
                runners["httpx_aa"] = async_httpx(clients["httpx_aa"], url)
                group.add("httpx_aa", "httpx.AsyncClient (A/A copy)")
            warmup = max(3, params.warmup // 20) if big else params.warmup
            await run_async_rounds(group, runners, params, warmup)
        finally:
            for client in clients.values():
                await client.aclose()
            for api in apis.values():
                await api.aclose()

    asyncio.run(main())
    return group


def _children_cpu_ns() -> int:
    try:
        import resource
    except ImportError:  # not on Unix: no CPU time for the import runs
        return 0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def bench_import(params: Params) -> tuple[Group, Group]:
    """Wall time of `python -c "import X"`, and of the import statement alone, interleaved."""
    process = Group("import", "python -c 'import X' (process wall time)", 1, unit="ms")
    statement = Group("import_stmt", "the import statement alone (in-process)", 1, unit="ms")
    modules = {"httpx": "httpx", "axios": "axios_python"}
    for name, module in modules.items():
        process.add(name, f"python -c 'import {module}'")
        statement.add(name, f"import {module}")
    # Bytecode caches on, as after a normal install, but in a temporary directory: nothing is
    # written next to the sources (and with PYTHONDONTWRITEBYTECODE every run would compile).
    cache = tempfile.TemporaryDirectory(prefix="axios-bench-pycache-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache.name

    def run(code: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        ).stdout

    probe = "import time; t = time.perf_counter_ns(); import {}; print(time.perf_counter_ns() - t)"
    names = list(modules)
    with cache:
        for name in names:  # fill the bytecode caches, warm the OS file cache
            run(f"import {modules[name]}")
        for r in range(params.import_runs):
            for name in _rotation(names, r):
                cpu, wall = _children_cpu_ns(), time.perf_counter_ns()
                run(f"import {modules[name]}")
                sample = time.perf_counter_ns() - wall, _children_cpu_ns() - cpu
                process.record(name, sample, 1e6)
            for name in _rotation(names, r):
                elapsed = int(run(probe.format(modules[name])).strip())
                statement.series[name].wall.append(elapsed / 1e6)
            _progress(process, r + 1, params.import_runs)
    return process, statement


# --- reporting -----------------------------------------------------------------------------


def _fmt(value: float | None, spec: str) -> str:
    return format(value, spec) if value is not None else format("", spec.split(".")[0] + "s")


def print_group(group: Group, outcomes: dict[str, Outcome]) -> None:
    rounds = len(next(iter(group.series.values())).wall)
    if group.requests_per_round > 1:
        how = f"{rounds} rounds x {group.requests_per_round} requests"
    else:
        how = f"{rounds} runs"
    print(f"\n{group.title}: medians of {how}")
    print(
        f"  {'contender':<36} {group.unit:>8} {'min':>8} {'max':>8} {'cpu':>8}"
        f"  {'ratio':>6} {'paired':>6} {'cpu':>6} {'delta':>8}  target"
    )
    for series in group.series.values():
        line = (
            f"  {series.label:<36} {series.median:8.2f} {min(series.wall):8.2f}"
            f" {max(series.wall):8.2f} {_fmt(series.cpu_median, '8.2f')}"
        )
        outcome = outcomes.get(f"{group.name}/{series.name}")
        if outcome is not None:
            target = outcome.target
            kind = "tput " if target.throughput else ""
            verdict = "PASS" if outcome.passed else "FAIL"
            line += (
                f"  {outcome.ratio:6.3f} {outcome.paired_ratio:6.3f}"
                f" {_fmt(outcome.cpu_ratio, '6.3f')} {outcome.delta:+8.2f}"
                f"  {kind}{target.wording} {verdict}"
            )
        elif series.name == "httpx_aa":
            base = group.series["httpx"]
            line += (
                f"  {series.median / base.median:6.3f} {'':6} {'':6}"
                f" {series.median - base.median:+8.2f}  (A/A: the noise floor)"
            )
        print(line)
    if group.name.startswith("big"):
        rates = ", ".join(f"{s.label} {1e6 / s.median:.0f}" for s in group.series.values())
        print(f"  throughput MiB/s: {rates}")


def _cpu_busy(seconds: float = 0.5) -> float | None:
    """The fraction of all CPUs' time spent busy over `seconds` (Linux; None elsewhere)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total1 - total0
    return 1 - (idle1 - idle0) / total if total > 0 else None


def to_json(
    groups: list[Group], outcomes: dict[str, Outcome], params: Params, busy: float | None
) -> dict[str, Any]:
    return {
        "python": sys.version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu_busy_before": busy,
        "httpx": httpx.__version__,
        "axios_python": axios_python.__version__,
        "params": dataclasses.asdict(params),
        "groups": {
            group.name: {
                "title": group.title,
                "unit": group.unit,
                "requests_per_round": group.requests_per_round,
                "contenders": {
                    s.name: {
                        "label": s.label,
                        "median": s.median,
                        "cpu_median": s.cpu_median,
                        "wall": s.wall,
                        "cpu": s.cpu,
                    }
                    for s in group.series.values()
                },
            }
            for group in groups
        },
        "targets": [
            {
                "name": o.target.key,
                "group": o.target.group,
                "subject": o.target.subject,
                "baseline": o.target.baseline,
                "kind": "throughput" if o.target.throughput else "time",
                "threshold": o.target.threshold,
                "ratio": o.ratio,
                "paired_ratio": o.paired_ratio,
                "cpu_ratio": o.cpu_ratio,
                "delta": o.delta,
                "passed": o.passed,
            }
            for o in outcomes.values()
        ],
    }


# --- main ----------------------------------------------------------------------------------

GROUPS = ("sync", "async", "big", "plugins", "import")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="axios_python's per-request overhead against raw httpx (interleaved)."
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test")
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"comma-separated groups to run (default: all of {','.join(GROUPS)})",
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the results as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    parser.add_argument("--rounds", type=int, help="rounds per group (default 15; --quick 3)")
    parser.add_argument("--n-sync", type=int, help="sync requests per round (default 1000)")
    parser.add_argument("--n-async", type=int, help="async requests per round (default 500)")
    parser.add_argument("--n-big", type=int, help="1 MiB requests per round (default 30)")
    parser.add_argument("--import-runs", type=int, help="runs per import command (default 15)")
    parser.add_argument(
        "--aa", action="store_true", help="add a second raw httpx contender: the noise floor"
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin this process to CPU 0 and the server to CPU 1 (Linux, 2+ CPUs)",
    )
    args = parser.parse_args(argv)
    args.groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = set(args.groups) - set(GROUPS)
    if unknown or not args.groups:
        parser.error(f"--only takes a comma-separated subset of {','.join(GROUPS)}")
    if args.pin and not (hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2):
        parser.error("--pin needs Linux and at least 2 CPUs")
    for name in ("rounds", "n_sync", "n_async", "n_big", "import_runs"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def make_params(args: argparse.Namespace) -> Params:
    base = QUICK if args.quick else FULL
    return Params(
        rounds=args.rounds or base.rounds,
        n_sync=args.n_sync or base.n_sync,
        n_async=args.n_async or base.n_async,
        n_big=args.n_big or base.n_big,
        import_runs=args.import_runs or base.import_runs,
        warmup=base.warmup,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    params = make_params(args)
    print(
        f"axios_python {axios_python.__version__} vs httpx {httpx.__version__} on Python "
        f"{platform.python_version()} ({platform.system()}, {os.cpu_count()} CPUs)"
    )
    busy = _cpu_busy()
    if busy is not None and busy > 0.2:
        print(
            f"warning: the CPUs were {busy:.0%} busy before the start: other processes compete "
            "with the benchmark and the wall-time ratios will be noisy (the cpu column less so)"
        )
    if args.pin:
        os.sched_setaffinity(0, {0})
    groups: list[Group] = []
    if {"sync", "async", "big", "plugins"} & set(args.groups):
        with bench_server(args.pin) as base_url:
            if "sync" in args.groups:
                groups.append(bench_sync(base_url, params, big=False, aa=args.aa))
            if "async" in args.groups:
                groups.append(bench_async(base_url, params, big=False, aa=args.aa))
            if "big" in args.groups:
                groups.append(bench_sync(base_url, params, big=True, aa=args.aa))
                groups.append(bench_async(base_url, params, big=True, aa=args.aa))
            if "plugins" in args.groups:
                groups.append(bench_plugins(base_url, params, asynchronous=False))
                groups.append(bench_plugins(base_url, params, asynchronous=True))
    if "import" in args.groups:
        groups.extend(bench_import(params))

    by_name = {group.name: group for group in groups}
    outcomes = {
        f"{t.group}/{t.subject}": evaluate(t, by_name[t.group])
        for t in TARGETS
        if t.group in by_name
    }
    for group in groups:
        print_group(group, outcomes)
    print(
        "\nTargets: ratio = median(axios_python) / median(httpx) of the wall time per request"
        " (throughput: the inverse)"
    )
    for outcome in outcomes.values():
        verdict = "PASS" if outcome.passed else "FAIL"
        print(
            f"  {verdict}  {outcome.target.key:<38} {outcome.ratio:6.3f}"
            f"  (target {outcome.target.wording})"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(to_json(groups, outcomes, params, busy), indent=2) + "\n")
        print(f"\nwrote {args.json}")
    failed = any(not o.passed for o in outcomes.values())
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
