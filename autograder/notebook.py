"""A Jupyter notebook as an importable module: its code cells, in order, with IPython-only lines
(magics such as `%matplotlib inline`, shell escapes such as `!pip install`) turned into comments
rather than run."""

from __future__ import annotations

import json


class NotebookError(Exception):
    """The file is not a notebook the grader can read; the message says why."""


def _neutralise(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(("%", "!")):
        indent = line[: len(line) - len(stripped)]
        return f"{indent}pass  # (not run by the grader) {stripped}"
    return line


def notebook_to_source(text: str, filename: str) -> str:
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"{filename} is not a valid notebook (its JSON is broken: {exc}).") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError(f"{filename} is not a notebook in nbformat 4 (no list of cells).")
    parts = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        lines = source.splitlines()
        if lines and lines[0].lstrip().startswith("%%"):
            lines[0] = f"# (not run by the grader) {lines[0].strip()}"
        parts.append(f"# --- cell {number} ---\n" + "\n".join(_neutralise(line) for line in lines))
    return "\n\n".join(parts) + "\n"
