"""What a TA or a student meets at the command line: mistakes get a clear message and exit code 2,
the results folder can neither swallow the submissions nor be half-written, slow work shows
progress."""

from __future__ import annotations

import errno
import io
import os

import pytest

from autograder import grading
from autograder.cli import main
from autograder.data import DataError, ensure_mnist, locate_root
from autograder.progress import ConsoleProgress
from autograder.results import load_result
from autograder.source import read_regular, sentence

from .conftest import DATA_ROOT, REFERENCE, ROOT


def _run(capsys, *argv: str) -> tuple[int, str]:
    """`autograde ARGV`, with the test data; a folder is graded as the homework (grader.toml holds a course)."""
    extra = ["--data-root", str(DATA_ROOT)] + ([] if argv[0] in ("check", "chek") else ["--assignment", "mnist_bn"])
    code = main([*argv, *extra])
    return code, capsys.readouterr().err


def test_a_mistyped_command_is_named_with_the_right_one(capsys):
    code, err = _run(capsys, "chek", str(REFERENCE))
    assert code == 2 and "unknown command 'chek'; did you mean `autograde check`?" in err


def test_check_names_what_is_wrong_with_the_file(capsys, tmp_path):
    code, err = _run(capsys, "check", str(tmp_path / "nothere.py"))
    assert code == 2 and "nothere.py: no such file" in err
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    code, err = _run(capsys, "check", str(fifo))  # returns at once: a FIFO is never opened
    assert code == 2 and "not a regular file" in err


def test_a_fifo_is_never_read():
    """The grading side itself refuses a non-regular file without blocking on it."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        fifo = os.path.join(folder, "fifo.py")
        os.mkfifo(fifo)
        with pytest.raises(OSError, match="not a regular file"):
            read_regular(__import__("pathlib").Path(fifo))


def test_the_grading_side_never_reads_through_a_symbolic_link(tmp_path):
    """Discovery refuses links (test_submissions.py); the one reader of a submission's bytes refuses
    one too, with words for the student, so that `autograde check link.py` says why."""
    from autograder.catalog import render
    from autograder.source import Unreadable

    (tmp_path / "reference.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "mnist_bn.py").symlink_to(tmp_path / "reference.py")
    with pytest.raises(Unreadable) as refused:
        read_regular(tmp_path / "mnist_bn.py")
    assert render(refused.value.message, "en") == ("mnist_bn.py is a symbolic link: the grader does not follow links; "
                                                   "hand in the file itself")


@pytest.mark.parametrize("layout", ["out_inside", "same", "submissions_inside"])
def test_results_and_submissions_folders_are_kept_apart(capsys, tmp_path, layout):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "alice.py").write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    if layout == "submissions_inside":
        out = tmp_path
        message = "is inside the results folder"
    else:
        out = submissions / "results" if layout == "out_inside" else submissions
        message = "is inside the submissions folder"
    code, err = _run(capsys, str(submissions), "--out", str(out))
    assert code == 2 and message in err
    assert sorted(p.name for p in submissions.iterdir()) == ["alice.py"]  # nothing written, nothing graded


def test_an_unwritable_results_folder_is_refused_before_grading(capsys, tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "alice.py").write_text("x = 1\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, err = _run(capsys, str(submissions), "--out", str(blocker / "results"))
    assert code == 2 and "cannot write there" in err and "Traceback" not in err


def test_a_full_disk_mid_batch_stops_cleanly_and_keeps_what_was_written(capsys, tmp_path, monkeypatch):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name in ("alice", "bob"):
        (submissions / f"{name}.py").write_text("syntax error here\n", encoding="utf-8")  # graded without a sandbox
    real = grading.save_result
    calls = []

    def disk_fills_up(result, path):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(result, path)

    monkeypatch.setattr(grading, "save_result", disk_fills_up)
    out = tmp_path / "results"
    code, err = _run(capsys, str(submissions), "--out", str(out))
    assert code == 2 and "No space left on device" in err and "The 1 result(s) written before are complete" in err
    assert "Traceback" not in err
    assert load_result(out / "alice" / "result.json").student == "alice"  # complete and valid
    assert not (out / "bob" / "result.json").exists()
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no half-written temporary files
    monkeypatch.setattr(grading, "save_result", real)
    code, err = _run(capsys, str(submissions), "--out", str(out))  # space again: the rerun finishes the batch
    assert code == 0 and "result re-used" in err and (out / "gradebook.csv").is_file()
    assert "alice" in (out / "report.html").read_text(encoding="utf-8")  # the class report, after every batch


def test_a_data_root_that_does_not_exist_is_not_created_or_downloaded_into(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        ensure_mnist(tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


def test_a_data_root_pointing_at_mnist_itself_is_corrected_with_a_note():
    for slip in (DATA_ROOT / "MNIST" / "raw", DATA_ROOT / "MNIST"):
        root, note = locate_root(slip)
        assert root == DATA_ROOT and f"using {DATA_ROOT}" in note
    assert locate_root(DATA_ROOT) == (DATA_ROOT, None)


def test_progress_reports_slow_submissions_without_flooding():
    stream = io.StringIO()
    console = ConsoleProgress(60, stream=stream, quiet_s=5, every_s=15)
    console.running("kim", "the import of your module", 1.0, 2.0)  # quick so far: nothing to say
    console.running("kim", "the import of your module", 7.0, 8.0)
    console.running("kim", "the import of your module", 9.0, 10.0)  # said 2 s ago: not again yet
    console.running("kim", "train() (the grading run)", 22.0, 24.0)
    lines = stream.getvalue().splitlines()
    assert lines == ["  ... kim: still running (the import of your module; 7 of 60 s CPU time used, 8 s so far)",
                     "  ... kim: still running (train() (the grading run); 22 of 60 s CPU time used, 24 s so far)"]


def test_korean_names_line_up_in_the_progress_lines():
    from autograder.progress import pad

    assert pad("김민수", 10) == "김민수    " and pad("kim", 10) == "kim       "


def test_sentence_keeps_code_as_written():
    assert sentence("use transform=transforms.ToTensor() (train=True / train=False)") == \
        "Use transform=transforms.ToTensor() (train=True / train=False)."


def test_help_explains_the_commands(capsys):  # noqa: D103  (main directly: --help exits)
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "autograde check" in out and "CPU time" in out
    assert "autograde report" in out and "autograde list" in out


def test_readme_lists_what_the_grading_environment_provides():
    from autograder.environment import PROVIDED

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the grading environment provides", 1)[1].split("\n## ", 1)[0]
    for name in PROVIDED:
        assert f"`{name}`" in section, name
