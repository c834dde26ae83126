"""Runs whose end the grader or the machine caused, not the student, are never recorded: such a
run is graded again, alone, and only what happens then is the verdict (issue 18).

- **Lost**: the zygote died or fell silent mid-run (the kernel's OOM killer, an operator's
  `kill`, a crash; `runner.SILENCE_S`), or the cluster lost the job. What the child had written is
  discarded, never judged: judging the phases that happened to finish would be a partial score for
  a file that did nothing wrong. It runs again on a fresh zygote in a fresh, empty job folder, up
  to LOST_RUNS runs in all; only then is it recorded as lost (0, every check "could not run", never
  re-used by the next run).
- **Stopped beside others**: a CPU-time or wall-clock limit stop while other submissions of the
  batch ran. Shared cores and caches make the same work cost more CPU time (docs/security.md has
  the numbers), and a starved submission reaches the wall-clock backstop while using little CPU.
  Every such stop is re-measured: `wall_s` is at least twice `cpu_s` (config.py), so every wall
  stop used under half a core on average, and no CPU threshold below that tells code that waits
  from code a busy machine gives 1/n of a core. A stop measured alone is the verdict.

Alone means after the rest of the batch, one at a time, with nothing else of the batch running.
A lost run goes again alone too: a file that brings its zygote down (say, by making the OOM killer
strike) then takes only itself down on its re-runs, never its neighbours three times over.

One mechanism for both engines: the embedded pool (`Pool`, here) and the Dask path (cluster.py)
each supply `together` (the batch, in parallel) and `alone` (one job, nothing else), and `grade`
decides what runs again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .catalog import SOURCE, Msg, msg, render
from .run_record import lost
from .sandbox.batch import LocalBatch
from .sandbox.protocol import Job, Outcome, Status

LOST_RUNS = 3  # a lost job runs at most this often in all (the first run and 2 more) before it is recorded lost

Done = Callable[[str, Outcome, Path, str], None]  # key, how the run ended, the folder of what it wrote, tier


class Engine(Protocol):
    """Where runs happen. The folder handed to `done` exists only until `done` returns."""

    one_at_a_time: bool  # whether every run already has nothing else of the batch beside it

    def together(self, keys: list[str], done: Done) -> None: ...

    def alone(self, key: str, done: Done) -> None: ...


@dataclass
class Runs:
    """One submission's runs so far."""

    count: int = 0
    lost: int = 0
    alone: bool = False  # the latest run had nothing else of its batch beside it

    def again(self, outcome: Outcome) -> Msg | None:
        """Why the run that just ended cannot be recorded and must run again alone; None: record it."""
        self.count += 1
        if lost(outcome):
            self.lost += 1
            return msg("regrade.again.lost") if self.lost < LOST_RUNS else None
        if outcome.limit == "cpu" and not self.alone:
            return msg("regrade.again.cpu")
        if outcome.limit == "wall" and not self.alone:
            return msg("regrade.again.wall")
        return None

    def record(self) -> dict[str, int | bool]:
        """The fields of `results.SandboxInfo` that show a TA how the result came about."""
        return {"attempts": self.count, "alone": self.alone}


def grade(engine: Engine, keys: list[str], record: Callable[[str, Outcome, Path, str, Runs], None],
          announce: Callable[[str, Msg], None]) -> None:
    """Run every key; `record(key, outcome, outdir, tier, runs)` once for each, with the run that
    counts. `announce(key, why)` before each run alone."""
    runs = {key: Runs(alone=engine.one_at_a_time or len(keys) == 1) for key in keys}
    again: deque[tuple[str, Msg]] = deque()

    def done(key: str, outcome: Outcome, outdir: Path, tier: str) -> None:
        why = runs[key].again(outcome)
        if why is None:
            record(key, outcome, outdir, tier, runs[key])
        else:
            again.append((key, why))

    engine.together(keys, done)
    while again:
        key, why = again.popleft()
        runs[key].alone = True
        announce(key, why)
        engine.alone(key, done)


def lost_texts(runs: Runs) -> tuple[Msg, Msg]:
    """What a student and a TA read when every run was lost: the cause, and the short form each
    check names (the checks all "could not run": nothing of those runs is judged)."""
    return msg("regrade.lost", runs=runs.count), msg("regrade.short.lost")


def announcement(why: Msg) -> str:
    """A TA's progress line about a run alone that starts now."""
    return render(msg("regrade.progress.again", why=why), SOURCE)


def alone_doing(doing: str) -> str:
    """What a run alone is doing, for a TA's progress lines."""
    return render(msg("regrade.progress.alone", doing=doing), SOURCE)


def finished_note(attempts: int, alone: bool) -> str:
    """How a result that took more than one run came about, for a TA's progress line; "" otherwise."""
    if attempts == 1:
        return ""
    return render(msg("regrade.progress.runs_alone" if alone else "regrade.progress.runs", attempts=attempts), SOURCE)


class Pool:
    """The embedded engine: this machine's warm sandbox (`LocalBatch`). Each run gets a fresh, empty
    job folder from `make(key, job_id)`, which returns None when it could not make one (the
    caller records that student itself)."""

    def __init__(self, local: LocalBatch, make: Callable[[str, str], Job | None],
                 status: Callable[[str, Path, Status], None]):
        self.local, self.make, self.status = local, make, status
        self.one_at_a_time = local.settings.parallel == 1
        self._runs: dict[str, int] = {}

    def together(self, keys: list[str], done: Done) -> None:
        jobs: dict[str, str] = {}  # job id -> key
        listed: list[Job] = []
        for key in keys:
            self._runs[key] = self._runs.get(key, 0) + 1
            job = self.make(key, f"{key}.{self._runs[key]}")
            if job is not None:
                jobs[job.id] = key
                listed.append(job)

        def on_done(job: Job, outcome: Outcome) -> None:
            try:
                done(jobs[job.id], outcome, Path(job.outdir), self.local.tier)
            finally:
                self.local.release(job)

        self.local.run(listed, on_done, lambda job, status: self.status(jobs[job.id], Path(job.outdir), status))

    def alone(self, key: str, done: Done) -> None:
        self.together([key], done)  # one job: the sandbox runs nothing else
