"""Running a job's phases in order inside one sandboxed child.

Each phase writes `obs/<phase>.json` as soon as it ends, and `progress` names the phase before it
starts, so that if the student's code hangs or kills the process in `train()`, everything observed
before still counts and the trusted side knows exactly where it stopped.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ..sandbox.protocol import Job
from .artifacts import write_json
from .context import Context, Mnist
from .. import labs
from . import activations  # noqa: F401  (registers the core's activation_compare phase)
from .phases import PHASE_FUNCTIONS
from .student import StudentError

labs.load("phases")  # implements every lab's phases, in the table's order (labs' names)


def run(job: Job, data: Mnist | None) -> None:
    """Run every planned phase; a phase that fails is recorded and the next one still runs."""
    out = Path(job.outdir)
    (out / "obs").mkdir(parents=True, exist_ok=True)
    device = job.plan.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    ctx = Context(job=job, data=data, out=out, device=device)
    progress = os.open(out / "progress", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for phase in ["import", *job.plan.phases]:
        os.write(progress, f"{phase}\n".encode())
        try:
            payload = {"ok": True, **PHASE_FUNCTIONS[phase](ctx)}
        except StudentError as error:
            payload = {"ok": False, "error": error.info}
        except Exception as exc:  # student objects that break the grader's inspection of them
            payload = {"ok": False, "error": {"kind": "unusable", "function": phase, "exception": type(exc).__name__,
                                              "message": str(exc)[:600]}}
        write_json(out / "obs" / f"{phase}.json", payload)
        if phase == "import" and not payload["ok"]:
            break
    os.write(progress, b"done\n")
    os.close(progress)
