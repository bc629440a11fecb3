"""The flat public namespace: everything users need is importable from ``kvdeco``."""

from __future__ import annotations

import importlib
import pkgutil

import kvdeco
import kvdeco.wrappers


def test_all_is_sorted_and_unique() -> None:
    assert kvdeco.__all__ == sorted(set(kvdeco.__all__))


def test_every_name_in_all_exists() -> None:
    for name in kvdeco.__all__:
        assert hasattr(kvdeco, name), name


def test_every_public_name_is_in_all() -> None:
    public = {  # dir(): the names that load on first use are not in vars() yet
        name
        for name in dir(kvdeco)
        if not name.startswith("_") and not isinstance(getattr(kvdeco, name), type(kvdeco))
    }
    assert public == set(kvdeco.__all__)


def test_every_wrapper_class_and_decorator_is_re_exported() -> None:
    for module_info in pkgutil.walk_packages(kvdeco.wrappers.__path__, "kvdeco.wrappers."):
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", ()):
            if name.endswith("Wrapper") and name not in {"AspectWrapper", "BaseWrapper"}:
                assert name in kvdeco.__all__, f"{module_info.name}.{name}"


def test_every_public_class_names_a_public_module_it_can_be_imported_from() -> None:
    # A class shown as ``kvdeco._proxy.BaseWrapper`` in a repr, a traceback or a pickle would
    # point users at a private module; each names a public one that really holds it.
    for name in kvdeco.__all__:
        found = getattr(kvdeco, name)
        if not isinstance(found, type):
            continue
        module = found.__module__
        assert not any(part.startswith("_") for part in module.split(".")), (name, module)
        assert getattr(importlib.import_module(module), found.__qualname__) is found, name


def test_a_wrapper_base_pickles_and_reprs_under_its_public_name() -> None:
    assert kvdeco.BaseWrapper.__module__ == kvdeco.AspectWrapper.__module__ == "kvdeco"
    assert repr(kvdeco.AspectWrapper) == "<class 'kvdeco.AspectWrapper'>"
