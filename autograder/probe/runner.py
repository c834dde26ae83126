"""Running a job's phases in order inside one sandboxed child.

Each phase sends `obs/<phase>.json` as soon as it ends, and its start before it starts (the
zygote keeps the list as `progress`), so that if the student's code hangs or kills the process in
`train()`, everything observed before still counts and the trusted side knows exactly where it
stopped. The start of the next phase seals the one before (`sandbox/seal.py`).
"""

from __future__ import annotations

from pathlib import Path

import torch

from ..sandbox.protocol import Job
from .artifacts import begin, write_json
from .context import Context, Mnist
from .. import labs
from . import activations  # noqa: F401  (registers the core's activation_compare phase)
from .phases import PHASE_FUNCTIONS
from .student import StudentError

labs.load("phases")  # implements every lab's phases, in the table's order (labs' names)


def run(job: Job, data: Mnist | None) -> None:
    """Run every planned phase; a phase that fails is recorded and the next one still runs."""
    out = Path(job.outdir)
    device = job.plan.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    ctx = Context(job=job, data=data, out=out, device=device)
    for phase in ["import", *job.plan.phases]:
        begin(phase)
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
    begin("done")
