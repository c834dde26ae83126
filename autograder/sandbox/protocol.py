"""Messages between the trusted process and the zygote, one JSON object per line.

Only plain data crosses: the trusted process never unpickles anything from the sandbox side.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

if TYPE_CHECKING:
    from ..catalog import Msg

GRADER_FAILED = 70  # exit code of a child whose grader-side code failed (its traceback is in the output)


def open_regular_file(path: Path) -> BinaryIO | None:
    """A file a child wrote, opened for reading never through a symlink and never a FIFO or a
    device: None when it is missing or not a regular file. Every reader of a child's files (the
    trusted readers, the printed output, a Dask worker sending files back) opens them this way."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # missing, or a symlink (ELOOP): either way not an observation
        return None
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        return None
    return handle


def read_regular_file(path: Path, size: int) -> bytes | None:
    """At most `size` bytes of a file a child wrote (`open_regular_file`), or None."""
    handle = open_regular_file(path)
    if handle is None:
        return None
    with handle:
        return handle.read(size)


# --- the one table of probe phases ---------------------------------------------------------------
# Each phase is named once here, with the student functions it calls (what it is called, for a
# student and in a TA's progress lines, is `phase.<name>` in catalog/*/phases.po, or in its lab's
# catalog). The sandbox implements each name (`probe/phases.py`, a lab's `phases.py`; a test checks
# both agree), and a plan lists the ones an assignment's checks need, in this order.


@dataclass(frozen=True)
class Phase:
    functions: tuple[str, ...]  # the student functions it calls
    mnist: bool = True  # whether it needs MNIST (when no planned phase does, the sandbox never loads it)


PHASES: dict[str, Phase] = {}


def register_phase(name: str, functions: tuple[str, ...], mnist: bool = False) -> None:
    """Add a phase to the table: a lab with a new kind of observation declares its phases next to
    its checks (`labs/<name>/checks.py`), and implements them in `labs/<name>/phases.py`; what it
    is called, in every language, is `phase.<name>` of its catalog (`labs/<name>/catalog/`)."""
    PHASES[name] = Phase(functions, mnist)


for _name, _phase in {
    "import": Phase((), mnist=False),
    "build": Phase(("build_model",)),
    "data": Phase(("load_mnist", "make_loaders")),
    "loss": Phase(("make_criterion",), mnist=False),
    "optimizer": Phase(("build_model", "make_optimizer"), mnist=False),
    "train_probe": Phase(("build_model", "make_criterion", "make_optimizer", "train")),
    "train": Phase(("build_model", "make_criterion", "make_optimizer", "train")),
    "evaluate": Phase(("build_model", "evaluate")),
    "sweep": Phase(("compare_hidden_sizes", "build_model", "make_criterion", "make_optimizer",
                                               "train", "evaluate")),
    "architectures": Phase((), mnist=False),
}.items():
    register_phase(_name, _phase.functions, _phase.mnist)


def label(phase: str) -> str:
    """The phase's name in English, for a TA's progress lines (`phase_text` is what a student reads)."""
    from ..catalog import SOURCE, render

    return render(phase_text(phase), SOURCE)


def phase_text(phase: str) -> Msg | str:
    """What a student reads as the name of a phase: its catalog message `phase.<name>`
    (the catalog has one for every registered phase; tests/test_catalog.py checks it). A
    name that is not a registered phase (a child's `progress` file can say anything) is shown as is."""
    from ..catalog import Msg  # noqa: F811  (here, not at the top: the sandbox side imports this module too)

    return Msg(f"phase.{phase}", {}) if phase in PHASES else phase


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SweepPlan(_Plain):
    configs: list[tuple[int, int]]
    train_samples: int
    epochs: int
    test_samples: int  # the hidden test images each model of the sweep predicts


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
    test_samples: int = 10000  # the first test images the trained model's predictions cover
    input_shape: list[int] = [784]  # one image as the grader's own forward passes hand it to the model
    sweep: SweepPlan | None = None
    needs_mnist: bool = True  # False: the sandbox runs without MNIST (a toy-data lab)
    params: dict[str, Any] = {}  # what checks of a lab's own kinds ask its phases to do (builders, steps, ...)


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
    cpu_s: float  # CPU time of the whole process tree: the limit that decides, whatever the load
    wall_s: float  # wall-clock backstop against code that sleeps or blocks
    memory_mb: int
    file_mb: int
    disk_mb: int = 256  # all the files of its work and output folders together
    threads: int
    isolation: Isolation
    plan: ProbePlan


class Hello(_Plain):
    """The zygote's first line: it has imported torch and loaded MNIST, and can fork jobs."""

    kind: Literal["hello"] = "hello"
    torch: str


Limit = Literal["cpu", "wall", "processes", "disk"]


class Status(_Plain):
    """About once a second per running job: how much of its budget it has used so far."""

    kind: Literal["status"] = "status"
    id: str
    cpu_s: float
    wall_s: float


TamperKind = Literal["earlier", "order", "late", "malformed"]


class Tamper(_Plain):
    """Why the zygote stopped believing a child's records (`seal.py`): a record of an earlier phase
    written again (`earlier`), a record or a phase's start out of the plan's order (`order`), a
    record after the last phase (`late`), or bytes that are no record (`malformed`). `name` is the
    record's name (checked against a strict pattern before it is kept here), `phase` the phase
    that was running when it arrived."""

    kind: TamperKind
    name: str = ""
    phase: str = ""


class Outcome(_Plain):
    """How a child ended. `limit` names the limit the zygote killed it for, if any; `tampered`, why
    nothing it recorded may be judged (the zygote then killed it)."""

    kind: Literal["outcome"] = "outcome"
    id: str
    exit_code: int | None
    signal: int | None
    limit: Limit | None = None
    cpu_s: float = 0.0
    wall_s: float
    max_rss_mb: float
    tampered: Tamper | None = None


Reply = Annotated[Hello | Status | Outcome, Field(discriminator="kind")]
REPLY = TypeAdapter(Reply)
