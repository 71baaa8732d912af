"""Every ```python block of docs/, run in order per page, and the site's strict build.

Each page's blocks share one namespace, pre-seeded with `axios_python` and `BASE_URL` (the local
httpbin-like server of the `server` fixture). A block whose first line is `# docs: skip` is not
run. A block with a top-level `await` runs as a coroutine under `asyncio.run`. Blocks are
compiled with their line numbers in the page, so a traceback points at the Markdown line.
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from axios_python_testserver import LocalServer

import axios_python

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_MARKER = "# docs: skip"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")


@dataclass
class Block:
    """One fenced code block: its language, first code line (1-based) and code."""

    language: str
    line: int
    code: str


def doc_pages() -> list[Path]:
    """Every Markdown page of the site (docs/ recursively, without the example plugin)."""
    return sorted(
        path for path in DOCS.rglob("*.md") if "example-plugin" not in path.relative_to(DOCS).parts
    )


def code_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, dedented by their fence's indent."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = opening["info"].strip().split(" ")[0].lower()
        body: list[str] = []
        start = index + 1
        while index < len(lines):
            line = lines[index]
            index += 1
            if line.strip() == fence and line.startswith(indent):
                break
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
        else:
            raise AssertionError(f"unclosed code fence opened on line {start - 1}")
        blocks.append(Block(language, start, "\n".join(body) + "\n"))
    return blocks


def python_blocks(page: Path) -> list[Block]:
    """The page's ```python blocks, in order."""
    return [block for block in code_blocks(page.read_text()) if block.language in ("python", "py")]


def run_block(block: Block, namespace: dict[str, object], filename: str) -> None:
    """Execute one block in `namespace`; a block with top-level await runs under asyncio.run."""
    source = "\n" * (block.line - 1) + block.code  # keep the page's line numbers
    code = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, namespace))
    else:
        exec(code, namespace)


PAGES = doc_pages()


def test_the_pages_have_samples() -> None:
    """The guides are collected, and the extractor finds their Python samples."""
    names = {path.relative_to(DOCS).as_posix() for path in PAGES}
    assert {"index.md", "quickstart.md", "retries.md", "migrating.md", "streaming.md"} <= names
    assert len(python_blocks(DOCS / "quickstart.md")) >= 2


def test_extractor_reads_fences_skips_and_indents() -> None:
    """Fences in lists are dedented, other languages are kept apart, line numbers are exact."""
    text = "intro\n```python\na = 1\n```\n- item\n\n    ```python\n    b = a\n    ```\n```bash\nls\n```\n"
    blocks = code_blocks(text)
    assert [(b.language, b.line, b.code) for b in blocks] == [
        ("python", 3, "a = 1\n"),
        ("python", 8, "b = a\n"),
        ("bash", 11, "ls\n"),
    ]


def test_runner_awaits_top_level_await() -> None:
    """A block with a top-level await runs to completion, in the page's namespace."""
    namespace: dict[str, object] = {"asyncio": asyncio}
    run_block(Block("python", 1, "await asyncio.sleep(0)\nvalue = 42\n"), namespace, "t.md")
    assert namespace["value"] == 42


def test_runner_reports_the_page_line() -> None:
    """A failing sample's traceback names the Markdown file and line."""
    with pytest.raises(ZeroDivisionError) as info:
        run_block(Block("python", 7, "x = 1\ny = 1 / 0\n"), {}, "docs/page.md")
    frame = info.traceback[-1]
    assert (str(frame.path), frame.lineno + 1) == ("docs/page.md", 8)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_samples_run(page: Path, server: LocalServer) -> None:
    """Every Python sample of the page runs, in order, against the local server."""
    namespace: dict[str, object] = {
        "__name__": "__docs__",
        "BASE_URL": server.url,
        "axios_python": axios_python,
    }
    filename = str(page.relative_to(ROOT))
    for block in python_blocks(page):
        if block.code.lstrip().startswith(SKIP_MARKER):
            continue
        run_block(block, namespace, filename)


def test_skipped_samples_are_rare() -> None:
    """`# docs: skip` stays the exception: at most two per page."""
    for page in PAGES:
        skipped = [b for b in python_blocks(page) if b.code.lstrip().startswith(SKIP_MARKER)]
        assert len(skipped) <= 2, page


def test_every_page_is_in_the_nav() -> None:
    """mkdocs.yml's nav lists every page of docs/ (a page left out is hard to find)."""
    config = (ROOT / "mkdocs.yml").read_text()
    nav = set(re.findall(r"^\s*- (?:[^:\n]+: )?(\S+\.md)\s*$", config, re.M))
    pages = {path.relative_to(DOCS).as_posix() for path in PAGES}
    assert nav == pages
    assert "reference/client.md" in nav


@pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mkdocstrings") is None,
    reason="mkdocs and mkdocstrings are not installed",
)
def test_site_builds_strictly(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds: no broken link, no docstring warning."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "reference" / "client" / "index.html").is_file()
    html = (tmp_path / "site" / "reference" / "client" / "index.html").read_text()
    assert "async_get" in html  # the reference is generated from the docstrings


def test_readme_links_the_documentation() -> None:
    """README's Documentation section links every guide and reference page, and they exist."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Documentation\n", 1)[1].split("\n## ", 1)[0]
    repo = "https://github.com/axios-python/axios-python/blob/main/"
    links = re.findall(rf"\]\({re.escape(repo)}(docs/[^)#]+)\)", section)
    assert all((ROOT / link).is_file() for link in links), links
    linked = {link.removeprefix("docs/") for link in links}
    guides = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert guides <= linked
