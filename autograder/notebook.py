"""A Jupyter notebook as an importable module.

Its code cells, in order, become the module; IPython-only lines (magics such as `%matplotlib
inline`, shell escapes such as `!pip install`) are turned into comments rather than run, and
nbgrader's graded test cells are left out (they call the grader, which must not recurse into
itself). `Converted.locate` maps a line of the module back to the notebook's cell and line, so
that messages point where the student can look.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .catalog import SOURCE, Text, msg, render

TEST_CELL_MARKER = "autograder.nbgrader_cells"
KERNEL_HISTORY = "kernel_history"  # metadata.autograder key of a notebook made from a kernel's history


class NotebookError(Exception):
    """The file is not a notebook the grader can read; `message` says why to the student."""

    def __init__(self, message: Text):
        super().__init__(render(message, SOURCE))
        self.message = message


@dataclass(frozen=True)
class Converted:
    source: str
    origin: list[tuple[int, int]]  # per module line: (cell number, line in that cell), 1-based
    filename: str
    kernel: bool = False  # the cells are a kernel's inputs, numbered by their execution count

    def locate(self, line: int) -> Text:
        if 1 <= line <= len(self.origin) and self.origin[line - 1][0]:
            cell, cell_line = self.origin[line - 1]
            if self.kernel:  # what Jupyter shows beside the cell: [12]
                return msg("notebook.location.kernel", count=cell, line=cell_line)
            return msg("notebook.location", file=self.filename, cell=cell, line=cell_line)
        return msg("notebook.location.converted", file=self.filename, line=line)


def _neutralise(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(("%", "!")):
        indent = line[: len(line) - len(stripped)]
        return f"{indent}pass  # (not run by the grader) {stripped}"
    return line


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(part for part in source if isinstance(part, str)) if isinstance(source, list) else str(source)


def is_test_cell(cell: dict[str, Any]) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
    if not isinstance(meta, dict):  # not what nbgrader writes: no nbgrader cell at all
        meta = {}
    graded_test = bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"
    return graded_test or TEST_CELL_MARKER in cell_source(cell)


def cell_to_lines(source: str) -> list[str]:
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        lines[0] = f"# (not run by the grader) {lines[0].strip()}"
    return [_neutralise(line) for line in lines]


def notebook_to_module(text: str, filename: str) -> Converted:
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise NotebookError(msg("notebook.broken_json", file=filename, error=str(exc))) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError(msg("notebook.no_cells", file=filename))
    kernel = from_kernel(notebook)
    lines: list[str] = []
    origin: list[tuple[int, int]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_test_cell(cell):
            continue
        if kernel and isinstance(cell.get("execution_count"), int):
            number = cell["execution_count"]
        lines.append(f"# --- cell {number} ---")
        origin.append((0, 0))
        for cell_line, line in enumerate(cell_to_lines(cell_source(cell)), start=1):
            lines.append(line)
            origin.append((number, cell_line))
        lines.append("")
        origin.append((0, 0))
    return Converted("\n".join(lines) + "\n", origin, filename, kernel)


def from_kernel(notebook: object) -> bool:
    """Whether the notebook was written by `nbgrader_cells` from a kernel's input history (its cells
    are numbered by execution count, as Jupyter shows them, not by position)."""
    try:
        return notebook["metadata"]["autograder"][KERNEL_HISTORY] is True  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return False
