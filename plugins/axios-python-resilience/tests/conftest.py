"""Fixtures: helpers to run worker processes (resilience_worker.py); servers: plugins/conftest.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

WORKER = str(Path(__file__).with_name("resilience_worker.py"))


def run_workers(specs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Start one process per spec, let them all go at once, and return what each printed."""
    processes = [
        subprocess.Popen(
            [sys.executable, WORKER, json.dumps({**spec, "go": True})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for spec in specs
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line == "ready\n", process.communicate(timeout=30)[1]
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=45) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (_, err) in zip(processes, outputs, strict=False):
        assert process.returncode == 0, err
    return [[json.loads(line) for line in out.splitlines()] for out, _ in outputs]


@pytest.fixture
def workers() -> Any:
    """`workers(specs)`: run resilience_worker.py processes together (see `run_workers`)."""
    return run_workers
