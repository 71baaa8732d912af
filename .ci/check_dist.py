"""What the built artifacts hold: run by `.ci/install_like_a_user.sh` on its dist folder.

- each wheel and sdist carries the license file, `py.typed` and its own package only;
- the core sdist holds the core alone (no plugins, tests, benchmarks, lock file);
- the core wheel carries no test server;
- sizes are printed, for the release notes.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

FOREIGN_IN_CORE_SDIST = ("/plugins/", "/tests/", "/bench/", "/docs/", "/.ci/", "uv.lock", "mkdocs.yml")


def wheel_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def sdist_names(path: Path) -> list[str]:
    with tarfile.open(path) as archive:
        return archive.getnames()


def check(dist: Path) -> list[str]:
    problems: list[str] = []
    for path in sorted(dist.iterdir()):
        if path.suffix == ".whl":
            names = wheel_names(path)
            distribution = path.name.split("-")[0]
            if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
                problems.append(f"{path.name}: no license file")
            if not any(n.endswith("/py.typed") for n in names):
                problems.append(f"{path.name}: no py.typed")
            packages = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
            if packages != {distribution}:
                problems.append(f"{path.name}: packages {sorted(packages)}")
            if distribution == "axios_python" and any("_server" in n for n in names):
                problems.append(f"{path.name}: ships the test server")
        elif path.name.endswith(".tar.gz"):
            names = sdist_names(path)
            if not any(n.endswith("/LICENSE") for n in names):
                problems.append(f"{path.name}: no license file")
            if path.name.startswith("axios_python-"):
                foreign = [n for n in names if any(f in n for f in FOREIGN_IN_CORE_SDIST)]
                if foreign:
                    problems.append(f"{path.name}: holds {foreign[:5]}")
        else:
            continue
        print(f"  {path.stat().st_size:>9,d}  {path.name}")
    return problems


if __name__ == "__main__":
    found = check(Path(sys.argv[1]))
    for problem in found:
        print(f"  PROBLEM: {problem}", file=sys.stderr)
    sys.exit(1 if found else 0)
