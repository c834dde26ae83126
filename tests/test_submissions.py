"""Discovery of submissions as TAs and LMSs deliver them, and the gradebook that maps ids back to
files. Only `discover` and `gradebook_csv` are called: no sandbox, no MNIST, well under a second."""

from __future__ import annotations

import csv
import dataclasses
import inspect
import re
import io
import os
import socket
import stat
import struct
import threading
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from autograder import archives, submissions
from autograder.catalog import Joined, Msg, render
from autograder.report import gradebook_csv
from autograder.results import CheckResult, SubmissionResult
from autograder.submissions import discover

MODULE = "mnist_bn"


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "submissions").mkdir()
    (tmp_path / "scratch").mkdir()
    return tmp_path / "submissions"


def english(submission: submissions.Submission) -> submissions.Submission:
    """The submission with its problem and notes rendered in English (they are catalog messages)."""
    assert all(isinstance(text, (Msg, Joined)) for text in (*submission.notes, *([submission.problem] * bool(submission.problem))))
    return dataclasses.replace(submission, problem=render(submission.problem, "en"),
                               notes=tuple(render(note, "en") for note in submission.notes))


def run(folder: Path, raw: bool = False):
    found, skipped = discover(folder, MODULE, scratch=folder.parent / "scratch")
    return {s.student: s if raw else english(s) for s in found}, skipped


