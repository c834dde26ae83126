"""Auto-grading for the PyTorch course homework: sandboxed observation, trusted judgement.

Python API: `load_config`, `Grader`, `discover`; the `autograde` command is a thin layer over them.
"""

import os

# The trusted process replays models in numpy (checks/replay.py) beside `jobs` sandboxes that each
# train on one core: one BLAS thread keeps it from competing with them (measured: the replay of a
# CNN took 1.55 s of CPU with OpenBLAS's default threads, 0.95 s with one). Before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .config import Config, ConfigError, load_config
from .grading import Grader
from .submissions import Submission, discover

__all__ = ["Config", "ConfigError", "Grader", "Submission", "discover", "load_config"]
