"""Messages between the trusted process and the zygote, one JSON object per line.

Only plain data crosses: the trusted process never unpickles anything from the sandbox side.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

GRADER_FAILED = 70  # exit code of a child whose grader-side code failed (its traceback is in the output)

PHASES = ("import", "build", "data", "loss", "optimizer", "train_probe", "train", "evaluate", "sweep")


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SweepPlan(_Plain):
    configs: list[tuple[int, int]]
    train_samples: int
    epochs: int


class ProbePlan(_Plain):
    """What the probe inside the sandbox should do; derived from `grader.toml` by the trusted side."""

    module_name: str
    phases: list[str]
    seed: int
    device: str
    learning_rate: float
    batch_size: int
    holdout: int
    train_probe_batches: int = 3
    epochs: int = 1
    train_samples: int = 55000
    sweep: SweepPlan | None = None


class Isolation(_Plain):
    """What a child does to itself before running student code."""

    landlock: bool
    read: list[str]
    write: list[str]
    processes: int


class Job(_Plain):
    id: str
    module_path: str
    workdir: str
    outdir: str
    data_root: str
    wall_s: float
    memory_mb: int
    file_mb: int
    threads: int
    isolation: Isolation
    plan: ProbePlan


class Hello(_Plain):
    """The zygote's first line: it has imported torch and loaded MNIST, and can fork jobs."""

    torch: str


class Outcome(_Plain):
    id: str
    exit_code: int | None
    signal: int | None
    timed_out: bool
    wall_s: float
    max_rss_mb: float
    flood: bool = False  # killed for running more processes than allowed
