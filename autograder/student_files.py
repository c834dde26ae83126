"""What one student handed in: the candidate files found among their files, folders and zips, and
which one is graded (the rules are in `submissions.py`'s docstring, which also says what a
submissions folder may hold). Nothing here opens anything but regular files and folders: `kind`
decides from `os.stat`, so a FIFO named `fifo.py` cannot block a batch."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import archives

SUFFIXES = (".py", ".ipynb")
MAX_DEPTH = 3  # folders below the student's folder or zip that are searched
MAX_ENTRIES = 2000  # entries looked at per student, so a huge tree cannot stall discovery
MAX_ARCHIVES = 5  # zips unpacked per student
MAX_FILE_BYTES = archives.MAX_FILE_BYTES  # a .py/.ipynb larger than this is not graded
RULE = ("rule: a file named {preferred} first, then the .py over an .ipynb of the same name, "
        "then the one nearest the top")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path | None  # None when the folder could not be resolved to one file
    problem: str = ""  # why there is nothing to grade, as a sentence fragment a TA and a student understand
    label: str = ""  # what was handed in, relative to the submissions folder ("jung minho.py", "kim/hw/mnist_bn.py")
    notes: tuple[str, ...] = ()  # what the TA should know: other files found, which one was graded and why


def safe_name(name: str) -> str:
    """A student id usable as a folder name and a CSV cell."""
    return re.sub(r"[^\w.@-]+", "_", unicodedata.normalize("NFC", name)).strip("._") or "unnamed"


def ignored_inside(name: str) -> bool:
    return name.startswith((".", "__"))


def kind_of(path: Path) -> tuple[str, str]:
    """("file" | "dir" | "other", what it is), from os.stat: nothing is opened."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "other", "a broken symbolic link" if os.path.islink(path) else "gone"
    except OSError as exc:
        return "other", f"unreadable ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return "file", "a file"
    if stat.S_ISDIR(mode):
        return "dir", "a folder"
    if stat.S_ISFIFO(mode):
        return "other", "a FIFO, not a regular file or folder"
    if stat.S_ISSOCK(mode):
        return "other", "a socket, not a regular file or folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "other", "a device, not a regular file or folder"
    return "other", "not a regular file or folder"


def listing(folder: Path) -> list[Path]:
    with os.scandir(folder) as entries:
        return sorted(Path(entry.path) for entry in entries)


def names(names: list[str], most: int = 6) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


@dataclass
class _Candidate:
    path: Path
    label: str
    depth: int  # folders (and zips) between the submissions folder and the file

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def suffix(self) -> str:
        return self.path.suffix


@dataclass
class _Remark:
    problem: str  # said when the student has nothing to grade
    note: str  # said when something else was graded


