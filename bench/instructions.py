"""Instructions per request, counted by callgrind: repeatable whatever else the machine does.

    uv run --all-packages python bench/instructions.py                       # the default set
    uv run --all-packages python bench/instructions.py --case async-c1 \\
        --contenders "raw aiohttp,axios aiohttp,axios aiohttp +3i3m" --n 300

Wall-clock ratios on a shared 2-CPU machine move by 10-30% from run to run; instruction counts
move by well under 1%. For each contender (the names of bench/transports.py) this runs a child
process under `valgrind --tool=callgrind` twice, sending N and then 4N requests after a warm-up,
and reports (I(4N) - I(N)) / 3N: the instructions of one request, start-up and set-up cancelled
out. The server (bench/_server.py) runs outside valgrind, in its own process. Ratios are taken
against the raw library each transport wraps, as bench/transports.py does. Instructions are not
time (a cache miss or a system call costs more than its count says); they show where the work is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from overhead import bench_server  # a script beside this one
from transports import BASELINE, async_calls, sync_calls, time_async, time_sync

DEFAULT = {
    "sync-c1": ["raw urllib3", "raw urllib3 +4h", "raw httpx", "raw httpx +4h", "axios urllib3",
                "axios urllib3 +3i3m", "axios urllib3 +full", "axios httpx", "axios httpx +3i3m"],
    "async-c1": ["raw aiohttp", "raw aiohttp +4h", "raw httpx", "raw httpx +4h", "axios aiohttp",
                 "axios aiohttp +3i3m", "axios aiohttp +full", "axios httpx", "axios httpx +3i3m"],
    "async-c32": ["raw aiohttp", "raw aiohttp +4h", "axios aiohttp", "axios aiohttp +3i3m",
                  "axios aiohttp +full"],
}  # fmt: skip
WARM_UP = 100
UNKNOWN = 3  # the child's exit status for a contender its case does not have


def child(base: str, case: str, contender: str, n: int) -> None:
    """Warm up, then send `n` requests with one contender (run under callgrind)."""
    concurrency = 32 if case.endswith("c32") else 1
    if case.startswith("sync"):
        calls = sync_calls(base, case)
        if contender not in calls:
            raise SystemExit(UNKNOWN)
        time_sync(calls[contender], WARM_UP, 1, None)
        time_sync(calls[contender], n, 1, None)
        return

    async def main() -> None:
        acalls, closers = await async_calls(base, case)
        if contender not in acalls:
            raise SystemExit(UNKNOWN)
        await time_async(acalls[contender], max(WARM_UP, concurrency), concurrency)
        await time_async(acalls[contender], n, concurrency)
        for closer in closers:
            await closer.aclose() if hasattr(closer, "aclose") else await closer.close()

    asyncio.run(main())


def callgrind_total(
    child_args: list[str], options: tuple[str, ...] = (), script: str = __file__
) -> int | None:
    """Instructions callgrind counted in `python script --child *child_args` (None when the
    child exits with UNKNOWN: no such contender). `options` go to valgrind."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "callgrind.out")
        command = [
            "valgrind", "--tool=callgrind", *options, f"--callgrind-out-file={out}",
            sys.executable, script, "--child", *child_args,
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode == UNKNOWN:
            return None
        if run.returncode != 0:
            raise RuntimeError(f"{child_args} failed under callgrind:\n{run.stderr[-2000:]}")
        text = Path(out).read_text()
    match = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
    if match is None:
        raise RuntimeError("callgrind wrote no totals")
    return int(match.group(1))


def count(base: str, case: str, contender: str, n: int) -> int | None:
    """Instructions of a whole child run of `n` requests (None: no such contender)."""
    return callgrind_total([base, case, contender, str(n)])


def per_request(base: str, case: str, contender: str, n: int) -> float | None:
    with ThreadPoolExecutor(2) as pool:  # valgrind runs one core per process: two at once
        small, large = pool.map(lambda size: count(base, case, contender, size), (n, 4 * n))
    if small is None or large is None:
        return None
    return (large - small) / (3 * n)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--child":
        child(args[1], args[2], args[3], int(args[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", action="append", help="sync-c1, async-c1, async-c32 ...")
    parser.add_argument("--contenders", help="comma-separated names (default: a set per case)")
    parser.add_argument("--n", type=int, default=200, help="N (the runs send N and 4N)")
    options = parser.parse_args(args)
    cases = options.case or list(DEFAULT)
    started = time.monotonic()
    with bench_server(pin=False) as base:
        for case in cases:
            names = options.contenders.split(",") if options.contenders else DEFAULT[case]
            n = max(options.n, 32) if case.endswith("c32") else options.n
            found = {name: per_request(base, case, name, n) for name in names}
            counts = {name: value for name, value in found.items() if value is not None}
            print(f"\n== {case}: instructions per request (N={n}, 4N={4 * n})")
            for name, value in counts.items():
                raw = BASELINE.get(name)
                ratio = f"{value / counts[raw]:.2f}x {raw}" if raw in counts else ""
                print(f"{name:<24} {value:>10,.0f}  {ratio}")
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
