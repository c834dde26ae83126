"""Auto-grading for the PyTorch course homework: sandboxed observation, trusted judgement.

Python API: `load_config`, `Grader`, `discover`; the `autograde` command is a thin layer over them.
"""

import os

# The trusted process replays models in numpy (checks/replay.py) beside `jobs` sandboxes that each
# train on one core: one BLAS thread keeps it from competing with them (measured: the replay of a
# CNN took 1.55 s of CPU with OpenBLAS's default threads, 0.95 s with one). Before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__all__ = ["Config", "ConfigError", "Grader", "Submission", "discover", "load_config"]


def __getattr__(name: str) -> object:
    """The API, imported when first asked for (PEP 562): the sandbox's zygote imports this package
    for its own modules and must not pay for the trusted side's (grading, rubrics, pydantic
    configuration) on every start."""
    if name in ("Config", "ConfigError", "load_config"):
        from . import config
        return getattr(config, name)
    if name == "Grader":
        from .grading import Grader
        return Grader
    if name in ("Submission", "discover"):
        from . import submissions
        return getattr(submissions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
