"""The TAs' tools are extras of the wheel students install: `pip install modu-dl-autograder` brings
what `autograde check` needs and nothing else (no nbgrader, Jupyter or Dask: large, and useless for
a self-check). A TA command started without its extra must say which extra to install, in one
line, rather than end in an ImportError's traceback; its modules import these packages only
inside the functions that use them, after `require`.
"""

from __future__ import annotations

import importlib.util

from .config import ConfigError

DISTRIBUTION = "modu-dl-autograder"


class MissingExtra(ConfigError):
    """A TA command whose packages are not installed; the message names the extra to install."""


def require(module: str, extra: str, command: str) -> None:
    """Raise MissingExtra unless `module` can be imported."""
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(f"{command} needs {module}, which the student install leaves out: "
                           f"pip install '{DISTRIBUTION}[{extra}]' (TAs: '{DISTRIBUTION}[ta]', or bash .ci/setup in "
                           "the repository)")
