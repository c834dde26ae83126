"""The nbgrader notebooks of an assignment, generated from its reference `.py`.

`reference/<name>.py` stays the single source of truth: `source_notebook()` cuts it into an
nbgrader *source* notebook (cell metadata schema v3), and `release_notebook()` runs nbgrader's own
`generate_assignment` on that, so the student notebook is exactly what nbgrader releases. Both
are committed, and tests fail when either differs from what generation gives.

Cells, in order:
  - the reference's header comments, as a locked markdown cell (the course's text);
  - the imports and parameters, as a locked code cell;
  - one solution cell per contract function or class (its `### BEGIN/END SOLUTION` blocks become nbgrader's);
  - one graded test cell per rubric check, with its points: a visible `show(...)` that prints the
    check's result, and a hidden `assert_passed(...)` that nbgrader grades;
  - a manually graded markdown cell for the lab's discussion question, when grader.toml has one;
  - the course's full run, skipped when nbgrader executes the notebook (`NBGRADER_EXECUTION`).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from .checks import REGISTRY
from .config import Assignment

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
BLANK_STUB = "'Fill this blank!'"
MAIN_GUARD = 'if __name__ == "__main__":'
NOTEBOOK_GUARD = '# nbgrader sets NBGRADER_EXECUTION while grading: the full run is skipped then.\nif __name__ == "__main__" and not os.environ.get("NBGRADER_EXECUTION"):'

def _meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
          points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
                            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _cell(kind: str, source: str, metadata: dict[str, Any]) -> dict[str, Any]:
    # A fixed cell id (nbformat 4.5) keeps generation reproducible: without one, nbformat invents a random id.
    cell: dict[str, Any] = {"cell_type": kind, "id": metadata["nbgrader"]["grade_id"], "metadata": metadata,
                            "source": source.strip("\n")}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _header_markdown(lines: list[str]) -> str:
    text = [line[1:].strip() if line.startswith("#") else line for line in lines]
    return "## " + text[0] + "\n\n" + "\n".join(text[1:]).strip()


def test_cell_source(assignment: str, check_id: str, title: str, points: float) -> str:
    return (f"# 채점 셀 / graded cell: `{check_id}` ({points:g} points): {title}\n"
            "from autograder.nbgrader_cells import show\n"
            f'show("{check_id}", assignment="{assignment}")\n'
            "### BEGIN HIDDEN TESTS\n"
            "from autograder.nbgrader_cells import assert_passed\n"
            f'assert_passed("{check_id}", assignment="{assignment}")\n'
            "### END HIDDEN TESTS")


def _end(lines: list[str], node: ast.AST) -> int:
    """Where a definition's cell ends: its last statement, and the indented comments right after it
    (a `### END SOLUTION` that follows a `return` is no statement, but belongs to the function)."""
    end = node.end_lineno
    while end < len(lines) and lines[end][:1].isspace() and lines[end].lstrip().startswith("#"):
        end += 1
    return end


def source_notebook(reference: str, name: str, assignment: Assignment) -> dict[str, Any]:
    tree = ast.parse(reference)
    lines = reference.splitlines()
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    first_code = tree.body[0].lineno - 1
    header = [line for line in lines[:first_code] if line.strip()]
    setup_end = (functions[0].decorator_list[0].lineno if functions[0].decorator_list else functions[0].lineno) - 1
    main = next(node for node in tree.body if isinstance(node, ast.If) and lines[node.lineno - 1].strip() == MAIN_GUARD)

    cells = [_cell("markdown", _header_markdown(header), _meta("homework", locked=True)),
             _cell("code", "\n".join(lines[first_code:setup_end]), _meta("setup", locked=True))]
    for function in functions:
        source = "\n".join(lines[function.lineno - 1:_end(lines, function)])
        cells.append(_cell("code", source, _meta(function.name, solution=True)))
    for check_id, check in assignment.checks.enabled().items():
        cells.append(_cell("code", test_cell_source(name, check_id, REGISTRY[check.kind].title_for(check), check.points),
                           _meta(f"test_{check_id}", grade=True, locked=True, points=check.points)))
    cells += _discussion_cells(assignment)
    main_source = "\n".join(lines[main.lineno - 1:main.end_lineno]).replace(MAIN_GUARD, NOTEBOOK_GUARD, 1)
    cells.append(_cell("code", "import os\n\n" + main_source, _meta("full_run", locked=True)))
    metadata = {"autograder": {"assignment": name}, "kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def _discussion_cells(assignment: Assignment) -> list[dict[str, Any]]:
    """The manually graded question of `[assignments.X.notebook] discussion`, if the lab has one:
    a locked prompt, and an answer cell whose sample answer nbgrader strips from the release."""
    settings = assignment.notebook
    if settings is None or settings.discussion is None:
        return []
    question = settings.discussion
    answer = f"### BEGIN SOLUTION\n{question.sample_answer.strip()}\n### END SOLUTION"
    return [_cell("markdown", question.prompt, _meta(f"{question.id}_prompt", locked=True)),
            _cell("markdown", answer, _meta(f"{question.id}_discussion", grade=True, solution=True,
                                            points=question.points))]


def dumps(notebook: dict[str, Any]) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def put_environment_on_path() -> None:
    """nbgrader runs `alembic` (and kernels) from PATH: make this environment's scripts findable
    even when `autograde` was started as `.venv/bin/autograde` without activating the venv."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def release_notebook(name: str, source_text: str) -> str:
    """What `nbgrader generate_assignment` releases for this source notebook (run for real)."""
    from .extras import require

    require("nbgrader", "nbgrader", "autograde assign (the nbgrader notebooks)")
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    put_environment_on_path()
    with tempfile.TemporaryDirectory() as course:
        source_dir = Path(course) / "source" / name
        source_dir.mkdir(parents=True)
        (source_dir / f"{name}.ipynb").write_text(source_text, encoding="utf-8")
        config = Config()
        config.CourseDirectory.root = course
        config.ClearSolutions.code_stub = {"python": BLANK_STUB}
        config.Application.log_level = "ERROR"
        cwd = os.getcwd()
        try:
            os.chdir(course)  # nbgrader also looks for nbgrader_config.py in the working directory
            result = NbGraderAPI(config=config).generate_assignment(name, force=True, create=True)
        finally:
            os.chdir(cwd)
        if not result.get("success"):
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{result.get('log')}\n{result.get('error')}")
        released = Path(course) / "release" / name / f"{name}.ipynb"
        text = released.read_text(encoding="utf-8")
        shutil.rmtree(course, ignore_errors=True)
    return text
