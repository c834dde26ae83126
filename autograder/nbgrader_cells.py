"""What the graded test cells of the nbgrader notebook call, inside the notebook's kernel.

The kernel's own input history is the student's notebook code (nbgrader runs the cells top to
bottom). It is graded once, in the usual sandbox, and every test cell reads its check from that
one result, so twelve test cells cost one grading run of a few seconds, well inside nbgrader's
30 s cell timeout.

In Jupyter a student runs cells in any order, fixes one and runs it again. The history is graded as
the kernel holds it: every input in the order it ran, except those that are not valid Python (such
a cell ran nothing, so the kernel has nothing from it), and the test cells. It goes to the grader
as a notebook whose cells carry their execution counts, so messages point at "the cell run as
[12]", as Jupyter labels it, never at a file the student has never seen.

Output discipline, because nbgrader scores a test cell from its outputs: `show()` only prints to
stdout and never raises; `assert_passed()` prints nothing when the check passed and writes the
check's message to stderr otherwise (which nbgrader scores 0), without a traceback that would
show test code. Neither returns a value, so no bare number can become partial credit. Warnings
raised while grading are swallowed, so a harmless `UserWarning` cannot cost the cell.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
import tempfile
import warnings
from pathlib import Path

from .catalog import msg
from .feedback import Language, check_line, say
from .notebook import KERNEL_HISTORY, TEST_CELL_MARKER, cell_to_lines
from .results import SubmissionResult

_results: dict[tuple[str, str | None], tuple[SubmissionResult, Language] | str] = {}


def _runs(cell: str) -> bool:
    """Whether the kernel ran anything of this input: not when it is not valid Python (a syntax
    error stops a cell before its first line), nor when it is one of the test cells."""
    if not cell.strip() or TEST_CELL_MARKER in cell:
        return False
    try:
        compile("\n".join(cell_to_lines(cell)), "<cell>", "exec", dont_inherit=True)
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError (NUL), RecursionError: nothing ran
        return False
    return True


def history_notebook(inputs: list[str], assignment: str | None) -> str:
    """The kernel's inputs (`inputs[n]` ran as In [n]) as the notebook the grader reads."""
    cells = [{"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": [], "source": cell}
             for count, cell in enumerate(inputs) if count and _runs(cell)]
    metadata = {"autograder": {"assignment": assignment, KERNEL_HISTORY: True}}
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 4})


def _kernel_source(assignment: str | None) -> str:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("these helpers run inside a Jupyter notebook")
    return history_notebook(list(shell.history_manager.input_hist_raw), assignment)


def _grade(source: str, assignment: str | None) -> tuple[SubmissionResult, Language] | str:
    """The result for this source and the course's language, or a sentence saying why it could not
    be graded."""
    from .cli import find_config
    from .config import load_config
    from .grading import Grader
    from .submissions import Submission

    key = (hashlib.sha256(source.encode()).hexdigest(), assignment)
    if key not in _results:
        quiet = io.StringIO()
        try:
            with warnings.catch_warnings(), contextlib.redirect_stderr(quiet), tempfile.TemporaryDirectory() as tmp:
                warnings.simplefilter("ignore")
                config = load_config(find_config(None))
                grader = Grader(config, assignment)
                path = Path(tmp) / f"{grader.plan.module_name}.ipynb"
                path.write_text(source, encoding="utf-8")
                [result] = grader.grade([Submission("notebook", path)])
                _results[key] = result, config.report.language
        except Exception as exc:  # no data, no config...: say it, never crash the cell
            _results[key] = f"the autograder could not run ({type(exc).__name__}: {exc})"
    return _results[key]


def _line(check_id: str, assignment: str | None) -> tuple[bool, str]:
    graded = _grade(_kernel_source(assignment), assignment)
    if isinstance(graded, str):
        return False, graded
    result, setting = graded
    line = check_line(result, check_id, setting)
    if line is None:
        return False, f"no check {check_id!r} in this assignment's rubric"
    if result.fix_first:  # the kernel's history itself may be what fails: say how to start clean
        line += "\n" + "\n".join(say(msg("notebook.kernel_advice"), setting))
    return next(c for c in result.checks if c.id == check_id).status == "passed", line


def show(check_id: str, assignment: str | None = None) -> None:
    """Print this check's result for the notebook's current code (stdout only)."""
    print(_line(check_id, assignment)[1])


def assert_passed(check_id: str, assignment: str | None = None) -> None:
    """Grading side: silent when the check passed, its message on stderr (scored 0) when not."""
    passed, line = _line(check_id, assignment)
    if not passed:
        print(line, file=sys.stderr)
