"""Results the grader or the machine caused are graded again, alone, before anything is recorded
(autograder/regrade.py): a zygote killed from outside, a run starved by the machine until the
wall-clock backstop, a CPU-limit stop beside other submissions. softmax_tips is the lab: no MNIST,
so each zygote starts in seconds."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from autograder.run_record import LOST
from autograder.sandbox.batch import LocalBatch

from .conftest import ROOT, grade_files, with_limits

ASSIGNMENT = "softmax_tips"
REFERENCE = (ROOT / "reference" / f"{ASSIGNMENT}.py").read_text(encoding="utf-8")


def burn(seconds: float, marker: str = "") -> str:
    """Source that computes for `seconds` of CPU time at import, then is the reference."""
    return (f"import time  # {marker}\n_t = time.process_time()\nwhile time.process_time() - _t < {seconds}:\n"
            f"    pass\n{REFERENCE}")


def files(folder: Path, sources: dict[str, str]) -> dict[str, Path]:
    paths = {}
    for name, source in sources.items():
        paths[name] = folder / f"{name}.py"
        paths[name].write_text(source, encoding="utf-8")
    return paths


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            kids += [int(kid) for kid in Path(task.path, "children").read_text().split()]
    except OSError:
        pass
    return kids


def _is_zygote(pid: int) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return os.path.basename(argv[0]) != b"bwrap" and b"autograder.sandbox.zygote" in argv


def zygotes() -> dict[int, list[int]]:
    """The zygotes among this test's descendants (under bwrap, or in a Dask worker), each with the
    pids of its running jobs."""
    found, queue = {}, [os.getpid()]
    while queue:
        pid = queue.pop()
        if _is_zygote(pid):
            found[pid] = _children(pid)
        else:
            queue += _children(pid)
    return found


def source_of(job: int) -> str:
    """The student's file a running job imports (its working folder is the job's own)."""
    try:
        return next(Path(f"/proc/{job}/cwd").glob("*.py")).read_text(encoding="utf-8")
    except (OSError, StopIteration):
        return ""


def kill_zygote_running(marker: str) -> bool:
    """SIGKILL, from outside, the zygote whose job runs the file with `marker` (the OOM killer's way)."""
    for zygote, jobs in zygotes().items():
        if any(marker in source_of(job) for job in jobs):
            os.kill(zygote, signal.SIGKILL)
            return True
    return False


def test_a_zygote_killed_mid_run_costs_nothing(config, tmp_path):
    """Both jobs in flight are lost with their zygote; each runs again alone and gets its full score."""
    killed: list[str] = []

    def running(student: str, doing: str, cpu_s: float, wall_s: float) -> None:
        if not killed and cpu_s >= 0.5 and kill_zygote_running("victim"):
            killed.append(student)

    paths = files(tmp_path, {"victim": burn(2.5, "victim"), "neighbour": burn(2.5)})
    results = grade_files(config, paths, assignment=ASSIGNMENT, running=running)
    assert killed, "the zygote was never killed mid-run"
    for result in results.values():
        assert result.score == result.max_score, [c.message for c in result.checks if c.status != "passed"]
        assert (result.sandbox.attempts, result.sandbox.alone, result.sandbox.exit) == (2, True, "exit 0")


def test_a_zygote_that_dies_every_time_is_recorded_lost_and_graded_again_next_time(config, tmp_path):
    killed: set[int] = set()

    def running(student: str, doing: str, cpu_s: float, wall_s: float) -> None:
        for zygote, jobs in zygotes().items():
            if zygote not in killed and jobs:
                killed.add(zygote)
                os.kill(zygote, signal.SIGKILL)

    paths = files(tmp_path, {"victim": burn(2.5)})
    lost = grade_files(config, paths, tmp_path / "out", assignment=ASSIGNMENT, running=running)["victim"]
    assert len(killed) == 3
    assert lost.score == 0 and lost.sandbox.exit == LOST and lost.sandbox.attempts == 3
    assert {check.status for check in lost.checks} == {"error"}  # never a partial score
    assert "worker died during each of 3 runs" in lost.fix_first[0]
    reused: list[bool] = []
    again = grade_files(config, paths, tmp_path / "out", assignment=ASSIGNMENT,
                        progress=lambda *args: reused.append(args[3]))["victim"]
    assert reused == [False] and again.score == again.max_score and again.sandbox.attempts == 1


def test_a_run_starved_to_the_wall_limit_is_judged_alone(config, tmp_path):
    """The first run of the batch gets no CPU at all (SIGSTOP, the extreme of a machine whose other
    processes take every core) until the wall-clock backstop. Alone, the honest file passes; the
    file that really waits is stopped again, and that verdict stands."""
    stopped: list[int] = []

    def running(student: str, doing: str, cpu_s: float, wall_s: float) -> None:
        if not stopped and cpu_s >= 0.2:
            for jobs in zygotes().values():
                for job in jobs:
                    os.killpg(job, signal.SIGSTOP)
                    stopped.append(job)

    # 2 s of burning against reports about once a second: the stop lands inside the burn even when a
    # loaded machine delays a report (1 s of burning once finished between two reports).
    paths = files(tmp_path, {"starved": burn(2.0), "sleeper": "import time\ntime.sleep(600)\n" + REFERENCE})
    results = grade_files(with_limits(config, cpu_s=3, wall_s=6), paths, assignment=ASSIGNMENT, running=running)
    assert len(stopped) == 2
    starved, sleeper = results["starved"], results["sleeper"]
    assert starved.score == starved.max_score and starved.sandbox.limit is None
    assert (starved.sandbox.attempts, starved.sandbox.alone) == (2, True)
    assert sleeper.sandbox.limit == "wall" and (sleeper.sandbox.attempts, sleeper.sandbox.alone) == (2, True)
    assert "mostly waiting" in sleeper.fix_first[0]


def test_a_cpu_limit_stop_beside_others_is_measured_again_alone(config, tmp_path, monkeypatch):
    """The batch's first runs get 40 % of the budget, as if neighbours had made the same work cost
    2.5 times the CPU time. The honest file (2 s of a 4 s budget) is re-measured alone and passes;
    an endless loop is stopped alone too, and that verdict stands."""
    made = LocalBatch.job
    count = [0]

    def job(self, key, source):
        count[0] += 1
        made_job = made(self, key, source)
        return made_job.model_copy(update={"cpu_s": made_job.cpu_s * 0.4}) if count[0] <= 2 else made_job

    monkeypatch.setattr(LocalBatch, "job", job)
    paths = files(tmp_path, {"honest": burn(2.0), "endless": "while True:\n    pass\n" + REFERENCE})
    announced: list[tuple[str, str]] = []
    results = grade_files(with_limits(config, cpu_s=4), paths, assignment=ASSIGNMENT,
                          again=lambda student, why: announced.append((student, why)))
    why = "re-grading alone, because it reached the CPU time limit while other submissions ran beside it"
    assert sorted(announced) == [("endless", why), ("honest", why)]  # a TA's progress lines
    honest, endless = results["honest"], results["endless"]
    assert honest.score == honest.max_score and honest.sandbox.limit is None
    assert (honest.sandbox.attempts, honest.sandbox.alone) == (2, True) and 2.0 < honest.sandbox.cpu_s < 4
    assert endless.sandbox.limit == "cpu" and endless.sandbox.cpu_s >= 4
    assert (endless.sandbox.attempts, endless.sandbox.alone) == (2, True)


def test_a_lone_submission_is_already_alone(config, tmp_path):
    """A batch of one (`autograde check`) measures alone the first time: its CPU stop is not run twice."""
    paths = files(tmp_path, {"endless": "while True:\n    pass\n" + REFERENCE})
    result = grade_files(with_limits(config, cpu_s=2), paths, assignment=ASSIGNMENT)["endless"]
    assert result.sandbox.limit == "cpu" and (result.sandbox.attempts, result.sandbox.alone) == (1, True)


def test_on_a_cluster_a_dead_zygote_and_a_cpu_stop_beside_others_are_graded_again_alone(config, tmp_path):
    """`--cluster local:2`: the zygote of the worker running `victim` is killed a second into its
    run; `endless` reaches the CPU limit beside it. Both run again alone on a worker."""
    pytest.importorskip("distributed", reason="the cluster tests need Dask: pip install -e '.[test]'")
    killed: list[int] = []
    finished = threading.Event()

    def kill_victim_zygote() -> None:
        seen = None
        while not finished.is_set() and not killed:
            running = [zygote for zygote, jobs in zygotes().items() if any("victim" in source_of(j) for j in jobs)]
            seen = (seen or time.monotonic()) if running else None
            if running and time.monotonic() - seen >= 1.0:
                os.kill(running[0], signal.SIGKILL)
                killed.append(running[0])
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_victim_zygote, daemon=True)
    watcher.start()
    on_cluster = with_limits(config, cpu_s=4).model_copy(
        update={"grader": config.grader.model_copy(update={"scheduler": "local:2"})})
    paths = files(tmp_path, {"victim": burn(3.0, "victim"), "endless": "while True:\n    pass\n" + REFERENCE})
    try:
        results = grade_files(on_cluster, paths, assignment=ASSIGNMENT)
    finally:
        finished.set()
        watcher.join()
    assert killed, "no zygote was killed while it ran the victim"
    victim, endless = results["victim"], results["endless"]
    assert victim.score == victim.max_score and (victim.sandbox.attempts, victim.sandbox.alone) == (2, True)
    assert endless.sandbox.limit == "cpu" and (endless.sandbox.attempts, endless.sandbox.alone) == (2, True)
