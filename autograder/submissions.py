"""Finding submissions in a folder as TAs and LMSs deliver them.

A student hands in, at the top of the submissions folder, any of: `<student>.py`,
`<student>.ipynb`, `<student>.zip`, or a folder `<student>/`. Entries with the same name up to the
suffix (`kim.py`, `kim.ipynb`, `kim/`, `kim.zip`, `kim.hwp`) belong to ONE student; the student id
is that name made safe for a folder and a CSV cell (`jung minho` -> `jung_minho`; when two
different names become the same id, the later one gets `-2`, `-3`, ...).

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

What is never opened: any entry that is not a regular file or a folder once symbolic links are
followed (a FIFO, a socket, a device, a broken link); `os.stat` decides, so a FIFO named
`fifo.py` cannot block the batch. At the top level such an entry is a skipped note, not a student;
inside a student's folder it is a note on that student. A student whose entries were all set aside still gets a row
whose problem says why (`kim.hwp is not a .py or .ipynb file (nothing to grade)`). Entries that
are plainly not submissions get no row: hidden names and names starting with `_` are ignored
silently; `Thumbs.db`, `desktop.ini`, `*.csv`, `*.md` and `README*` are listed in the skipped
notes.
"""

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
NOT_SUBMISSIONS = ("thumbs.db", "desktop.ini")
RULE = ("rule: a file named {preferred} first, then the .py over an .ipynb of the same name, "
        "then the one nearest the top")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path | None  # None when the folder could not be resolved to one file
    problem: str = ""  # why there is nothing to grade, as a sentence fragment a TA and a student understand
    label: str = ""  # what was handed in, relative to the submissions folder ("jung minho.py", "kim/hw/mnist_bn.py")
    notes: tuple[str, ...] = ()  # what the TA should know: other files found, which one was graded and why


def _safe_name(name: str) -> str:
    """A student id usable as a folder name and a CSV cell."""
    return re.sub(r"[^\w.@-]+", "_", unicodedata.normalize("NFC", name)).strip("._") or "unnamed"


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "_"))


def _ignored_inside(name: str) -> bool:
    return name.startswith((".", "__"))


def _kind(path: Path) -> tuple[str, str]:
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


def _listing(folder: Path) -> list[Path]:
    with os.scandir(folder) as entries:
        return sorted(Path(entry.path) for entry in entries)


def _names(names: list[str], most: int = 6) -> str:
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
class _Student:
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
        dest = Path(tempfile.mkdtemp(prefix=_safe_name(self.key)[:40] + "-", dir=self.scratch))

        def keep(member: PurePosixPath) -> bool:
            return (member.suffix in SUFFIXES and len(member.parts) - 1 <= MAX_DEPTH
                    and not any(_ignored_inside(part) for part in member.parts))

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
            found = f" (it holds {_names(unpacked.others)})" if unpacked.others else " (it is empty)"
            self.remark(f"{label} holds no .py or .ipynb file{found}")

    def add_folder(self, folder: Path, label: str, depth: int, levels: int) -> None:
        """Search `folder` (shown as `label`, ending in "/") for candidates, `levels` folders deep."""
        before, remarks_before = len(self.candidates), len(self.remarks)
        others: list[str] = []
        deeper: list[str] = []
        self._search(folder, label, depth, levels, others, deeper)
        if len(self.candidates) == before and len(self.remarks) == remarks_before:
            if deeper:
                where = f" within {MAX_DEPTH} folders (deeper: {_names(deeper)})"
            elif others:
                where = f" (it holds {_names(others)})"
            else:
                where = " (it is empty)"
            self.remark(f"the folder {label} holds no .py or .ipynb file{where}")

    def _search(self, folder: Path, label: str, depth: int, levels: int, others: list[str], deeper: list[str]) -> None:
        try:
            listing = _listing(folder)
        except OSError as exc:
            self.remark(f"the folder {label} could not be read: {exc.strerror or exc}")
            return
        for path in listing:
            name = path.name
            if _ignored_inside(name):
                continue
            self.looked_at += 1
            if self.looked_at > MAX_ENTRIES:
                if self.looked_at == MAX_ENTRIES + 1:
                    self.remark(f"stopped looking after {MAX_ENTRIES} entries in {label}")
                return
            here = label + name
            kind, what = _kind(path)
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


def _resolve(student: str, group: _Student, preferred: str) -> Submission:
    label = ", ".join(group.entries)
    if not group.candidates:
        problem = "; ".join(r.problem for r in group.remarks) or f"{label} holds no .py or .ipynb file"
        return Submission(student, None, problem, label)
    chosen, tied, notes = _choose(group.candidates, preferred)
    remarks = [r.note for r in group.remarks]
    if chosen is None:
        named = all(c.stem.casefold() == preferred.casefold() for c in tied)
        files = _names([c.label for c in tied], most=10)
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


def _student_ids(keys: list[str]) -> dict[str, str]:
    """Raw name -> student id; a name that is already safe keeps its id, the others get -2, -3..."""
    taken: set[str] = set()  # casefolded: results/Kim and results/kim are one folder on macOS
    ids: dict[str, str] = {}
    for key in sorted(keys, key=lambda k: (_safe_name(k) != k, k)):
        base = _safe_name(key)
        student, count = base, 1
        while student.casefold() in taken:
            count += 1
            student = f"{base}-{count}"
        taken.add(student.casefold())
        ids[key] = student
    return ids


def discover(folder: Path, preferred: str, scratch: Path) -> tuple[list[Submission], list[str]]:
    """Submissions in `folder`, sorted by student, plus notes on top-level entries that were skipped.

    `preferred` is the assignment's module name (`mnist_bn`). `scratch` is an existing empty folder
    owned by the caller: zips are unpacked under it, and the returned paths may point into it, so
    the caller deletes it only after grading."""
    groups: dict[str, _Student] = {}
    skipped: list[str] = []

    def group(key: str) -> _Student:
        key = unicodedata.normalize("NFC", key)
        return groups.setdefault(key, _Student(key, scratch))

    for path in _listing(folder):
        name = path.name
        if not _visible(path):
            continue
        kind, what = _kind(path)
        stem = path.stem if kind != "dir" else name
        if kind == "other":  # nobody hands in a pipe or a device: a note for the TA, not a student row
            skipped.append(f"{name} ({what}; not opened)")
            continue
        if kind == "file" and (name.casefold() in NOT_SUBMISSIONS or name.casefold().startswith("readme")
                               or path.suffix.casefold() in (".csv", ".md")):
            skipped.append(f"{name} (not a submission)")
            continue
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
            hint = f"; rename it to {stem}{path.suffix.lower()}" if path.suffix.lower() in SUFFIXES else ""
            student.remark(f"{name} is not a .py or .ipynb file (nothing to grade{hint})",
                           f"{name} was not graded (not a .py or .ipynb file{hint})")

    ids = _student_ids(list(groups))
    found = [_resolve(ids[key], student, preferred) for key, student in groups.items()]
    return sorted(found, key=lambda s: s.student), skipped
