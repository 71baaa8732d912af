"""Print the newest release of a core dependency that pyproject.toml admits (CI's httpx matrix).

Run with the system interpreter (it calls `python -m uv`): `python3 .ci/newest.py httpx`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import tomllib

name = sys.argv[1]
pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
(requirement,) = (r for r in dependencies if re.match(rf"{re.escape(name)}\b", r))
pinned = subprocess.run(
    [sys.executable, "-m", "uv", "pip", "compile", "-", "--no-deps", "--no-header", "--no-annotate",
     "--quiet"],
    input=requirement, capture_output=True, text=True, check=True,
).stdout
print(pinned.strip().split("==")[1])
