"""A mypyc-compiled copy of axios_python's hot modules, beside the pure package (issue 19).

    uv pip install setuptools                                # mypyc builds through setuptools
    uv run --no-sync python bench/mypyc_build.py build       # -> build/mypyc/axios_python
    PYTHONPATH=build/mypyc uv run --no-sync python bench/instructions.py --case async-c1 \\
        --contenders "raw aiohttp,axios aiohttp,axios aiohttp +3i3m" --n 300
    PYTHONPATH=build/mypyc uv run --no-sync pytest -q -n 2 tests/test_api.py
    uv run --no-sync python bench/mypyc_build.py compare     # both builds, callgrind, one table

`build` copies the package to `--out` (build/mypyc, ignored by git) and compiles the modules
of `HOT` there in place, with mypyc, into one shared library; the repository's package stays
pure. A directory on PYTHONPATH comes before the editable install, so the same interpreter and
plugins run either build: PYTHONPATH picks it (`check` says which one a process imports).
`compare` runs bench/instructions.py per case on the pure package and on the compiled copy,
one callgrind run at a time, and prints instructions per request with the ratio to raw.

`HOT` are the modules one request runs through (profiled on the urllib3 and aiohttp
transports); `NOT_COMPILED` are the hot ones mypyc refuses, with the reason. The compiled build
is not shipped (2-5% fewer instructions, and the failures below), so main does not carry the
three changes to the package that let it pass the core tests; they are commit edfdd73 on the
`mypyc-lever` branch (build from that commit to reproduce the table): the async
generator of `_request_build` lives in `_streams` (mypyc compiles none), `AxiosPython` admits
interpreted subclasses (`_internals/mypyc.py`: mypyc's decorator, a no-op at run time), and
`run_sync` finds what a compiled coroutine awaits without `cr_await` (to name the middleware).
mypyc is part of mypy (a dev dependency); setuptools is not, so install it first. A build takes
1.5-5 minutes; `compare` runs six callgrind runs per case (3 contenders, N and 4N), ~10 minutes
per axios contender on a busy 2-CPU machine.

Measured (2026-12-06, CPython 3.11.7, mypy/mypyc 2.4.1, -O3, N=300; instructions per request):

    case      contender             pure      compiled   saved
    async-c1  raw aiohttp           340,793   (raw: not compiled)
    async-c1  axios aiohttp         538,283   518,133    20,150 (3.7%)  1.58x -> 1.52x raw
    async-c1  axios aiohttp +3i3m   607,063   576,586    30,477 (5.0%)
    sync-c1   raw urllib3           749,114   (raw: not compiled)
    sync-c1   axios urllib3         750,839   735,676    15,163 (2.0%)  1.00x -> 0.98x raw
    sync-c1   axios urllib3 +3i3m   866,745   838,652    28,093 (3.2%)

The compiled build fails 39-42 of tests/ (2,064; two runs, 2,017+ pass): mypyc drops the `from` of
`raise ... from exc` (no `__cause__`), checks annotations at run time (a non-str header from a
hook is a TypeError, not a ConfigError), ignores class attributes patched at run time
(`MockRouter.patched` replaces `SyncIO.send`: the pytest plugin's mock sends for real), and
native instances have no `__dict__`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "mypyc"
GROUP = "axios_python_hot"  # the shared library: axios_python_hot__mypyc.*.so beside the package

HOT = [
    "_client",
    "_config",
    "_exchange",
    "_interceptors",
    "_internals/httpx",
    "_internals/stdlib",
    "_limits",
    "_middleware",
    "_pipeline",
    "_request_build",
    "_sync",
]
NOT_COMPILED = {
    "_models": "Response.received() builds through cls.__new__(cls), which mypyc supports only "
    "inside __new__; as a non-native class (it is the class users and plugins build and "
    "subclass), its property setters and its async generators (aiter_bytes, ...) are refused",
    "_transports/base": "async generators (LoopLocal, StreamedBody.__aiter__), the cookie jar "
    "in self.__dict__, and BaseTransport is the class every transport subclasses",
}

CASES = {
    "async-c1": "raw aiohttp,axios aiohttp,axios aiohttp +3i3m",
    "sync-c1": "raw urllib3,axios urllib3,axios urllib3 +3i3m",
}


def build(out: Path, modules: list[str], opt_level: str, source: Path) -> None:
    """Copy the package `source` to `out` and compile `modules` there (no .so in the
    repository)."""
    package = out / "axios_python"
    if package.exists():
        shutil.rmtree(package)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__"))
    started = time.perf_counter()
    command = [sys.executable, __file__, "_setup", "--modules", ",".join(modules)]
    subprocess.run([*command, "--opt-level", opt_level], cwd=out, check=True)
    shutil.rmtree(out / "temp")
    built = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.so"))
    print(f"built in {time.perf_counter() - started:.0f} s: {', '.join(built)}")


def _setup(modules: list[str], opt_level: str) -> None:
    """mypyc and setuptools, in the copy (the current directory): one shared library for the
    group, so calls between compiled modules are native calls."""
    from mypyc.build import mypycify
    from setuptools import setup  # type: ignore[import-untyped,unused-ignore]

    paths = [f"axios_python/{module}.py" for module in modules]
    extensions = mypycify(paths, target_dir="temp", opt_level=opt_level, group_name=GROUP)
    arguments = ["build_ext", "--inplace", "--build-temp", "temp", "--build-lib", "temp/lib"]
    setup(name="axios-python-mypyc", script_args=arguments, ext_modules=extensions)


def check(out: Path) -> None:
    """Say which axios_python this environment imports, and which of its modules are compiled."""
    env = {**os.environ, "PYTHONPATH": str(out)}
    subprocess.run([sys.executable, __file__, "_check"], env=env, check=True)


def _check() -> None:
    import importlib

    for module in HOT:
        path = importlib.import_module("axios_python." + module.replace("/", ".")).__file__
        state = "compiled" if path and path.endswith(".so") else "pure"
        print(f"{module:20} {state:9} {path}")


def compare(out: Path, n: int) -> None:
    """bench/instructions.py per case, pure then compiled, one run at a time."""
    for case, contenders in CASES.items():
        for label, path in (("pure", None), ("compiled", str(out))):
            env = dict(os.environ)
            env.pop("PYTHONPATH", None)
            if path is not None:
                env["PYTHONPATH"] = path
            print(f"--- {case}, {label}", flush=True)
            command = [sys.executable, str(ROOT / "bench" / "instructions.py"), "--case", case]
            command += ["--contenders", contenders, "--n", str(n)]
            subprocess.run(command, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check", "compare", "_setup", "_check"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--modules", default=",".join(HOT), help="comma-separated, as in HOT")
    parser.add_argument("--opt-level", default="3")
    parser.add_argument("--source", type=Path, default=ROOT / "axios_python", help="the package")
    parser.add_argument("--n", type=int, default=300, help="requests per callgrind run")
    args = parser.parse_args()
    out = args.out.resolve()
    if args.command == "build":
        build(out, args.modules.split(","), args.opt_level, args.source)
    elif args.command == "_setup":
        _setup(args.modules.split(","), args.opt_level)
    elif args.command == "check":
        check(out)
    elif args.command == "_check":
        _check()
    else:
        compare(out, args.n)


if __name__ == "__main__":
    main()
