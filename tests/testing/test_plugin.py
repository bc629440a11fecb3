"""The pytest plugin: profiles chosen by environment variable, fixtures, and the base class
working in a project that loads it (as the ``kvdeco`` entry point will)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""

USER_MODULE = """
import pytest
from kvdeco.testing import StoreLaws
from kvdeco.stores.memory import MemoryStore

class TestMine(StoreLaws):
    @pytest.fixture
    def store(self, manual_clock):
        return MemoryStore(clock=manual_clock)

    @pytest.fixture
    def store_clock(self, manual_clock):
        return manual_clock

async def test_fixtures(memory_store, recording_store, manual_clock):
    await recording_store.put("k", {"v": 1}, ttl=5)
    manual_clock.advance(6)
    assert await memory_store.get("k") is None
    assert recording_store.ttls == [5]

def test_profile_in_use():
    from hypothesis import settings
    from kvdeco.testing import kit_settings
    assert kit_settings().max_examples == settings.get_profile("{profile}").max_examples
"""


def _installed_as_entry_point() -> bool:
    return any(ep.name == "kvdeco" for ep in importlib.metadata.entry_points(group="pytest11"))


def run_with_plugin(pytester: pytest.Pytester, selection: str) -> pytest.RunResult:
    # Installed, the entry point loads the plugin; from a source tree it is named with -p.
    # Naming it both ways would register one module twice, which pytest refuses.
    load = [] if _installed_as_entry_point() else ["-p", "kvdeco.testing.plugin"]
    return pytester.runpytest_inprocess(*load, "-p", "asyncio", "-k", selection)


@pytest.mark.parametrize("profile", ["kvdeco-quick", "kvdeco-thorough"])
def test_the_plugin_registers_profiles_and_fixtures(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    if profile != "kvdeco-quick":
        monkeypatch.setenv("KVDECO_HYPOTHESIS_PROFILE", profile)
    pytester.makeini(INI)
    pytester.makepyfile(test_mine=USER_MODULE.replace("{profile}", profile))
    # Only the fast tests: the thorough profile is for nightly runs, not for this one.
    result = run_with_plugin(pytester, "fixtures or profile_in_use or test_put_then_get")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"kvdeco test kit: hypothesis profile {profile}"])


def test_the_model_check_runs_under_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_mine=USER_MODULE.replace("{profile}", "kvdeco-quick"))
    result = run_with_plugin(pytester, "behaves_like_the_model")
    result.assert_outcomes(passed=1)


def test_the_plugin_loads_without_hypothesis() -> None:
    # With the entry point installed, pytest imports the plugin in every project that has
    # kvdeco, Hypothesis or not.
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import kvdeco.testing.plugin as plugin\n"
        "plugin.pytest_configure(None)\n"
        "from kvdeco.testing import ManualClock, RecordingStore, StoreContract\n"
        "assert 'hypothesis' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_kit_runs_without_asyncio_mode_auto(pytester: pytest.Pytester) -> None:
    # pytest-asyncio's default is strict mode: only marked coroutines run. The kit's base
    # classes carry the mark, so a project that never set asyncio_mode still runs them all.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_mine=USER_MODULE.replace("{profile}", "kvdeco-quick"))
    result = run_with_plugin(
        pytester, "TestMine and (put_then_get or expiry_includes or behaves_like_the_model)"
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*mode=Mode.STRICT*"])


def test_a_failed_contract_check_shows_what_was_expected_and_what_came_back(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_broken="""
import pytest
from kvdeco.testing import StoreContract
from kvdeco.stores.memory import MemoryStore

class Forgetful(MemoryStore):
    async def get(self, key, *, collection=None):
        return None

class TestBroken(StoreContract):
    @pytest.fixture
    def store(self):
        return Forgetful()
"""
    )
    result = run_with_plugin(pytester, "test_put_then_get_returns_an_equal_value")
    result.assert_outcomes(failed=1)
    # Rewritten by pytest: the values compared, not a bare AssertionError.
    result.stdout.fnmatch_lines(["*assert None == {*'name': 'Ada'*"])
