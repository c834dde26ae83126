"""What `nbgrader autograde` does to a submitted notebook before running it, and what it leaves
to trust, done before our fast path grades or records anything: the notebook is the student's
file, so its outputs, cell types, points and nbgrader metadata are claims, not facts.

nbgrader's sanitizing steps are, in its order (converters/autograde.py): `ClearOutput`,
`DeduplicateIds`, `OverwriteKernelspec`, `OverwriteCells`, `CheckCellMetadata`. Here:

  1. `ClearOutput` (nbgrader's): no stored output reaches a page or a score.
  2. The gradebook's roles (`_gradebook_roles`, in place of `DeduplicateIds`): the last cell naming
     each grade_id the gradebook knows gets exactly the gradebook's nbgrader metadata, whatever
     flags the student set, and every other cell none. nbgrader would refuse a notebook whose
     discussion cell was turned into a code cell or unflagged; here it stays a manually graded
     cell, pending a TA, and points are the gradebook's.
  3. `OverwriteCells` (nbgrader's class): cell types, and the source of locked and test cells,
     restored from the gradebook. It asks a snapshot taken once per run (`Released`) instead of
     querying the database twice per cell per notebook.
  4. A graded cell the student deleted comes back (nbgrader's own `missing_cell_transform`), so
     every grade is recorded from this run, never left from an earlier one.
  5. Markdown and raw cells the student wrote that could run anything in formgrader or the
     feedback page are shown as plain text (`nbgrader_markdown`).
  6. The notebook's metadata is the gradebook's kernelspec (`OverwriteKernelspec`'s one field)
     and nothing else: widget state in it would be rendered as script.
  7. `CheckCellMetadata` (nbgrader's) on the result.

What was changed is returned, for a note to the TA and the student.
"""

from __future__ import annotations

import html
import json
import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, OverwriteCells
from nbgrader.preprocessors.base import NbGraderPreprocessor

from .nbgrader_markdown import BUDGET, as_plain_text, is_safe

# nbgrader's preprocessors log warnings and, on invalid metadata, a traceback: the TA gets a note instead.
QUIET = logging.getLogger("autograder.nbgrader")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)


@dataclass(frozen=True)
class SourceCell:
    """One cell of the released notebook as the gradebook has it (nbgrader's `SourceCell` fields)."""

    name: str
    cell_type: str
    locked: bool
    source: str
    checksum: str


@dataclass(frozen=True)
class GradedCell:
    max_score: float


@dataclass(frozen=True)
class Released:
    """The gradebook's record of one released notebook, read once per run. It answers the lookups
    nbgrader's `OverwriteCells` makes of its `Gradebook`, as the gradebook would."""

    notebook: str
    assignment: str
    cells: dict[str, SourceCell]  # in the notebook's order
    points: dict[str, float]  # graded (grade and task) cells -> max score
    solutions: frozenset[str]
    tasks: frozenset[str]
    kernelspec: dict | None

    def __enter__(self) -> "Released":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> SourceCell:
        if name not in self.cells:
            raise MissingEntry(f"No such source cell: {assignment}/{notebook}/{name}")
        return self.cells[name]

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> GradedCell:
        if name not in self.points:
            raise MissingEntry(f"No such graded cell: {assignment}/{notebook}/{name}")
        return GradedCell(self.points[name])

    def metadata(self, name: str) -> dict[str, Any]:
        """The nbgrader metadata (schema 3) the gradebook gives cell `name`."""
        cell = self.cells[name]
        meta: dict[str, Any] = {"cell_type": cell.cell_type, "checksum": cell.checksum,
                                "grade": name in self.points and name not in self.tasks, "grade_id": name,
                                "locked": cell.locked, "schema_version": 3, "solution": name in self.solutions,
                                "task": name in self.tasks}
        if name in self.points:
            meta["points"] = self.points[name]
        return meta


def read_released(db_url: str, notebook: str, assignment: str) -> Released:
    """The snapshot; MissingEntry when the gradebook has no such notebook."""
    with Gradebook(db_url) as gb:
        found = gb.find_notebook(notebook, assignment)
        return Released(
            notebook, assignment,
            cells={c.name: SourceCell(c.name, c.cell_type, bool(c.locked), c.source, c.checksum)
                   for c in found.source_cells},
            points={c.name: float(c.max_score) for c in [*found.grade_cells, *found.task_cells]},
            solutions=frozenset(c.name for c in found.solution_cells),
            tasks=frozenset(c.name for c in found.task_cells),
            kernelspec=json.loads(found.kernelspec) if found.kernelspec else None)


