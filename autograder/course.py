"""A course of several assignments: which assignment a file is for, a course folder
`submissions/<assignment>/<student>...` graded in one go, the course gradebook and the listing.

Nothing here knows an assignment by name: everything is read from grader.toml.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .checks import REGISTRY
from .config import Config, ConfigError
from .results import SubmissionResult
from .source import read_regular


def module_name(config: Config, name: str) -> str:
    """The module a student's file of this assignment is named after (its skeleton's stem)."""
    return Path(config.assignments[name].skeleton).stem


def _notebook_assignment(path: Path) -> str | None:
    """The assignment a generated notebook names in its metadata (`autograder.assignment`)."""
    try:
        notebook = json.loads(read_regular(path).decode("utf-8-sig"))
        return notebook["metadata"]["autograder"]["assignment"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def assignment_for_file(config: Config, path: Path, explicit: str | None) -> tuple[str, str]:
    """(assignment, how it was chosen) for one student file, or ConfigError saying how to choose."""
    if explicit is not None:
        return config.assignment(explicit)[0], "as asked"
    if len(config.assignments) == 1:
        return next(iter(config.assignments)), "the only assignment"
    if path.suffix == ".ipynb":
        named = _notebook_assignment(path)
        if named in config.assignments:
            return named, "from the notebook's metadata"
    by_module = [name for name in config.assignments if module_name(config, name) == path.stem]
    if len(by_module) == 1:
        return by_module[0], "from the file name"
    raise ConfigError(f"{path.name}: cannot tell which assignment this file is for (its name is none of "
                      f"{', '.join(module_name(config, n) + path.suffix for n in config.assignments)}); "
                      f"add --assignment NAME, one of: {', '.join(config.assignments)}")


def course_folders(config: Config, folder: Path) -> dict[str, Path]:
    """The subfolders of `folder` named after an assignment: `submissions/<assignment>/`."""
    return {name: folder / name for name in config.assignments if (folder / name).is_dir()}


def course_gradebook_csv(results: dict[str, list[SubmissionResult]], config: Config) -> str:
    """One row per student, one column per assignment's total, and the course total (UTF-8 with
    a BOM, as every gradebook here, so that Excel shows Korean names)."""
    names = list(results)
    students = sorted({r.student for rows in results.values() for r in rows})
    by = {(name, r.student): r for name, rows in results.items() for r in rows}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *names, "total", "max_total"])
    max_total = sum(config.assignments[name].max_score for name in names)
    for student in students:
        scores = [by[(name, student)].score if (name, student) in by else None for name in names]
        writer.writerow([student, *("" if s is None else f"{s:g}" for s in scores),
                         f"{sum(s for s in scores if s is not None):g}", f"{max_total:g}"])
    return "\ufeff" + buffer.getvalue()


def listing(config: Config) -> str:
    """`autograde list`: every assignment, its files, and its checks with their points."""
    lines = []
    for name, assignment in config.assignments.items():
        lines.append(f"{name}: {assignment.title}")
        lines.append(f"  student file: {module_name(config, name)}.py or .ipynb  (skeleton: {assignment.skeleton})")
        for check_id, cfg in assignment.checks.enabled().items():
            lines.append(f"  {cfg.points:>4g}  {check_id:<16} {REGISTRY[cfg.kind].title_for(cfg)}")
        notebook = assignment.notebook
        if notebook is not None and notebook.discussion is not None:
            lines.append(f"  {notebook.discussion.points:>4g}  {notebook.discussion.id:<16} "
                         "discussion, graded by hand in nbgrader's formgrader")
        lines.append(f"  {assignment.max_score:>4g}  total (auto-graded)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