def write(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# 1. The signature: no `exclude`, a caller-owned scratch folder.

def test_discover_takes_a_scratch_folder_and_no_exclude(folder):
    parameters = inspect.signature(discover).parameters
    assert list(parameters) == ["folder", "preferred", "scratch", "within"] and "exclude" not in parameters
    write(folder / "alice.py")
    found, skipped = discover(folder, MODULE, folder.parent / "scratch")
    assert [s.student for s in found] == ["alice"] and skipped == []
    assert list((folder.parent / "scratch").iterdir()) == []  # nothing unpacked, nothing left behind


# 2. Entries that are not regular files or folders are never opened.

def test_a_fifo_named_like_a_submission_is_skipped_without_opening_it(folder):
    fifo = folder / "fifo.py"
    os.mkfifo(fifo)
    os.mkfifo(write(folder / "kim" / "mnist_bn.py").parent / "pipe.py")

    def unblock() -> None:  # only matters if discover ever opens the FIFO: then the test fails, not hangs
        for path in (fifo, folder / "kim" / "pipe.py"):
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass  # no reader: discover did not open it, as it should

    valve = threading.Timer(5, unblock)
    valve.daemon = True
    valve.start()
    started = time.monotonic()
    try:
        by, skipped = run(folder)
    finally:
        valve.cancel()
    assert time.monotonic() - started < 4
    assert "fifo" not in by  # skipped with a note, not a student
    assert any(note.startswith("fifo.py (a FIFO") and "not opened" in note for note in skipped)
    assert by["kim"].path == folder / "kim" / "mnist_bn.py"
    assert any("kim/pipe.py is a FIFO" in note for note in by["kim"].notes)


def test_sockets_are_skipped_without_opening_them(folder, monkeypatch):
    monkeypatch.chdir(folder)  # a short relative path: AF_UNIX names are limited to ~100 bytes
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("sock.py")
        assert stat.S_ISSOCK(os.stat(folder / "sock.py").st_mode)
        by, skipped = run(folder)
    finally:
        server.close()
    assert "sock" not in by  # a note for the TA, not a student row
    assert skipped == ["sock.py (a socket, not a regular file or folder; not opened)"]


def _link_rule(label: str, target: str) -> str:
    return f"{label} is a symbolic link (to {target}): the grader does not follow links; hand in the file itself"


def test_no_symbolic_link_is_ever_followed_at_any_depth(folder, tmp_path):
    """mallory/xor.py -> ../alice.py once graded alice's work as mallory's, and a link to the
    reference scored 100: every kind of link, wherever it points, is refused and named."""
    reference = write(tmp_path / "course" / "reference" / "mnist_bn.py", "# the reference\n")
    write(folder / "alice.py", "# alice's work\n")
    (folder / "mallory").mkdir()
    (folder / "mallory" / "xor.py").symlink_to("../alice.py")  # relative, with ..
    (folder / "carol.py").symlink_to(reference)  # top level, absolute target
    (folder / "dan.py").symlink_to(folder / "nowhere.py")  # broken
    (folder / "frank").symlink_to(reference.parent)  # a student folder that is a link
    (folder / "eve").mkdir()
    (folder / "eve" / "hw").symlink_to(reference.parent)  # a linked folder between the student's and the file
    write(folder / "bob" / "hw" / "mnist_bn.py", "# bob's own\n")
    (folder / "bob" / "hw" / "ref.py").symlink_to(reference)  # beside a real file: graded, with a note
    (folder / "zed.zip").symlink_to(make_zip(tmp_path / "good.zip", {"mnist_bn.py": "x = 1\n"}))
    os.mkfifo(tmp_path / "pipe")
    (folder / "gus.py").symlink_to(tmp_path / "pipe")  # opening it would block
    by, skipped = run(folder)
    assert skipped == []
    assert by["mallory"].path is None and by["mallory"].problem == _link_rule("mallory/xor.py", "../alice.py") + "."
    assert by["mallory"].notes == (_link_rule("mallory/xor.py", "../alice.py"),)  # the gradebook's notes say it too
    assert by["carol"].problem == _link_rule("carol.py", str(reference)) + "."
    assert by["dan"].problem == _link_rule("dan.py", str(folder / "nowhere.py")) + "."
    assert by["frank"].problem == _link_rule("frank", str(reference.parent)) + "."
    assert by["eve"].problem == _link_rule("eve/hw", str(reference.parent)) + "."
    assert by["zed"].problem.startswith("zed.zip is a symbolic link")
    assert by["gus"].problem.startswith("gus.py is a symbolic link")
    assert by["bob"].path == folder / "bob" / "hw" / "mnist_bn.py"
    assert _link_rule("bob/hw/ref.py", str(reference)) in by["bob"].notes
    assert by["alice"].path == folder / "alice.py"
    for found in by.values():  # nothing graded is reached through a link: every path is its own real path
        assert found.path is None or os.path.realpath(found.path) == str(found.path)
    assert list((folder.parent / "scratch").iterdir()) == []  # the linked zip was not unpacked


def test_an_nbgrader_assignment_folder_that_is_a_link_is_refused(folder, tmp_path):
    write(tmp_path / "alice" / MODULE / f"{MODULE}.ipynb", "{}")
    (folder / "mallory").mkdir()
    (folder / "mallory" / MODULE).symlink_to(tmp_path / "alice" / MODULE)
    (folder / "trudy").symlink_to(tmp_path / "alice")
    found, _ = discover(folder, MODULE, scratch=folder.parent / "scratch", within=MODULE)
    by = {s.student: english(s) for s in found}
    assert by["mallory"].path is None and by["mallory"].problem.startswith(f"mallory/{MODULE} is a symbolic link")
    assert by["trudy"].path is None and by["trudy"].problem.startswith("trudy is a symbolic link")


# 3. A .zip per student, unpacked safely into the scratch folder.

def test_a_zip_is_a_student_folder_unpacked_into_scratch(folder):
    make_zip(folder / "kim.zip", {"hw/mnist_bn.py": "print('kim')\n", "hw/report.pdf": b"%PDF",
                                   "__MACOSX/hw/._mnist_bn.py": b"\0\5", "hw/.ipynb_checkpoints/x.ipynb": "{}"})
    by, skipped = run(folder)
    kim = by["kim"]
    assert kim.label == "kim.zip:hw/mnist_bn.py" and kim.problem == "" and skipped == []
    assert kim.path.read_text() == "print('kim')\n"
    scratch = folder.parent / "scratch"
    assert kim.path.is_relative_to(scratch)
    unpacked = sorted(p.relative_to(scratch).as_posix() for p in scratch.rglob("*") if p.is_file())
    assert len(unpacked) == 1 and unpacked[0].endswith("/hw/mnist_bn.py")  # only .py/.ipynb, no __MACOSX


def test_a_zip_never_writes_outside_its_folder(folder):
    evil = zipfile.ZipInfo("hw/link.py")
    evil.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(folder / "kim.zip", "w") as zf:
        zf.writestr("../evil.py", "boom")
        zf.writestr("/abs.py", "boom")
        zf.writestr("C:/windows.py", "boom")
        zf.writestr(evil, "/etc/passwd")
        zf.writestr("mnist_bn.py", "ok = 1\n")
    make_zip(folder / "lee.zip", {"../../evil.py": "boom"})
    by, _ = run(folder)
    assert by["kim"].label == "kim.zip:mnist_bn.py" and by["kim"].path.read_text() == "ok = 1\n"
    assert "kim.zip:../evil.py was not unpacked (a path outside the zip)" in by["kim"].notes
    assert "kim.zip:/abs.py was not unpacked (an absolute path)" in by["kim"].notes
    assert "kim.zip:C:/windows.py was not unpacked (an absolute path)" in by["kim"].notes
    assert "kim.zip:hw/link.py was not unpacked (a symbolic link)" in by["kim"].notes
    assert by["lee"].path is None and by["lee"].problem == "lee.zip:../../evil.py was not unpacked (a path outside the zip)."
    # Anywhere under the session's temporary root, outside what other tests put there (a venv's own
    # `link.py`, tests/test_student_install.py).
    root = folder.parent.parent
    written = [path for name in ("evil.py", "abs.py", "link.py") for path in root.rglob(name)
               if "site-packages" not in path.parts]
    assert written == []


def test_a_zip_bomb_member_breaks_the_cap_and_the_student_gets_a_row(folder):
    with zipfile.ZipFile(folder / "kim.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mnist_bn.py", b"#" * (archives.MAX_FILE_BYTES + 1))  # ~20 KB compressed
    assert (folder / "kim.zip").stat().st_size < 200_000
    by, _ = run(folder)
    assert by["kim"].path is None and by["kim"].label == "kim.zip"
    assert by["kim"].problem.startswith("kim.zip was not unpacked: mnist_bn.py would unpack to 20.0 MB, more than")
    assert not [p for p in (folder.parent / "scratch").rglob("*") if p.is_file()]


def test_zip_caps_on_count_and_total_size(folder, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 5)
    make_zip(folder / "many.zip", {f"f{i}.txt": "" for i in range(6)})
    monkeypatch.setattr(archives, "MAX_FILES", 2)
    make_zip(folder / "files.zip", {f"f{i}.py": "" for i in range(3)})
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 1000)
    make_zip(folder / "big.zip", {"a.py": "#" * 600, "mnist_bn.py": "#" * 600})
    by, _ = run(folder)
    assert by["many"].problem == "many.zip was not unpacked: it has 6 entries, more than the 5 allowed."
    assert by["files"].problem == "files.zip was not unpacked: it holds 3 files to unpack, more than the 2 allowed."
    assert by["big"].problem.startswith("big.zip was not unpacked: its files would unpack to")


