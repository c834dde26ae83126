"""Student skeletons, generated from `reference/`: the single source of truth.

(The nbgrader notebooks generated from the same reference are built in `nbsource.py`.)

In a reference file, every block between `### BEGIN SOLUTION` and `### END SOLUTION` (the markers
nbgrader uses) becomes one `'Fill this blank!'` line at the marker's indentation; everything
else, the course's comments included, is copied as is.
"""

from __future__ import annotations

from pathlib import Path

from .config import Config
from .results import write_atomic
from .source import BLANK

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


class SkeletonError(Exception):
    pass


def make_skeleton(reference: str, name: str = "reference") -> str:
    out: list[str] = []
    opened_at: int | None = None
    for number, line in enumerate(reference.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if opened_at is not None:
                raise SkeletonError(f"{name} line {number}: {BEGIN} inside the block opened at line {opened_at}")
            opened_at = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}'{BLANK}'\n")
        elif marker == END:
            if opened_at is None:
                raise SkeletonError(f"{name} line {number}: {END} without a {BEGIN}")
            opened_at = None
        elif opened_at is None:
            out.append(line)
    if opened_at is not None:
        raise SkeletonError(f"{name} line {opened_at}: {BEGIN} is never closed")
    return "".join(out)


def expected_skeletons(config: Config, names: list[str] | None = None) -> dict[Path, str]:
    """Every generated file of the assignments `names` (default: all): the `.py` skeleton and,
    when configured, the two nbgrader notebooks."""
    from .nbsource import dumps, release_notebook, source_notebook

    files = {}
    for name, assignment in config.assignments.items():
        if names is not None and name not in names:
            continue
        reference = config.path(assignment.reference)
        text = reference.read_text(encoding="utf-8")
        files[config.path(assignment.skeleton)] = make_skeleton(text, str(reference))
        if assignment.notebook:
            source = dumps(source_notebook(text, name, assignment))
            files[config.path(assignment.notebook.source)] = source
            files[config.path(assignment.notebook.release)] = release_notebook(assignment.module_name, source)
    return files


def stale_skeletons(config: Config, names: list[str] | None = None) -> list[Path]:
    """Skeletons on disk that differ from what `reference/` generates."""
    return [path for path, text in expected_skeletons(config, names).items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def write_skeletons(config: Config, names: list[str] | None = None) -> list[Path]:
    written = []
    for path, text in expected_skeletons(config, names).items():
        write_atomic(path, text)
        written.append(path)
    return written