class _OverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells over the snapshot; what it restored is kept for the TA's note."""

    def __init__(self, released: Released, **kwargs: Any):
        super().__init__(**kwargs)
        self.released = released
        self.changes: list[tuple[str, str]] = []

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        self.notebook_id, self.assignment_id = self.released.notebook, self.released.assignment
        self.gradebook = self.released
        return NbGraderPreprocessor.preprocess(self, nb, resources)  # each cell: OverwriteCells.preprocess_cell

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        self._submitted = cell.source
        return super().preprocess_cell(cell, resources, index)

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        # A released test cell lacks its hidden tests: restoring them is no change of the student's.
        if attr != "checksum" or self._submitted.rstrip() != visible(self.released.cells[name].source).rstrip():
            self.changes.append((name, attr))


def visible(source: str) -> str:
    """A test cell's source without its hidden tests, as `nbgrader generate_assignment` releases it."""
    return HIDDEN.sub("", source)


def _gradebook_roles(nb: Any, released: Released) -> tuple[list[tuple[str, str]], set[str]]:
    """Give the last cell naming each grade_id the gradebook knows exactly the gradebook's metadata,
    whatever flags it had (nbgrader's DeduplicateIds keeps the last of flagged cells only), and
    every other cell none. Returns what differed and the grade_ids present."""
    from nbformat import from_dict

    changes: list[tuple[str, str]] = []
    present: set[str] = set()
    for number in range(len(nb.cells), 0, -1):
        cell = nb.cells[number - 1]
        old = cell.metadata.get("nbgrader", {})
        if not isinstance(old, dict):
            raise ValueError(f"cell {number}: its nbgrader metadata is not an object")
        name = old.get("grade_id")
        meta = released.metadata(name) if isinstance(name, str) and name in released.cells and name not in present else None
        if meta is not None:
            present.add(name)
            changes += [(name, key) for key in ("grade", "solution", "task", "locked", "points")
                        if old.get(key) != meta.get(key)]
        cell.metadata = from_dict({"nbgrader": meta} if meta else {})
    return changes[::-1], present


def sanitize(text: str, released: Released) -> tuple[Any, list[tuple[str, str]]]:
    """The submitted notebook as it may be graded and shown, and what was changed: (grade_id, what)
    pairs, or (cell number, "html"). Raises whatever nbformat or nbgrader raise for a notebook they
    refuse (not JSON, nested too deep, metadata that is not an object, a cell type that cannot change)."""
    import nbformat
    from nbformat.v4.nbbase import random_cell_id

    with warnings.catch_warnings():  # nbformat's warnings about the student's file: not the TA's concern
        warnings.simplefilter("ignore")
        nb = nbformat.reads(text, as_version=4, capture_validation_error={})
    resources = {"nbgrader": {"notebook": released.notebook, "assignment": released.assignment}}
    nb, resources = ClearOutput(log=QUIET)(nb, resources)
    changes, present = _gradebook_roles(nb, released)
    overwrite = _OverwriteCells(released, log=QUIET)
    nb, resources = overwrite(nb, resources)
    changes += overwrite.changes
    for name, cell in released.cells.items():
        if name in released.points and name not in present:
            added = overwrite.missing_cell_transform(cell, released.points[name], is_solution=name in released.solutions,
                                                     is_task=name in released.tasks)
            added.metadata = nbformat.from_dict({"nbgrader": released.metadata(name)})
            if nb.nbformat_minor >= 5:  # cell ids came with nbformat 4.5
                added.id = random_cell_id()
            nb.cells.append(added)
            changes.append((name, "missing"))
    budget = BUDGET
    for number, cell in enumerate(nb.cells, start=1):
        if cell.metadata.get("nbgrader", {}).get("locked"):
            continue  # the gradebook's own source
        size = len(cell.source) if cell.cell_type == "markdown" else 0
        if _shown_as_text(cell, budget):
            changes.append((str(number), "html"))
        budget -= size
    nb.metadata = nbformat.from_dict({"language_info": {"name": "python"},
                                      **({"kernelspec": released.kernelspec} if released.kernelspec else {})})
    nb, resources = CheckCellMetadata(log=QUIET)(nb, resources)
    return nb, changes


def _shown_as_text(cell: Any, budget: int) -> bool:
    """Make a markdown or raw cell the student wrote safe to show; True if it had to change. Past
    `budget` characters of markdown, a notebook's markdown is not rendered to be checked: a
    notebook of 20 MB of markdown cells would take half a minute."""
    if cell.cell_type == "markdown" and (len(cell.source) > budget or not is_safe(cell.source, cell.get("attachments"))):
        cell.source = as_plain_text(cell.source)
        cell.pop("attachments", None)
        return True
    if cell.cell_type == "raw" and "<" in cell.source:
        cell.source = html.escape(cell.source, quote=False)
        return True
    return False
