"""Every Python example in the documentation and the README runs as written.

Each fenced ``python`` block of ``docs/**/*.md`` and ``README.md`` is one test. A block runs on
its own (no state is shared between blocks) and may use ``await`` at the top level, as the
examples do. Assertions inside a block are the example's promises.

- A block preceded by ``<!-- not-run: reason -->`` is skipped with that reason; this is kept for
  fragments that cannot run alone.
- A block that imports a kvdeco module that does not exist yet is skipped until it does.
- A block that names ``redis://localhost`` needs the Redis server there (examples use their own
  namespace and delete their keys); it is skipped when no server answers, unless
  ``KVDECO_REQUIRE_REDIS=1``, when that is a failure (the ``redis_url`` fixture decides).
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]

_FENCE = re.compile(
    r"(?P<marker><!--\s*not-run(?::\s*(?P<reason>.*?))?\s*-->\s*\n)?"
    r"^(?P<indent>[ \t]*)```python[^\n]*\n(?P<code>.*?)^(?P=indent)```",
    re.DOTALL | re.MULTILINE,
)


class Example:
    """One fenced block: where it is, its code, and why it is skipped, if it is."""

    def __init__(self, path: Path, line: int, code: str, skip: str | None) -> None:
        self.path = path
        self.line = line
        self.code = code
        self.skip = skip

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def collect(path: Path) -> list[Example]:
    """The python blocks of one Markdown file."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        indent = match["indent"]
        code = "\n".join(line[len(indent) :] for line in match["code"].splitlines())
        line = text.count("\n", 0, match.start("code")) + 1
        skip = None
        if match["marker"]:
            skip = match["reason"] or "marked not-run"
        found.append(Example(path, line, code, skip))
    return found


EXAMPLES = [example for path in SOURCES if path.exists() for example in collect(path)]


def _missing_kvdeco_names(tree: ast.AST) -> list[str]:
    """The kvdeco modules, and names of kvdeco modules, that an example imports but that do
    not exist (yet): such an example is skipped, like a test that uses importorskip."""
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [(node.module, [alias.name for alias in node.names])]
        else:
            continue
        for module, names in modules:
            if module.split(".")[0] != "kvdeco":
                continue
            if importlib.util.find_spec(module) is None:
                missing.append(module)
                continue
            loaded = importlib.import_module(module)
            for name in names:
                if (
                    not hasattr(loaded, name)
                    and importlib.util.find_spec(f"{module}.{name}") is None
                ):
                    missing.append(f"{module}.{name}")
    return missing


def test_the_documentation_has_examples() -> None:
    assert len(EXAMPLES) >= 20
    assert any(example.path.name == "README.md" for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_example_runs(example: Example, request: pytest.FixtureRequest) -> None:
    if example.skip:
        pytest.skip(example.skip)
    tree = ast.parse(example.code, filename=example.id)
    missing = _missing_kvdeco_names(tree)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}, not in this version yet")
    code_text = example.code
    if "cluster=True" in code_text:
        # Cluster examples name a node on localhost:7000; the test runs them on the three-node
        # cluster this test run starts for itself.
        cluster_url = request.getfixturevalue("redis_cluster_url")
        code_text = code_text.replace("redis://localhost:7000", cluster_url)
    elif "redis://localhost" in code_text:
        # The suite's fixture skips, or fails with KVDECO_REQUIRE_REDIS=1, without a server.
        request.getfixturevalue("redis_url")
    # Top-level await is allowed, as in the examples; the block then compiles to a coroutine.
    # dont_inherit: this module's ``from __future__`` imports must not change the example.
    code = compile(
        code_text,
        example.id,
        "exec",
        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        dont_inherit=True,
    )
    # A real module, so that classes defined in the example can be pickled and introspected.
    module = types.ModuleType(f"docs_example_{example.path.stem}_{example.line}")
    sys.modules[module.__name__] = module
    try:
        # With top-level await the block compiles to a coroutine, run on a fresh event loop;
        # a block without await runs as it is, outside any loop (it may start its own).
        result = eval(code, module.__dict__)
        if result is not None:
            asyncio.run(result)
    finally:
        del sys.modules[module.__name__]
