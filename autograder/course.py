"""A course of several assignments: which assignment a file or a folder of submissions is for, the
assignment folders of a course folder `submissions/<assignment>/<student>...`, and the listing of
the rubric.

Nothing here knows an assignment by name: everything is read from grader.toml. Choosing an
assignment never grades anything: it reads names (of folders, files and zip members) and the
`metadata.autograder.assignment` of notebooks, because a TA runs `autograde submissions/` on a
folder an LMS produced, and a student runs `autograde check "xor (1).py"` on what a browser saved.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path, PurePosixPath

from .archives import unpack
from .catalog import Msg, join, msg
from .checks import REGISTRY
from .config import Config, ConfigError
from .feedback import say
from .source import read_regular
from .student_files import MAX_DEPTH, SUFFIXES, ignored_inside, kind_of, listing as folder_listing

CLEAR_SHARE = 0.75  # of the students whose files name an assignment, this many must name the same one
MAX_LOOKED_AT = 200  # entries looked at per student when choosing: names are enough, and a huge tree must not stall


def _error(config: Config, text: Msg) -> ConfigError:
    """A ConfigError in the languages `[report] language` shows (one line each)."""
    return ConfigError("\n".join(say(text, config.report.language)))


def _notebook_assignment(path: Path) -> str | None:
    """The assignment a generated notebook names in its metadata (`autograder.assignment`)."""
    try:
        notebook = json.loads(read_regular(path).decode("utf-8-sig"))
        return notebook["metadata"]["autograder"]["assignment"]
    except Exception:  # noqa: BLE001 - unreadable, not JSON, nested too deeply, not ours: no assignment named
        return None


def _as_word(module: str, stem: str) -> bool:
    """`module` inside `stem` as a word: not glued to a letter on either side (`xor_blank`, `xor (1)`,
    `김민수_xor`, `XOR` match; `exorcise` does not), nor to a digit where the name itself ends in one."""
    before = "[a-z0-9]" if module[0].isdigit() else "[a-z]"
    after = "[a-z0-9]" if module[-1].isdigit() else "[a-z]"
    return re.search(f"(?<!{before}){re.escape(module)}(?!{after})", stem) is not None


def assignments_named(config: Config, stem: str) -> list[str]:
    """The assignments whose module name a file (or folder) name shows: the one it is exactly, else
    every one it holds as a word. Two or more is no answer: `mnist_bn` and `mnist_batchnorm` are two
    labs, and a guess between them would grade a student on the wrong one."""
    stem = unicodedata.normalize("NFC", stem).casefold()
    modules = {name: assignment.module_name.casefold() for name, assignment in config.assignments.items()}
    exact = [name for name, module in modules.items() if module == stem]
    return exact or [name for name, module in modules.items() if _as_word(module, stem)]


def assignment_for_file(config: Config, path: Path, explicit: str | None) -> tuple[str, Msg]:
    """(assignment, how it was chosen) for one student file, or ConfigError saying how to choose."""
    if explicit is not None:
        return config.assignment(explicit)[0], msg("course.how.asked")
    if len(config.assignments) == 1:
        return next(iter(config.assignments)), msg("course.how.only")
    if path.suffix == ".ipynb":
        named = _notebook_assignment(path)
        if named in config.assignments:
            return named, msg("course.how.notebook")
    by_name = assignments_named(config, path.stem)
    if len(by_name) == 1:
        return by_name[0], msg("course.how.file_name")
    names = ", ".join(config.assignments)
    if by_name:
        raise _error(config, msg("course.file.several", file=path.name, matches=", ".join(by_name), names=names))
    expected = ", ".join(a.module_name + path.suffix for a in config.assignments.values())
    raise _error(config, msg("course.file.none", file=path.name, expected=expected, names=names))


def _file_evidence(config: Config, path: Path) -> tuple[set[str], bool]:
    """The assignments one handed-in file points at, and whether its notebook metadata said so."""
    if path.suffix == ".ipynb":
        named = _notebook_assignment(path)
        if named in config.assignments:
            return {named}, True
    return set(assignments_named(config, path.stem)), False


def _zip_evidence(config: Config, path: Path) -> set[str]:
    """What the names of a zip's .py/.ipynb members point at: its directory only, nothing unpacked
    (`keep` declines every member, within the archive module's caps)."""
    try:
        members = unpack(path, path.parent, lambda member: False).others
    except Exception:  # noqa: BLE001 - a zip the grader will refuse anyway says nothing here
        return set()
    stems = [PurePosixPath(name).stem for name in members if PurePosixPath(name).suffix in SUFFIXES]
    return {found for stem in stems for found in assignments_named(config, stem)}


def _entry_evidence(config: Config, path: Path, levels: int, budget: list[int]) -> tuple[set[str], bool]:
    """What one entry (a file, a zip or a folder, searched `levels` deep) points at; links and
    anything but regular files and folders are never opened."""
    budget[0] -= 1
    kind, _ = kind_of(path)
    if budget[0] < 0 or kind not in ("file", "dir"):
        return set(), False
    if kind == "file":
        if path.suffix in SUFFIXES:
            return _file_evidence(config, path)
        return (_zip_evidence(config, path), False) if path.suffix.casefold() == ".zip" else (set(), False)
    found, metadata = set(assignments_named(config, path.name)), False
    if levels > 0:
        try:
            entries = folder_listing(path)
        except OSError:
            entries = []
        for inner in entries:
            if not ignored_inside(inner.name):
                named, said = _entry_evidence(config, inner, levels - 1, budget)
                found, metadata = found | named, metadata or said
    return found, metadata


def infer_assignment(config: Config, folder: Path) -> tuple[str, Msg]:
    """(assignment, why) for a folder of submissions when grader.toml has several: the folder's own
    name (`course/xor`), else what most students handed in says (file names, zip members, notebook
    metadata), when it says so clearly: at least half of the students, and `CLEAR_SHARE` of those
    whose files name any assignment. Otherwise a ConfigError that lists what was found."""
    by_folder = [name for name in config.assignments if name.casefold() == folder.resolve().name.casefold()]
    by_folder = by_folder or assignments_named(config, folder.resolve().name)
    if len(by_folder) == 1:
        return by_folder[0], msg("course.chosen.folder", folder=folder.resolve().name)
    students: dict[str, list[Path]] = {}  # as submissions.discover groups them: `kim.py` and `kim/` are one
    for path in folder_listing(folder):
        kind, _ = kind_of(path)
        if path.name.startswith((".", "_")) or not (kind == "dir" or path.suffix.casefold() in (*SUFFIXES, ".zip")):
            continue  # README.md, grades.csv: not a student (nor counted as one)
        key = path.name if kind == "dir" else path.stem
        students.setdefault(unicodedata.normalize("NFC", key), []).append(path)
    votes: Counter[str] = Counter()
    metadata = False
    for entries in students.values():
        found, said = set(), False
        for path in entries:
            named, by_notebook = _entry_evidence(config, path, MAX_DEPTH + 1, [MAX_LOOKED_AT])
            found, said = found | named, said or by_notebook
        if len(found) == 1:
            votes[found.pop()] += 1
            metadata = metadata or said
    if votes:
        leader, count = votes.most_common(1)[0]
        if count >= CLEAR_SHARE * sum(votes.values()) and 2 * count >= len(students):
            return leader, msg("course.chosen.files_notebooks" if metadata else "course.chosen.files", count=count,
                               total=len(students))
    counts = [msg("course.count", assignment=name, count=count) for name, count in votes.most_common()]
    silent = len(students) - sum(votes.values())
    if silent or not counts:
        counts.append(msg("course.count.none", count=silent))
    raise _error(config, msg("course.ask", folder=str(folder), counts=join(counts, ", "),
                             names=", ".join(config.assignments)))


def close_names(name: str, known: list[str], most: int = 3) -> list[str]:
    """The names in `known` a mistyped `name` may mean, best first: those it begins or is part of
    (`이서` -> `이서연`, `kim` -> `kim_minsu_1234_assignsubmission_file_`), then the similar ones
    (difflib, as `autograde show` did); both sides NFC and casefolded, since a Mac's terminal types
    Hangul decomposed."""
    def norm(text: str) -> str:
        return unicodedata.normalize("NFC", text).casefold()

    wanted, by_norm = norm(name), {}
    for student in known:
        by_norm.setdefault(norm(student), student)
    inside = sorted((n for n in by_norm if wanted and wanted in n and n != wanted),
                    key=lambda n: (not n.startswith(wanted), len(n), n))
    similar = difflib.get_close_matches(wanted, list(by_norm), n=most, cutoff=0.5)
    return [by_norm[n] for n in dict.fromkeys([*inside, *similar])][:most]


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
