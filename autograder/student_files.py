"""What one student handed in: the candidate files found among their files, folders and zips, and
which one is graded (the rules are in `submissions.py`'s docstring, which also says what a
submissions folder may hold). Nothing here opens anything but regular files and folders: `kind`
decides from `os.lstat`, so a FIFO named `fifo.py` cannot block a batch.

A symbolic link is never followed, at any depth: `mallory/xor.py -> ../alice.py` would grade
alice's work as mallory's, and a link to the course's reference would score full marks. Each
folder is checked before it is searched, so no file is reached through a linked folder either; the
student's row says which entry was a link and where it pointed."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import archives
from .catalog import Text, join, msg

SUFFIXES = (".py", ".ipynb")
MAX_DEPTH = 3  # folders below the student's folder or zip that are searched
MAX_ENTRIES = 2000  # entries looked at per student, so a huge tree cannot stall discovery
MAX_ARCHIVES = 5  # zips unpacked per student
MAX_FILE_BYTES = archives.MAX_FILE_BYTES  # a .py/.ipynb larger than this is not graded


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path | None  # None when the folder could not be resolved to one file
    problem: Text = ""  # why there is nothing to grade: a sentence (with its period) a TA and a student understand
    label: str = ""  # what was handed in, relative to the submissions folder ("jung minho.py", "kim/hw/mnist_bn.py")
    notes: tuple[Text, ...] = ()  # what the TA should know: other files found, which one was graded and why


def safe_name(name: str) -> str:
    """A student id usable as a folder name and a CSV cell."""
    return re.sub(r"[^\w.@-]+", "_", unicodedata.normalize("NFC", name)).strip("._") or "unnamed"


def ignored_inside(name: str) -> bool:
    return name.startswith((".", "__"))


def kind_of(path: Path) -> tuple[str, Text]:
    """("file" | "dir" | "link" | "other", what it is), from os.lstat: nothing is opened or followed."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "other", msg("student_files.kind.gone")
    except OSError as exc:
        return "other", msg("student_files.kind.unreadable", reason=exc.strerror or str(exc))
    if stat.S_ISLNK(mode):
        return "link", msg("student_files.kind.link")
    if stat.S_ISREG(mode):
        return "file", msg("student_files.kind.file")
    if stat.S_ISDIR(mode):
        return "dir", msg("student_files.kind.folder")
    if stat.S_ISFIFO(mode):
        return "other", msg("student_files.kind.fifo")
    if stat.S_ISSOCK(mode):
        return "other", msg("student_files.kind.socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "other", msg("student_files.kind.device")
    return "other", msg("student_files.kind.other")


def link_target(path: Path) -> str | None:
    """Where `path` points, as written in the link (shortened), or None when it is not a link."""
    try:
        target = os.readlink(path)
    except OSError:  # EINVAL: not a link
        return None
    return target if len(target) <= 120 else target[:119] + "…"


def listing(folder: Path) -> list[Path]:
    with os.scandir(folder) as entries:
        return sorted(Path(entry.path) for entry in entries)


def names(names: list[str], most: int = 6) -> Text:
    shown = ", ".join(names[:most])
    return msg("student_files.names.more", shown=shown, more=len(names) - most) if len(names) > most else shown


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
    problem: Text  # said when the student has nothing to grade
    note: Text  # said when something else was graded
    always_noted: bool = False  # a note even when it is also the problem: the gradebook's notes show it


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

    def remark(self, problem: Text, note: Text | None = None) -> None:
        self.remarks.append(_Remark(problem, note or problem))

    def refuse_link(self, path: Path, label: str) -> bool:
        """True, with a remark, when `path` is a symbolic link: it is not followed."""
        target = link_target(path)
        if target is not None:
            text = msg("student_files.link", label=label, target=target)
            self.remarks.append(_Remark(text, text, always_noted=True))
        return target is not None

    def add_file(self, path: Path, label: str, depth: int) -> bool:
        """A regular file with a .py/.ipynb suffix: a candidate unless it is too large or a link."""
        if self.refuse_link(path, label):
            return False
        try:
            size = path.stat().st_size
        except OSError as exc:
            self.remark(msg("student_files.unreadable", label=label, reason=exc.strerror or str(exc)))
            return False
        if size > MAX_FILE_BYTES:
            self.remark(msg("student_files.too_big", label=label, size=size / archives.MB,
                            most=MAX_FILE_BYTES / archives.MB))
            return False
        self.candidates.append(_Candidate(path, label, depth))
        return True

    def add_zip(self, path: Path, label: str, depth: int) -> None:
        if self.refuse_link(path, label):
            return
        if self.archives >= MAX_ARCHIVES:
            self.remark(msg("student_files.zip.too_many", label=label, most=MAX_ARCHIVES))
            return
        self.archives += 1
        dest = Path(tempfile.mkdtemp(prefix=safe_name(self.key)[:40] + "-", dir=self.scratch))

        def keep(member: PurePosixPath) -> bool:
            return (member.suffix in SUFFIXES and len(member.parts) - 1 <= MAX_DEPTH
                    and not any(ignored_inside(part) for part in member.parts))

        try:
            unpacked = archives.unpack(path, dest, keep)
        except archives.ArchiveError as exc:
            self.remark(msg("student_files.zip.corrupt" if exc.corrupt else "student_files.zip.refused",
                            label=label, reason=exc.reason))
            return
        for member, why in unpacked.skipped:
            self.remark(msg("student_files.zip.member_skipped", label=label, member=member, why=why))
        before = len(self.candidates)
        for member in unpacked.files:
            self.add_file(dest.joinpath(*member.parts), f"{label}:{member}", depth + 1 + len(member.parts) - 1)
        if len(self.candidates) == before and not unpacked.skipped:
            self.remark(msg("student_files.zip.holds_others", label=label, names=names(unpacked.others))
                        if unpacked.others else msg("student_files.zip.empty", label=label))

    def add_folder(self, folder: Path, label: str, depth: int, levels: int) -> None:
        """Search `folder` (shown as `label`, ending in "/") for candidates, `levels` folders deep;
        the caller has checked that no folder above it, up to the submissions folder, is a link."""
        if self.refuse_link(folder, label.rstrip("/")):
            return
        before, remarks_before = len(self.candidates), len(self.remarks)
        others: list[str] = []
        deeper: list[str] = []
        self._search(folder, label, depth, levels, others, deeper)
        if len(self.candidates) == before and len(self.remarks) == remarks_before:
            if deeper:
                self.remark(msg("student_files.folder.too_deep", label=label, depth=MAX_DEPTH, names=names(deeper)))
            elif others:
                self.remark(msg("student_files.folder.holds_others", label=label, names=names(others)))
            else:
                self.remark(msg("student_files.folder.empty", label=label))

    def _search(self, folder: Path, label: str, depth: int, levels: int, others: list[str], deeper: list[str]) -> None:
        try:
            entries = listing(folder)
        except OSError as exc:
            self.remark(msg("student_files.folder.unreadable", label=label, reason=exc.strerror or str(exc)))
            return
        for path in entries:
            name = path.name
            if ignored_inside(name):
                continue
            self.looked_at += 1
            if self.looked_at > MAX_ENTRIES:
                if self.looked_at == MAX_ENTRIES + 1:
                    self.remark(msg("student_files.stopped_looking", most=MAX_ENTRIES, label=label))
                return
            here = label + name
            kind, what = kind_of(path)
            if kind == "link":
                self.refuse_link(path, here)
            elif kind == "other":
                self.remark(msg("student_files.not_opened", path=here, what=what))
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


def _choose(candidates: list[_Candidate], preferred: str) -> tuple[_Candidate | None, list[_Candidate], list[Text]]:
    """(the graded file or None, the files left when the rule could not choose, notes on the rest)."""
    pool = sorted(candidates, key=lambda c: c.label)
    notes: list[Text] = []

    def set_aside(keep: list[_Candidate], why: Text) -> list[_Candidate]:
        notes.extend(msg("student_files.also_found", label=c.label, why=why) for c in pool if c not in keep)
        return keep

    named = [c for c in pool if c.stem.casefold() == preferred.casefold()]
    if named and len(named) < len(pool):
        pool = set_aside(named, msg("student_files.set_aside.named", preferred=preferred))
    py_stems = {c.stem for c in pool if c.suffix == ".py"}
    paired = [c for c in pool if not (c.suffix == ".ipynb" and c.stem in py_stems)]
    if len(paired) < len(pool):
        pool = set_aside(paired, msg("student_files.set_aside.py_first"))
    top = min(c.depth for c in pool)
    shallow = [c for c in pool if c.depth == top]
    if len(shallow) < len(pool):
        pool = set_aside(shallow, msg("student_files.set_aside.nearer_top"))
    return (pool[0], [], notes) if len(pool) == 1 else (None, pool, notes)


def resolve(student: str, group: Student, preferred: str) -> Submission:
    label = ", ".join(group.entries)
    if not group.candidates:
        problems = [r.problem for r in group.remarks] or [msg("student_files.no_candidate", label=label)]
        return Submission(student, None, msg("student_files.nothing_to_grade", problems=join(problems)), label,
                          tuple(r.note for r in group.remarks if r.always_noted))
    chosen, tied, notes = _choose(group.candidates, preferred)
    remarks = [r.note for r in group.remarks]
    if chosen is None:
        named = all(c.stem.casefold() == preferred.casefold() for c in tied)
        files = names([c.label for c in tied], most=10)
        problem = msg("student_files.tied.named" if named else "student_files.tied.unnamed",
                      count=len(tied), preferred=preferred, files=files)
        return Submission(student, None, problem, label, tuple(notes + remarks))
    if len(group.candidates) > 1:
        notes.insert(0, msg("student_files.graded", label=chosen.label, preferred=preferred))
    return Submission(student, chosen.path, "", chosen.label, tuple(notes + remarks))