@dataclass
class Student:
    """Everything one raw name at the top of the submissions folder led to."""
    key: str
    scratch: Path
    entries: list[str] = field(default_factory=list)
    candidates: list[_Candidate] = field(default_factory=list)
    remarks: list[_Remark] = field(default_factory=list)
    looked_at: int = 0
    archives: int = 0

    def remark(self, problem: str, note: str | None = None) -> None:
        self.remarks.append(_Remark(problem, note or problem))

    def add_file(self, path: Path, label: str, depth: int) -> bool:
        """A regular file with a .py/.ipynb suffix: a candidate unless it is too large."""
        try:
            size = path.stat().st_size
        except OSError as exc:
            self.remark(f"{label} could not be read: {exc.strerror or exc}")
            return False
        if size > MAX_FILE_BYTES:
            self.remark(f"{label} is {size / archives.MB:.1f} MB, more than the "
                        f"{MAX_FILE_BYTES / archives.MB:g} MB a submission may have")
            return False
        self.candidates.append(_Candidate(path, label, depth))
        return True

    def add_zip(self, path: Path, label: str, depth: int) -> None:
        if self.archives >= MAX_ARCHIVES:
            self.remark(f"{label} was not unpacked (at most {MAX_ARCHIVES} zip files per student)")
            return
        self.archives += 1
        dest = Path(tempfile.mkdtemp(prefix=safe_name(self.key)[:40] + "-", dir=self.scratch))

        def keep(member: PurePosixPath) -> bool:
            return (member.suffix in SUFFIXES and len(member.parts) - 1 <= MAX_DEPTH
                    and not any(ignored_inside(part) for part in member.parts))

        try:
            unpacked = archives.unpack(path, dest, keep)
        except archives.ArchiveError as exc:
            verb = "could not be opened" if exc.corrupt else "was not unpacked"
            self.remark(f"{label} {verb}: {exc.reason}")
            return
        for member, why in unpacked.skipped:
            self.remark(f"{label}:{member} was not unpacked ({why})")
        before = len(self.candidates)
        for member in unpacked.files:
            self.add_file(dest.joinpath(*member.parts), f"{label}:{member}", depth + 1 + len(member.parts) - 1)
        if len(self.candidates) == before and not unpacked.skipped:
            found = f" (it holds {names(unpacked.others)})" if unpacked.others else " (it is empty)"
            self.remark(f"{label} holds no .py or .ipynb file{found}")

    def add_folder(self, folder: Path, label: str, depth: int, levels: int) -> None:
        """Search `folder` (shown as `label`, ending in "/") for candidates, `levels` folders deep."""
        before, remarks_before = len(self.candidates), len(self.remarks)
        others: list[str] = []
        deeper: list[str] = []
        self._search(folder, label, depth, levels, others, deeper)
        if len(self.candidates) == before and len(self.remarks) == remarks_before:
            if deeper:
                where = f" within {MAX_DEPTH} folders (deeper: {names(deeper)})"
            elif others:
                where = f" (it holds {names(others)})"
            else:
                where = " (it is empty)"
            self.remark(f"the folder {label} holds no .py or .ipynb file{where}")

    def _search(self, folder: Path, label: str, depth: int, levels: int, others: list[str], deeper: list[str]) -> None:
        try:
            entries = listing(folder)
        except OSError as exc:
            self.remark(f"the folder {label} could not be read: {exc.strerror or exc}")
            return
        for path in entries:
            name = path.name
            if ignored_inside(name):
                continue
            self.looked_at += 1
            if self.looked_at > MAX_ENTRIES:
                if self.looked_at == MAX_ENTRIES + 1:
                    self.remark(f"stopped looking after {MAX_ENTRIES} entries in {label}")
                return
            here = label + name
            kind, what = kind_of(path)
            if kind == "other":
                self.remark(f"{here} is {what} (not opened)")
            elif kind == "dir":
                if levels > 0:
                    self._search(path, here + "/", depth + 1, levels - 1, others, deeper)
                else:
                    deeper.append(here + "/")
            elif path.suffix in SUFFIXES:
                self.add_file(path, here, depth)
            elif path.suffix.lower() == ".zip":
                self.add_zip(path, here, depth)
            else:
                others.append(here)


def _choose(candidates: list[_Candidate], preferred: str) -> tuple[_Candidate | None, list[_Candidate], list[str]]:
    """(the graded file or None, the files left when the rule could not choose, notes on the rest)."""
    pool = sorted(candidates, key=lambda c: c.label)
    notes: list[str] = []

    def set_aside(keep: list[_Candidate], why: str) -> list[_Candidate]:
        notes.extend(f"also found {c.label} (not graded: {why})" for c in pool if c not in keep)
        return keep

    named = [c for c in pool if c.stem.casefold() == preferred.casefold()]
    if named and len(named) < len(pool):
        pool = set_aside(named, f"a file named {preferred} is graded first")
    py_stems = {c.stem for c in pool if c.suffix == ".py"}
    paired = [c for c in pool if not (c.suffix == ".ipynb" and c.stem in py_stems)]
    if len(paired) < len(pool):
        pool = set_aside(paired, "when both exist, the .py is graded")
    top = min(c.depth for c in pool)
    shallow = [c for c in pool if c.depth == top]
    if len(shallow) < len(pool):
        pool = set_aside(shallow, "a file nearer the top is graded")
    return (pool[0], [], notes) if len(pool) == 1 else (None, pool, notes)


def resolve(student: str, group: Student, preferred: str) -> Submission:
    label = ", ".join(group.entries)
    if not group.candidates:
        problem = "; ".join(r.problem for r in group.remarks) or f"{label} holds no .py or .ipynb file"
        return Submission(student, None, problem, label)
    chosen, tied, notes = _choose(group.candidates, preferred)
    remarks = [r.note for r in group.remarks]
    if chosen is None:
        named = all(c.stem.casefold() == preferred.casefold() for c in tied)
        files = names([c.label for c in tied], most=10)
        if named:
            problem = (f"found {len(tied)} files named {preferred} at the same depth ({files}); "
                       f"hand in only one")
        else:
            problem = (f"found {len(tied)} candidate files ({files}) and none is named {preferred}; "
                       f"keep one, or name it {preferred}.py")
        return Submission(student, None, problem, label, tuple(notes + remarks))
    if len(group.candidates) > 1:
        notes.insert(0, f"graded {chosen.label} ({RULE.format(preferred=preferred)})")
    return Submission(student, chosen.path, "", chosen.label, tuple(notes + remarks))