def test_a_corrupt_zip_says_why(folder):
    (folder / "kim.zip").write_bytes(b"PK\3\4 this is not really a zip")
    good = make_zip(folder.parent / "good.zip", {"mnist_bn.py": "x = 1\n" * 100}).read_bytes()
    (folder / "lee.zip").write_bytes(good[: len(good) // 2])  # truncated download
    by, _ = run(folder)
    assert by["kim"].path is None and by["kim"].problem.startswith("kim.zip could not be opened: ")
    assert by["lee"].path is None and by["lee"].problem.startswith("lee.zip could not be opened: ")


def _end_records(tmp_path: Path, *, entries: int | None = None, size: int | None = None,
                 entries64: int | None = None, size64: int | None = None, locator_at: int | None = None) -> bytes:
    """A real one-member zip whose end records are rewritten: the classic record's entry count and
    directory size, and, when `entries64` is given, a Zip64 record and locator before it."""
    raw = make_zip(tmp_path / "base.zip", {"mnist_bn.py": "x = 1\n"}).read_bytes()
    _, _, _, real, _, directory, offset, _ = struct.unpack("<4s4H2LH", raw[-22:])
    body = raw[:-22]
    if entries64 is not None:
        body += struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries64, entries64,
                            directory if size64 is None else size64, offset)
        body += struct.pack("<4sLQL", b"PK\x06\x07", 0, len(body) - 56 if locator_at is None else locator_at, 1)
    count = real if entries is None else entries
    return body + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, directory if size is None else size,
                              offset, 0)


