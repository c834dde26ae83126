"""A course of several assignments: which assignment a file is for, the assignment folders of a
course folder `submissions/<assignment>/<student>...`, and the listing of the rubric.

Nothing here knows an assignment by name: everything is read from grader.toml.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .checks import REGISTRY
from .config import Config, ConfigError
from .source import read_regular


def _notebook_assignment(path: Path) -> str | None:
    """The assignment a generated notebook names in its metadata (`autograder.assignment`)."""
    try:
        notebook = json.loads(read_regular(path).decode("utf-8-sig"))
        return notebook["metadata"]["autograder"]["assignment"]
    except Exception:  # noqa: BLE001 - unreadable, not JSON, nested too deeply, not ours: no assignment named
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


Where = tuple[Path, "str | None"]  # a folder to discover submissions in, and the subfolder of each student's


def _nbgrader_students(config: Config, folder: Path) -> list[Path]:
    """The student folders of nbgrader's `submitted/` layout, or [] when `folder` is not one: every
    visible entry a folder, and each holding a folder named after one of the course's assignments
    (so an LMS folder in which one student nested a `mnist_bn/` folder is not taken for one)."""
    with os.scandir(folder) as scanned:
        entries = [entry for entry in scanned if not entry.name.startswith((".", "_"))]
    if not entries or not all(entry.is_dir(follow_symlinks=False) for entry in entries):
        return []
    students = [Path(entry.path) for entry in entries]
    if all(any((student / name).is_dir() for name in config.assignments) for student in students):
        return students
    return []


def course_folders(config: Config, folder: Path) -> dict[str, Where]:
    """Each assignment a course folder holds, and where: `submissions/<assignment>/` (that folder,
    None), or else nbgrader's `submitted/<student>/<assignment>/` (the folder itself, the assignment)."""
    own = {name: (folder / name, None) for name in config.assignments if (folder / name).is_dir()}
    if own:
        return own
    students = _nbgrader_students(config, folder)
    return {name: (folder, name) for name in config.assignments if any((s / name).is_dir() for s in students)}


def assignment_folder(config: Config, folder: Path, name: str) -> Where:
    """Where one assignment's submissions are in `folder`: every entry, unless the folder is
    nbgrader's `submitted/`, where only each student's `<name>/` is."""
    return (folder, name) if _nbgrader_students(config, folder) else (folder, None)


def listing(config: Config) -> str:
    """`autograde list`: every assignment, its files, and its checks with their points."""
    lines = []
    for name, assignment in config.assignments.items():
        lines.append(f"{name}: {assignment.title}{' (bonus: apart from the course total)' if assignment.bonus else ''}")
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
