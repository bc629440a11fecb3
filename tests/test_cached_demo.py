"""``kvdeco demo-cached``: the cached function runs once per distinct user and says so."""

from __future__ import annotations

import io
import re

import pytest

from kvdeco.cli import main
from kvdeco.cli.cached_demo import run_cached_demo


async def test_the_function_runs_once_per_distinct_argument_and_the_report_says_so() -> None:
    out = io.StringIO()
    function = await run_cached_demo(1000, seed=3, out=out)
    stats = function.statistics
    report = out.getvalue()
    assert stats.misses <= 100  # one run per distinct user at most
    assert stats.misses + stats.hits + stats.stale_hits + stats.joined == 1000
    assert stats.errors == 0
    assert re.search(rf"runs of the function +{stats.misses}\n", report)
    assert re.search(rf"store hit rate +{stats.hit_rate:.1%}\n", report)


def test_the_command_refuses_a_negative_number_of_calls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-cached", "--calls", "-1"]) == 2
    assert "--calls must be at least 0" in capsys.readouterr().err
