"""A course of several assignments: which assignment a file is for, the assignment folders of a
course folder `submissions/<assignment>/<student>...`, and the listing of the rubric.

Nothing here knows an assignment by name: everything is read from grader.toml.
"""

from __future__ import annotations

import json
from pathlib import Path

from .checks import REGISTRY
from .config import Config, ConfigError
from .source import read_regular


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
    by_module = [name for name in config.assignments if config.assignments[name].module_name == path.stem]
    if len(by_module) == 1:
        return by_module[0], "from the file name"
    raise ConfigError(f"{path.name}: cannot tell which assignment this file is for (its name is none of "
                      f"{', '.join(a.module_name + path.suffix for a in config.assignments.values())}); "
                      f"add --assignment NAME, one of: {', '.join(config.assignments)}")


def course_folders(config: Config, folder: Path) -> dict[str, Path]:
    """The subfolders of `folder` named after an assignment: `submissions/<assignment>/`."""
    return {name: folder / name for name in config.assignments if (folder / name).is_dir()}


def listing(config: Config) -> str:
    """`autograde list`: every assignment, its files, and its checks with their points."""
    lines = []
    for name, assignment in config.assignments.items():
        lines.append(f"{name}: {assignment.title}")
        lines.append(f"  student file: {assignment.module_name}.py or .ipynb  (skeleton: {assignment.skeleton})")
        for check_id, cfg in assignment.checks.enabled().items():
            lines.append(f"  {cfg.points:>4g}  {check_id:<16} {REGISTRY[cfg.kind].title_for(cfg)}")
        notebook = assignment.notebook
        if notebook is not None and notebook.discussion is not None:
            lines.append(f"  {notebook.discussion.points:>4g}  {notebook.discussion.id:<16} "
                         "discussion, graded by hand in nbgrader's formgrader")
        lines.append(f"  {assignment.max_score:>4g}  total (auto-graded)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
