"""What each distribution declares: one version, pinned ranges, license, classifiers, READMEs.

These read the pyproject files; `.ci/run` proves the same promises on built artifacts (it builds
every wheel and sdist, runs `twine check --strict` and installs them with plain pip in a fresh
venv, see `.ci/install_like_a_user.sh`).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())
DISTRIBUTIONS = [ROOT, *PLUGINS]
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
OTHER_CORE_RELEASES = ("0.1.0", "0.2.0")  # someone else's axios-python on the index


def _pyproject(path: Path) -> dict[str, Any]:
    with (path / "pyproject.toml").open("rb") as file:
        data: dict[str, Any] = tomllib.load(file)
    return data


def _version(path: Path) -> Version:
    """The version from the one file hatchling reads it from."""
    version_file = path / _pyproject(path)["tool"]["hatch"]["version"]["path"]
    match = re.fullmatch(r'__version__ = "([^"]+)"\n', version_file.read_text())
    assert match, f"{version_file} must hold only __version__"
    return Version(match.group(1))


CORE_VERSION = _version(ROOT)


@pytest.mark.parametrize("path", DISTRIBUTIONS, ids=lambda p: p.name)
def test_one_version_per_distribution_above_every_other_release(path: Path) -> None:
    project = _pyproject(path)["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert all(_version(path) > Version(other) for other in OTHER_CORE_RELEASES)


@pytest.mark.parametrize("path", DISTRIBUTIONS, ids=lambda p: p.name)
def test_metadata_an_index_page_needs(path: Path) -> None:
    project = _pyproject(path)["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (path / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
    assert project["requires-python"] == ">=3.10"
    classifiers = project["classifiers"]
    assert [c for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)] == [
        f"Programming Language :: Python :: {v}" for v in PYTHONS
    ]
    assert "Typing :: Typed" in classifiers
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(project["urls"])
    packages = _pyproject(path)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert all((path / package / "py.typed").is_file() for package in packages)


@pytest.mark.parametrize("path", [*DISTRIBUTIONS, ROOT / "docs" / "example-plugin"], ids=lambda p: p.name)
def test_readme_links_work_on_an_index_page(path: Path) -> None:
    """An index shows the README alone: every link is absolute (no docs/..., ../, #anchor)."""
    readme = (path / "README.md").read_text()
    relative = [
        link
        for link in re.findall(r"\]\(([^)\s]+)\)", readme)
        if not link.startswith(("https://", "http://"))
    ]
    assert relative == []


@pytest.mark.parametrize("path", PLUGINS, ids=lambda p: p.name)
def test_plugins_require_the_core_line_they_were_built_for(path: Path) -> None:
    """A lower and an upper bound: no resolution pairs a plugin with another core."""
    requires = [Requirement(r) for r in _pyproject(path)["project"]["dependencies"]]
    core = [r for r in requires if r.name == "axios-python"]
    if path.name == "axios-python-testserver":
        assert core == []  # standard library only
        return
    (requirement,) = core
    assert _same_line(requirement.specifier, CORE_VERSION)


def test_core_extras_require_the_plugins_of_the_same_line() -> None:
    extras = _pyproject(ROOT)["project"]["optional-dependencies"]
    ours = {p.name: _version(p) for p in PLUGINS}
    pinned = {}
    for requirements in extras.values():
        for requirement in map(Requirement, requirements):
            if requirement.name in ours:
                assert _same_line(requirement.specifier, ours[requirement.name]), requirement
                pinned[requirement.name] = requirement
    assert set(pinned) == set(ours)  # every distribution is reachable through an extra
    assert all(version.release[:2] == CORE_VERSION.release[:2] for version in ours.values())
    everything = extras["all"]
    assert len(everything) == 1
    named = set(Requirement(everything[0]).extras)
    assert named == set(extras) - {"all"}


def test_the_example_plugin_installs_outside_the_workspace() -> None:
    """What plugin authors copy carries no uv workspace source and pins the core line."""
    data = _pyproject(ROOT / "docs" / "example-plugin")
    assert "uv" not in data.get("tool", {})
    (requirement,) = map(Requirement, data["project"]["dependencies"])
    assert requirement.name == "axios-python"
    assert _same_line(requirement.specifier, CORE_VERSION)


def test_httpx_range_admits_the_tested_minors_only() -> None:
    requires = {Requirement(r).name: Requirement(r) for r in _pyproject(ROOT)["project"]["dependencies"]}
    httpx = requires["httpx"].specifier
    assert set(httpx.filter(["0.27.2", "0.28.0", "0.28.1", "0.29.0"])) == {"0.28.1", "0.29.0"}
    assert not httpx.contains("0.27.2")
    assert not httpx.contains("0.30.0")


def _same_line(specifier: SpecifierSet, version: Version) -> bool:
    """The specifier admits `version` and its patch releases, and nothing of another minor."""
    major, minor = version.release[:2]
    return (
        specifier.contains(str(version))
        and specifier.contains(f"{major}.{minor}.99")
        and not specifier.contains(f"{major}.{minor + 1}.0")
        and not specifier.contains(f"{major}.{minor - 1}.99" if minor else "0.0.0")
    )


def test_the_httpx_this_run_was_asked_to_test() -> None:
    """CI runs the suite on the lowest and the newest httpx the range admits, and says which."""
    import httpx

    expected = os.environ.get("AXIOS_PYTHON_EXPECT_HTTPX")
    if expected is None:
        pytest.skip("AXIOS_PYTHON_EXPECT_HTTPX is set by .ci/run only")
    assert httpx.__version__ == expected
    requires = {Requirement(r).name: Requirement(r) for r in _pyproject(ROOT)["project"]["dependencies"]}
    assert requires["httpx"].specifier.contains(expected)