@pytest.mark.parametrize("records, says", [
    ({"entries": 1, "entries64": 2_000_000}, "it has 2000000 entries, more than the 1000 allowed"),
    ({"entries": 0xFFFF, "size": 0xFFFFFFFF, "entries64": 1, "size64": 2 ** 40},
     "its directory takes 1048576.0 MB, more than the 1.0 MB allowed"),
    ({"entries": 0xFFFF, "entries64": 1, "size64": 5000}, "its directory is declared to take 5000 bytes, more than the"),
    ({"entries": 1, "size": 0xFFFFFFFF}, "its directory takes 4096.0 MB"),  # no Zip64: taken literally
    ({"entries": 1, "entries64": 3}, "its end records contradict each other (entries: 1, 3;"),
    ({"entries": 0}, "its directory is declared to take 57 bytes for 0 entries, which cannot be"),
    ({"entries": 0xFFFF, "entries64": 1, "locator_at": 0}, "its Zip64 locator points at byte 0, where its Zip64 end"),
])
def test_a_zip_whose_end_records_lie_is_refused_before_zipfile_reads_its_directory(folder, tmp_path, monkeypatch,
                                                                                     records, says):
    """A Zip64 record declaring 2 million entries behind a classic record saying 1 made zipfile parse
    them all in ZipFile() (about 1 GB): the end records are read with bounded reads and checked
    first, so zipfile never sees such an archive."""
    (folder / "kim.zip").write_bytes(_end_records(tmp_path, **records))

    def never(*args, **kwargs):
        raise AssertionError("zipfile.ZipFile must not be constructed for this archive")

    monkeypatch.setattr(archives.zipfile, "ZipFile", never)
    started = time.monotonic()
    by, _ = run(folder)
    assert time.monotonic() - started < 1
    assert by["kim"].path is None and by["kim"].problem.startswith(f"kim.zip was not unpacked: {says}")


def test_a_zip64_archive_whose_records_agree_is_unpacked(folder, tmp_path):
    """Zip64 end records are legal: the classic record's "see Zip64" values (0xFFFF, 0xFFFFFFFF) with
    a Zip64 record that agrees with the archive."""
    (folder / "kim.zip").write_bytes(_end_records(tmp_path, entries=0xFFFF, size=0xFFFFFFFF, entries64=1))
    by, _ = run(folder)
    assert by["kim"].problem == "" and by["kim"].path.read_text() == "x = 1\n"


def test_korean_member_names_from_windows_zips_are_decoded(folder):
    cp949 = "김민수".encode("cp949")  # 6 bytes; Windows Explorer writes them without the UTF-8 flag
    data = make_zip(folder.parent / "plain.zip", {"XXXXXX/mnist_bn.py": "x = 1\n"}).read_bytes()
    (folder / "kim.zip").write_bytes(data.replace(b"XXXXXX", cp949))
    by, _ = run(folder)
    assert by["kim"].label == "kim.zip:김민수/mnist_bn.py" and by["kim"].path.read_text() == "x = 1\n"


# 4. The solution may sit deeper in a folder; nbgrader's tree keeps working.

def test_solutions_one_or_more_levels_deep(folder):
    write(folder / "kim" / "hw" / "mnist_bn.py")
    write(folder / "kim" / "__MACOSX" / "hw" / "._mnist_bn.py")
    write(folder / "kim" / "hw" / "__pycache__" / "mnist_bn.cpython-311.py")
    write(folder / "kim" / "hw" / ".ipynb_checkpoints" / "mnist_bn-checkpoint.ipynb", "{}")
    write(folder / "erin" / MODULE / f"{MODULE}.ipynb", "{}")  # nbgrader's submitted/<student>/<assignment>/
    write(folder / "erin" / MODULE / "timestamp.txt", "2026-11-23 10:00:00 UTC")
    write(folder / "deep" / "a" / "b" / "c" / "mnist_bn.py")  # three folders below: still found
    write(folder / "deeper" / "a" / "b" / "c" / "d" / "mnist_bn.py")
    write(folder / "empty" / "report.pdf")
    by, _ = run(folder)
    assert by["kim"].path == folder / "kim" / "hw" / "mnist_bn.py" and by["kim"].notes == ()
    assert by["kim"].label == "kim/hw/mnist_bn.py"
    assert by["erin"].path == folder / "erin" / MODULE / f"{MODULE}.ipynb"
    assert by["deep"].label == "deep/a/b/c/mnist_bn.py"
    assert by["deeper"].path is None and "within 3 folders" in by["deeper"].problem
    assert by["empty"].problem == "the folder empty/ holds no .py or .ipynb file (it holds empty/report.pdf)."


