"""One machine's share of a batch: a scratch folder, the data root the children see (the test
labels replaced by decoys: the real ones never leave the trusted process), a warm zygote, and one
job folder per submission. The embedded pool (grading.py) and every Dask worker
(`autograder/cluster.py`) run submissions through it, so both have the same isolation tiers and
limits.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import data
from ..cleanup import remove_tree
from ..config import Limits
from . import isolation
from .protocol import Job, Outcome, ProbePlan, Status
from .runner import Sandbox


SCRATCH_PREFIX = "autograde-"
# Where a child runs the student's file: <scratch>/autograde-XXXX/jobs/<key>/work/, on a Dask worker
# under the worker's own folder. It differs on every run, and warnings and tracebacks the student's
# code prints name their file by it: `run_record.read_output` cuts it out, so the record is the same
# on every run and machine (and says nothing of the grader's folders).
WORK_PATH = re.compile(r"(?:/[^\s/\"']+)*/" + SCRATCH_PREFIX + r"[^\s/\"']+/jobs/[^\s/\"']+/work/")


@dataclass(frozen=True)
class BatchSettings:
    """What a machine needs to run an assignment's submissions (no labels, no thresholds)."""

    module_name: str
    plan: ProbePlan
    limits: Limits
    threads: int
    parallel: int
    seed: int
    data_root: Path | None  # this machine's MNIST (train images and labels, test images)
    # Whether the zygote imports matplotlib (0.4 to 0.7 s of its start): a batch where some file names
    # it, and a warm sandbox, whose files are not known yet. A file that imports it otherwise pays
    # the import on its own CPU budget, as it would without a zygote.
    plots: bool = True


class LocalBatch:
    """A context manager: the zygote starts on entry, everything is removed on exit."""

    def __init__(self, settings: BatchSettings, scratch_parent: Path | None = None):
        self.settings = settings
        self.scratch_parent = scratch_parent  # where the scratch folder goes (default: the system's temp)
        self.tier = isolation.choose(settings.limits.isolation)
        self.tmp: Path | None = None
        self.sandbox_root: Path | None = None
        self.real_files: list[Path] = []
        self.sandbox: Sandbox | None = None

    def __enter__(self) -> "LocalBatch":
        s = self.settings
        self.tmp = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=self.scratch_parent))
        try:
            if s.plan.needs_mnist:
                assert s.data_root is not None
                self.sandbox_root = data.make_sandbox_root(s.data_root, self.tmp / "data", s.seed)
                self.real_files = [data.raw_dir(s.data_root) / data.FILES[key]
                                   for key in ("train_images", "train_labels", "test_images")]
            self.sandbox = Sandbox(self.sandbox_root, s.threads, s.parallel, self.tier, self.tmp,
                                   [path.resolve().parent for path in self.real_files], s.plots).__enter__()
        except BaseException:
            remove_tree(self.tmp)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.sandbox is not None:
                self.sandbox.__exit__(*exc)
        finally:
            if self.tmp is not None:
                remove_tree(self.tmp)

    def job(self, key: str, source: str) -> Job:
        """A job folder for one submission's source; `key` must be unique in the batch."""
        assert self.tmp is not None
        s, limits = self.settings, self.settings.limits
        workdir, outdir = self.tmp / "jobs" / key / "work", self.tmp / "jobs" / key / "out"
        workdir.mkdir(parents=True)
        outdir.mkdir()
        module = workdir / f"{s.module_name}.py"
        module.write_text(source, encoding="utf-8")
        if self.sandbox_root is not None:
            (workdir / "MNIST_data").symlink_to(self.sandbox_root, target_is_directory=True)
        return Job(id=key, module_path=str(module), workdir=str(workdir), outdir=str(outdir),
                   data_root=str(self.sandbox_root or ""), cpu_s=limits.cpu_s, wall_s=limits.wall_s,
                   memory_mb=limits.memory_mb, file_mb=limits.file_mb, disk_mb=limits.disk_mb, threads=s.threads, plan=s.plan,
                   isolation=isolation.child_rules(self.tier, workdir, outdir, self.sandbox_root, self.real_files,
                                                   limits.processes))

    def run(self, jobs: Iterable[Job], on_done: Callable[[Job, Outcome], None],
            on_status: Callable[[Job, Status], None] | None = None) -> None:
        assert self.sandbox is not None
        self.sandbox.run(jobs, on_done, on_status)

    @staticmethod
    def release(job: Job) -> None:
        """Remove a finished job's folders."""
        remove_tree(Path(job.outdir).parent)
