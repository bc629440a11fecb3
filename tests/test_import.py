"""``import kvdeco`` loads the core only: optional wrappers and their libraries load on first use.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import kvdeco

HEAVY = ("cryptography", "tenacity", "structlog", "redis", "sqlite3", "opentelemetry", "gzip")
"""Libraries that only some layers or stores need."""


def _loaded_after(code: str) -> set[str]:
    """The top-level modules loaded by a fresh interpreter after running ``code``."""
    script = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return {name.partition(".")[0] for name in json.loads(done.stdout)}


def test_importing_kvdeco_does_not_import_the_heavy_optional_libraries() -> None:
    assert _loaded_after("import kvdeco").isdisjoint(HEAVY)


def test_a_lazily_loaded_name_brings_its_library_on_first_use() -> None:
    loaded = _loaded_after("import kvdeco\nkvdeco.FernetEncryptionWrapper")
    assert "cryptography" in loaded
    assert "tenacity" not in loaded


def test_every_name_can_be_imported_from_kvdeco_in_a_fresh_interpreter() -> None:
    names = ", ".join(kvdeco.__all__)
    _loaded_after(f"from kvdeco import {names}")  # raises CalledProcessError on a missing name


def test_dir_lists_every_public_name_before_it_is_loaded() -> None:
    code = "import kvdeco\nprint(json.dumps(dir(kvdeco)))\nimport json"
    script = f"import json\n{code}"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert set(kvdeco.__all__) <= set(json.loads(done.stdout.splitlines()[0]))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        kvdeco.NoSuchWrapper  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "NoSuchWrapper" in str(error)
    else:
        raise AssertionError("kvdeco.NoSuchWrapper did not raise AttributeError")


def test_the_lazy_table_and_the_imports_type_checkers_read_agree() -> None:
    tree = ast.parse(Path(kvdeco.__file__).read_text(encoding="utf-8"))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "_typing.TYPE_CHECKING"
    )
    imported = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == kvdeco._LAZY
