"""``import kvdeco`` stays cheap: optional wrappers and their dependencies load on first use."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import kvdeco

PACKAGE_INIT = Path(kvdeco.__file__)

# Dependencies only some wrappers and stores need, and kvdeco's own modules that pull them in.
HEAVY = (
    "cryptography",
    "tenacity",
    "redis",
    "sqlite3",
    "gzip",
    "opentelemetry",
    "kvdeco.caching",
    "kvdeco.stores.redis",
    "kvdeco.stores.disk",
    "kvdeco.wrappers.encryption",
    "kvdeco.wrappers.retry",
    "kvdeco.wrappers.compression",
    "kvdeco.wrappers.telemetry",
)


def imported_after(code: str) -> set[str]:
    """The HEAVY modules loaded in a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return set(done.stdout.split())


def test_importing_kvdeco_does_not_import_the_optional_dependencies() -> None:
    assert imported_after("import kvdeco") == set()


def test_first_use_of_a_name_imports_its_module_and_no_other() -> None:
    loaded = imported_after("from kvdeco import with_retry")
    assert "kvdeco.wrappers.retry" in loaded and "tenacity" in loaded
    assert not loaded & {"cryptography", "redis", "kvdeco.caching"}


def test_every_public_name_is_reachable_and_listed_by_dir() -> None:
    for name in kvdeco.__all__:
        assert getattr(kvdeco, name) is not None, name
    assert set(kvdeco.__all__) <= set(dir(kvdeco))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        kvdeco.NoSuchWrapper  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "NoSuchWrapper" in str(error)
    else:
        raise AssertionError("kvdeco.NoSuchWrapper did not raise")


def test_type_checkers_see_every_lazily_loaded_name_from_its_module() -> None:
    tree = ast.parse(PACKAGE_INIT.read_text())
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "typing.TYPE_CHECKING"
    )
    seen = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == kvdeco._LAZY
