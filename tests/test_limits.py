"""Budgets are CPU time: the same submission gets the same verdict on an idle and a saturated
machine. Wall-clock time is only a backstop, for code that waits instead of computing."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from autograder.config import ConfigError, load_config

from .conftest import REFERENCE, ROOT, grade_files, with_limits

BURN_S = 3.0  # CPU seconds the slow submission spends at import, measured by CPU time, not by the clock
# Its budget under load: what the idle run measured, with room for a busy machine's overhead (caches,
# and cores shared with the loops). It is measured rather than fixed because the same grading costs
# this machine twice the CPU time on a slow day as on a fast one; a fixed 9 s once stopped the idle run.
BUDGET_OVER_IDLE = 1.8

SLOW = f"""import time
_start = time.process_time()
while time.process_time() - _start < {BURN_S}:  # slow but honest: {BURN_S} s of computing at import
    pass
"""


@pytest.fixture(scope="module")
def slow_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("slow") / "slow.py"
    path.write_text(SLOW + REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _busy_loops() -> list[subprocess.Popen]:
    """Two busy processes per core: a grading child gets about a third of a core."""
    # Each in its own session, as other users' jobs are: with autogroup scheduling, loops sharing the
    # test's session would compete only with each other.
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
            for _ in range(2 * (os.cpu_count() or 1))]


def test_a_busy_machine_does_not_change_the_score(config, slow_file):
    idle = grade_files(with_limits(config, cpu_s=60), {"slow": slow_file})["slow"]
    assert idle.score == idle.max_score, [c.message for c in idle.checks if c.status != "passed"]
    budget = math.ceil(BUDGET_OVER_IDLE * idle.sandbox.cpu_s)
    limited = with_limits(config, cpu_s=budget)
    loops = _busy_loops()
    try:
        busy = grade_files(limited, {"slow": slow_file})["slow"]
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    assert busy.checks == idle.checks
    assert busy.sandbox.limit is None and busy.sandbox.exit == "exit 0"
    assert BURN_S < busy.sandbox.cpu_s < budget
    # The premise of the test: the load really did slow the run down on the clock, past the budget, so a
    # wall-clock budget of the same size would have stopped it.
    assert busy.duration_s > max(1.3 * idle.duration_s, budget), (idle.duration_s, busy.duration_s, budget)


def test_the_wall_clock_backstop_stops_code_that_only_waits_and_is_tried_again(config, tmp_path):
    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text("import time\ntime.sleep(600)\n" + REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    limited = with_limits(config, cpu_s=3, wall_s=6)
    result = grade_files(limited, {"sleeper": sleeper}, out=tmp_path / "out")["sleeper"]
    assert result.sandbox.limit == "wall" and result.sandbox.exit == "killed at the wall-clock limit (6 s)"
    assert result.sandbox.cpu_s < 1.5
    [cause] = result.fix_first
    assert "still running after 6 s" in cause and "mostly waiting" in cause
    # What the clock decided may be the machine's doing: a re-run grades it again instead of re-using it.
    reused = []
    grade_files(limited, {"sleeper": sleeper}, out=tmp_path / "out", progress=lambda *args: reused.append(args[3]))
    assert reused == [False]


def test_cpu_limit_is_counted_over_every_process_of_the_submission(config, tmp_path):
    """Two processes burning at once cannot use twice the budget: CPU time is summed over the tree."""
    forks = tmp_path / "forks.py"
    forks.write_text("import os, time\nos.fork()\nwhile True:\n    pass\n" + REFERENCE.read_text(encoding="utf-8"),
                     encoding="utf-8")
    result = grade_files(with_limits(config, cpu_s=4), {"forks": forks})["forks"]
    assert result.sandbox.limit == "cpu"
    assert 4 <= result.sandbox.cpu_s < 5.5


def test_the_backstop_must_leave_room_for_a_busy_machine(tmp_path):
    text = (ROOT / "grader.toml").read_text(encoding="utf-8").replace("wall_s = 300", "wall_s = 90")
    (tmp_path / "grader.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"limits: .*wall_s must be at least twice cpu_s"):
        load_config(tmp_path / "grader.toml")