# 5. Choosing one file by the stated rule, naming every file not graded.

def test_the_rule_for_choosing_one_file(folder):
    write(folder / "dave" / "helpers.py")
    write(folder / "dave" / "hw" / "mnist_bn.py")  # named after the assignment beats shallower
    write(folder / "eve" / "mnist_bn.ipynb", "{}")
    write(folder / "eve" / "mnist_bn.py")  # .py over .ipynb of the same name
    write(folder / "finn" / "main.py")
    write(folder / "finn" / "lib" / "util.py")  # the shallowest
    write(folder / "carol" / "a.py")
    write(folder / "carol" / "b.py")  # no rule decides
    write(folder / "gus" / "a" / "mnist_bn.py")
    write(folder / "gus" / "b" / "mnist_bn.py")
    by, _ = run(folder)
    rule = "rule: a file named mnist_bn first, then the .py over an .ipynb of the same name, then the one nearest the top"
    assert by["dave"].label == "dave/hw/mnist_bn.py"
    assert by["dave"].notes == (f"graded dave/hw/mnist_bn.py ({rule})",
                                "also found dave/helpers.py (not graded: a file named mnist_bn is graded first)")
    assert by["eve"].label == "eve/mnist_bn.py"
    assert "also found eve/mnist_bn.ipynb (not graded: when both exist, the .py is graded)" in by["eve"].notes
    assert by["finn"].label == "finn/main.py"
    assert "also found finn/lib/util.py (not graded: a file nearer the top is graded)" in by["finn"].notes
    assert by["carol"].path is None and by["carol"].problem == (
        "found 2 candidate files (carol/a.py, carol/b.py) and none is named mnist_bn; keep one, or name it mnist_bn.py.")
    assert by["gus"].path is None and "gus/a/mnist_bn.py, gus/b/mnist_bn.py" in by["gus"].problem
    for phrase in ("named after the assignment", "the `.py` is graded", "nearest the top"):
        assert phrase in submissions.__doc__


# 6. Same raw name, one student; -2 only for different names that sanitise alike.

def test_one_student_per_raw_name(folder):
    write(folder / "kim.py")
    write(folder / "kim.ipynb", "{}")
    write(folder / "lee.py")
    write(folder / "lee" / "mnist_bn.py")
    write(folder / "jung minho.py")
    write(folder / "jung_minho.py")
    by, _ = run(folder)
    assert sorted(by) == ["jung_minho", "jung_minho-2", "kim", "lee"]
    assert by["kim"].label == "kim.py"
    assert by["kim"].notes[1] == "also found kim.ipynb (not graded: when both exist, the .py is graded)"
    assert by["lee"].label == "lee/mnist_bn.py"
    assert "also found lee.py (not graded: a file named mnist_bn is graded first)" in by["lee"].notes
    assert by["jung_minho"].label == "jung_minho.py"  # the name that is already an id keeps it
    assert by["jung_minho-2"].label == "jung minho.py"


# 7. A student whose only file was skipped still gets a row; non-submissions do not.

def test_a_lone_unsupported_file_gets_a_row_that_says_why(folder):
    write(folder / "kim.hwp")
    write(folder / "lee.pdf")
    write(folder / "lee.py")
    write(folder / "park.PY")
    for name in (".DS_Store", "_grading_notes.py", "Thumbs.db", "desktop.ini", "grades.csv", "notes.md", "README.txt"):
        write(folder / name)
    (folder / ".git").mkdir()
    by, skipped = run(folder)
    assert sorted(by) == ["kim", "lee", "park"]
    assert by["kim"] == submissions.Submission("kim", None, "kim.hwp is not a .py or .ipynb file (nothing to grade).",
                                               "kim.hwp")
    assert by["lee"].path == folder / "lee.py"
    assert by["lee"].notes == ("lee.pdf was not graded (not a .py or .ipynb file)",)
    assert by["park"].problem == "park.PY is not a .py or .ipynb file (nothing to grade; rename it to park.py)."
    assert sorted(skipped) == sorted(f"{n} (not a submission)" for n in
                                     ("Thumbs.db", "desktop.ini", "grades.csv", "notes.md", "README.txt"))


