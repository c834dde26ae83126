"""Finding submissions in a folder as TAs and LMSs deliver them.

A student hands in, at the top of the submissions folder, any of: `<student>.py`,
`<student>.ipynb`, `<student>.zip`, or a folder `<student>/`. Entries with the same name up to the
suffix (`kim.py`, `kim.ipynb`, `kim/`, `kim.zip`, `kim.hwp`) belong to ONE student; the student id
is that name made safe for a folder and a CSV cell (`jung minho` -> `jung_minho`; when two
different names become the same id, the later one gets `-2`, `-3`, ...).

In a course folder (`course.py`), nbgrader's `submitted/<student>/<assignment>/` is searched per
assignment: only each student's `<assignment>/` folder, so one assignment's notebook is never
graded as another's.

Inside a folder or a zip the solution may sit deeper (`kim/hw/mnist_bn.py`, nbgrader's
`submitted/<student>/<assignment>/<assignment>.ipynb`): files up to three folders below the
student's folder or zip are candidates (a zip inside a student's folder counts as one more
folder). Hidden entries and names starting with `__` (`__MACOSX`, `__pycache__`,
`.ipynb_checkpoints`) are ignored there. A zip is unpacked into the caller's scratch folder by
`archives.unpack` (only `.py`/`.ipynb` members, caps on count and size; see there).

Which candidate is graded, when there are several (the rule is also written into the notes):

1. a file named after the assignment's module (`mnist_bn.py`, `mnist_bn.ipynb`, any case) beats
   every other name;
2. of a `.py` and an `.ipynb` with the same name, the `.py` is graded;
3. of the rest, the one nearest the top of the submissions folder (fewest folders; a zip counts
   as a folder) is graded.

If that leaves more than one file, nothing is graded and the row's problem names the files. Every
candidate that was not graded is named in a note, with the step of the rule that set it aside.

What is never opened: any entry that is not a regular file or a folder (a FIFO, a socket, a
device); `os.lstat` decides, so a FIFO named `fifo.py` cannot block the batch. At the top level
such an entry is a skipped note, not a student; inside a student's folder it is a note on that
student. A symbolic link is never followed, at any depth, wherever it points (`mallory.py ->
alice.py` would grade alice's work as mallory's): the student named by it gets a row whose
problem, or note, names the link and its target. A student whose entries were all set aside still gets a row
whose problem says why (`kim.hwp is not a .py or .ipynb file (nothing to grade)`). Entries that
are plainly not submissions get no row: hidden names and names starting with `_` are ignored
silently; `Thumbs.db`, `desktop.ini`, `*.csv`, `*.md` and `README*` are listed in the skipped
notes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

from .catalog import msg
from .student_files import (MAX_DEPTH, SUFFIXES, Student, Submission, kind_of, listing, resolve,
                            safe_name)

__all__ = ["Submission", "discover"]

NOT_SUBMISSIONS = ("thumbs.db", "desktop.ini")


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "_"))


def _student_ids(keys: list[str]) -> dict[str, str]:
    """Raw name -> student id; a name that is already safe keeps its id, the others get -2, -3..."""
    taken: set[str] = set()  # casefolded: results/Kim and results/kim are one folder on macOS
    ids: dict[str, str] = {}
    for key in sorted(keys, key=lambda k: (safe_name(k) != k, k)):
        base = safe_name(key)
        student, count = base, 1
        while student.casefold() in taken:
            count += 1
            student = f"{base}-{count}"
        taken.add(student.casefold())
        ids[key] = student
    return ids


def discover(folder: Path, preferred: str, scratch: Path, within: str | None = None) -> tuple[list[Submission], list[str]]:
    """Submissions in `folder`, sorted by student, plus notes on top-level entries that were skipped.

    `preferred` is the assignment's module name (`mnist_bn`). `scratch` is an existing empty folder
    owned by the caller: zips are unpacked under it, and the returned paths may point into it, so
    the caller deletes it only after grading. `within` (nbgrader's `submitted/<student>/<assignment>/`
    of a course with several assignments): only that subfolder of each student's folder is searched,
    and a student without it has no row, having handed in other assignments only."""
    groups: dict[str, Student] = {}
    skipped: list[str] = []

    def group(key: str) -> Student:
        key = unicodedata.normalize("NFC", key)
        return groups.setdefault(key, Student(key, scratch))

    for path in listing(folder):
        if not _visible(path):
            continue
        try:
            _add_entry(path, group, skipped, within)
        except Exception as exc:  # noqa: BLE001 - one entry the grader cannot read is that student's row only
            key = path.stem if path.suffix else path.name
            problem = msg("submissions.unreadable_entry", name=path.name, exception=type(exc).__name__,
                          detail=str(exc)[:200])
            group(key).remark(problem)

    ids = _student_ids(list(groups))
    found = [_resolve_safely(ids[key], student, preferred) for key, student in groups.items()]
    return sorted(found, key=lambda s: s.student), skipped


def _resolve_safely(student_id: str, student: Student, preferred: str) -> Submission:
    """`resolve`, or, should it fail on what this student handed in, a row that says so."""
    try:
        return resolve(student_id, student, preferred)
    except Exception as exc:  # noqa: BLE001
        problem = msg("submissions.unreadable_entry", name=", ".join(student.entries) or student.key,
                      exception=type(exc).__name__, detail=str(exc)[:200])
        return Submission(student_id, None, problem, ", ".join(student.entries))


def _add_entry(path: Path, group: Callable[[str], Student], skipped: list[str], within: str | None) -> None:
    """What one top-level entry of the submissions folder adds: to a student, or to the skipped notes."""
    name = path.name
    kind, what = kind_of(path)
    stem = path.stem if kind != "dir" else name
    if kind == "link":  # never followed, to a file or a folder: that student's row says where it points
        group(stem).entries.append(name)
        group(stem).refuse_link(path, name)
        return
    if kind == "other":  # nobody hands in a pipe or a device: a note for the TA, not a student row
        skipped.append(f"{name} ({what}; not opened)")
        return
    if kind == "file" and (name.casefold() in NOT_SUBMISSIONS or name.casefold().startswith("readme")
                           or path.suffix.casefold() in (".csv", ".md")):
        skipped.append(f"{name} (not a submission)")
        return
    if within is not None:
        if kind == "dir" and kind_of(path / within)[0] in ("dir", "link"):  # add_folder refuses a link
            label = f"{name}/{within}/"
            group(name).entries.append(label)
            group(name).add_folder(path / within, label, 2, MAX_DEPTH)
        return
    student = group(stem)
    if kind == "dir":
        student.entries.append(name + "/")
        student.add_folder(path, name + "/", 1, MAX_DEPTH)
    elif path.suffix in SUFFIXES:
        student.entries.append(name)
        student.add_file(path, name, 0)
    elif path.suffix.casefold() == ".zip":
        student.entries.append(name)
        student.add_zip(path, name, 0)
    else:
        student.entries.append(name)
        if path.suffix.lower() in SUFFIXES:  # `kim.PY`: the suffix is right but for its case
            rename = stem + path.suffix.lower()
            student.remark(msg("submissions.not_py_or_ipynb.rename", name=name, rename=rename),
                           msg("submissions.not_graded.rename", name=name, rename=rename))
        else:
            student.remark(msg("submissions.not_py_or_ipynb", name=name), msg("submissions.not_graded", name=name))

