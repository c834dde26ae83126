"""Finding submissions in a folder: `<student>.py`, `<student>.ipynb`, or `<student>/` holding one
(directly, or in `<student>/<assignment>/` as in nbgrader's `submitted/` tree)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path | None  # None when the folder could not be resolved to one file
    problem: str = ""  # why there is nothing to grade, as a sentence fragment a TA and a student understand
    label: str = ""  # what was handed in, relative to the submissions folder ("jung minho.py", "kim/hw/mnist_bn.py")
    notes: tuple[str, ...] = ()  # what the TA should know: other files found, which one was graded and why


def _safe_name(name: str) -> str:
    """A student id usable as a folder name and a CSV cell."""
    return re.sub(r"[^\w.@-]+", "_", name).strip("._") or "unnamed"


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "_"))


def _candidates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES and _visible(p))


def _pick(folder: Path, preferred: str) -> Submission:
    files = _candidates(folder)
    if not files and (folder / preferred).is_dir():  # nbgrader's submitted/<student>/<assignment>/
        files = _candidates(folder / preferred)
    student = _safe_name(folder.name)
    if len(files) == 1:
        return Submission(student, files[0])
    named = [p for p in files if p.stem == preferred]
    if len(named) == 1:
        return Submission(student, named[0])
    if not files:
        return Submission(student, None, f"the folder {folder.name}/ holds no .py or .ipynb file")
    return Submission(student, None, f"the folder {folder.name}/ holds {len(files)} candidate files "
                      f"({', '.join(p.name for p in files)}); keep one, or name it {preferred}.py")


def discover(folder: Path, preferred: str, exclude: Path | None = None) -> tuple[list[Submission], list[str]]:
    """Submissions in `folder`, sorted by student, plus notes on entries that were skipped.
    `exclude` is the results folder, when a TA keeps it inside the submissions folder."""
    found: list[Submission] = []
    skipped: list[str] = []
    for entry in sorted(folder.iterdir()):
        if not _visible(entry):
            continue
        if exclude is not None and entry.resolve() == exclude.resolve():
            skipped.append(f"{entry.name}/ (the results folder)")
            continue
        if entry.is_dir():
            found.append(_pick(entry, preferred))
        elif entry.suffix in SUFFIXES:
            found.append(Submission(_safe_name(entry.stem), entry))
        else:
            skipped.append(f"{entry.name} (not a .py or .ipynb file)")
    seen: dict[str, int] = {}
    unique = []
    for submission in found:
        count = seen.get(submission.student, 0)
        seen[submission.student] = count + 1
        if count:
            submission = Submission(f"{submission.student}-{count + 1}", submission.path, submission.problem)
        unique.append(submission)
    return unique, skipped