# 8. The label maps every id back to what was handed in.

def test_labels_map_ids_back_to_files(folder):
    write(folder / "김민수.py")
    write(folder / "jung minho.py")
    write(folder / unicodedata.normalize("NFD", "이영희.py"))  # as macOS names files
    make_zip(folder / "lee.zip", {"mnist_bn.py": "x = 1\n"})
    write(folder / "kim" / "hw" / "mnist_bn.py")
    by, _ = run(folder)
    assert {s: by[s].label for s in by} == {"김민수": "김민수.py", "jung_minho": "jung minho.py",
                                            "이영희": unicodedata.normalize("NFD", "이영희.py"),
                                            "lee": "lee.zip:mnist_bn.py", "kim": "kim/hw/mnist_bn.py"}
    assert all(s.label for s in by.values())


# 8b. What the student reads about the files handed in is in every language of the catalog.

def test_problems_and_notes_are_in_korean_too_with_the_same_names_and_numbers(folder, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 5)
    make_zip(folder / "many.zip", {f"f{i}.txt": "" for i in range(6)})
    make_zip(folder / "kim.zip", {"../evil.py": "boom", "mnist_bn.py": "x = 1\n", "hw/mnist_bn.ipynb": "{}"})
    (folder / "bad.zip").write_bytes(b"not a zip at all")
    write(folder / "park.PY")
    write(folder / "lee.pdf")
    write(folder / "lee.py")
    write(folder / "carol" / "a.py")
    write(folder / "carol" / "b.py")
    write(folder / "deeper" / "a" / "b" / "c" / "d" / "mnist_bn.py")
    os.mkfifo(write(folder / "fifo" / "mnist_bn.py").parent / "pipe.py")
    by, _ = run(folder, raw=True)
    texts = [text for s in by.values() for text in (*s.notes, *([s.problem] * bool(s.problem)))]
    assert len(texts) >= 10
    for text in texts:
        english, korean = render(text, "en"), render(text, "ko")
        assert re.search("[\uac00-\ud7a3]", korean), (english, korean)
        for token in re.findall(r"[\w./:-]*\d[\w./:-]*|[\w-]+\.(?:py|ipynb|zip|PY|pdf)\b", english):
            assert token in korean, (token, english, korean)
    assert render(by["bad"].problem, "ko") == "bad.zip 파일을 열 수 없습니다: 올바른 zip 파일이 아닙니다."


# 9. The gradebook: which file, what to know, and a BOM for Excel.

def _result(student: str, submission: str, notes: list[str], score: float) -> SubmissionResult:
    checks = [CheckResult(id="shapes", title="Shapes", status="passed", score=score, max_score=10, message="")]
    return SubmissionResult.model_construct(student=student, assignment="mnist_bn", submission=submission,
                                            score=score, max_score=10, checks=checks, notes=notes)


def test_gradebook_has_submission_and_notes_and_a_bom():
    text = gradebook_csv([_result("jung_minho", "jung minho.py", [], 10),
                          _result("김민수", "김민수.zip:hw/mnist_bn.py", ["graded x", "also found y"], 5),
                          _result("evil", "=HYPERLINK(\"x\").py", [], 0)], ["shapes"])
    assert text.startswith("\ufeffstudent,assignment,submission,notes,shapes,score,max_score,errors\n")
    raw = text.encode("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["student"] for r in rows] == ["evil", "jung_minho", "김민수"]
    assert rows[1]["submission"] == "jung minho.py" and rows[1]["notes"] == "" and rows[1]["score"] == "10"
    assert rows[2]["submission"] == "김민수.zip:hw/mnist_bn.py" and rows[2]["notes"] == "graded x; also found y"
    assert rows[0]["submission"].startswith("'=")  # not a formula when a spreadsheet opens it
