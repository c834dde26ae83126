"""Auto-grading for the PyTorch course homework: sandboxed observation, trusted judgement.

Python API: `load_config`, `Grader`, `discover`; the `autograde` command is a thin layer over them.
"""

from .config import Config, ConfigError, load_config
from .grading import Grader
from .submissions import Submission, discover

__all__ = ["Config", "ConfigError", "Grader", "Submission", "discover", "load_config"]
