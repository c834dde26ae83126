"""A `Grader` whose sandbox stays up between gradings: the worker grades a few submissions at a
time as they arrive, and starting the sandbox's zygote (torch imported, about 8 s on a busy 2-core
machine) for each of them would be most of a student's wait. Everything else is `Grader`'s own:
the same jobs, limits, judging and re-runs (regrade.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from ..catalog import Msg, msg
from ..checks.observations import doing
from ..grading import Again, Grader, Running
from ..prepare import Prepared, unprocessable
from ..results import SubmissionResult
from ..sandbox.batch import LocalBatch
from ..sandbox.protocol import Job, Status
from .. import regrade


class WarmGrader(Grader):
    """`Grader` with one LocalBatch kept open until `close()`; job keys unique over its life."""

    _local: LocalBatch | None = None
    _keys = itertools.count()

    def close(self) -> None:
        if self._local is not None:
            local, self._local = self._local, None
            local.__exit__(None, None, None)

    def _run_sandboxed(self, batch: list[Prepared], labels: np.ndarray | None,
                       finish: Callable[[SubmissionResult], None], running: Running | None,
                       again: Again | None) -> None:
        if self.config.grader.scheduler:
            super()._run_sandboxed(batch, labels, finish, running, again)
            return
        if self._local is None:
            self._local = LocalBatch(self._settings()).__enter__()
        local = self._local
        by_key = {f"w{next(self._keys)}": prepared for prepared in batch}

        def record(key: str, outcome, outdir, tier: str, runs: regrade.Runs) -> None:  # type: ignore[no-untyped-def]
            self._finish_one(by_key[key], outcome, outdir, labels, tier, finish, runs)

        def announce(key: str, why: Msg) -> None:
            if again is not None:
                again(by_key[key].submission.student, regrade.announcement(why))

        def make(key: str, job_id: str) -> Job | None:
            try:
                return local.job(job_id, by_key[key].source)
            except Exception as exc:  # noqa: BLE001 - this student's row, the others run
                finish(self._not_run_because(by_key[key], unprocessable(msg("grading.step.sandbox"), exc)))
                return None

        def on_status(key: str, outdir, status: Status) -> None:  # type: ignore[no-untyped-def]
            if running is not None:
                running(by_key[key].submission.student, doing(outdir), status.cpu_s, status.wall_s)

        try:
            regrade.grade(regrade.Pool(local, make, on_status), list(by_key), record, announce)
        except BaseException:
            self.close()  # a sandbox in an unknown state is started afresh for the next batch
            raise
