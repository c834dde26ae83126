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
    assert code == 2 and "No space left on device" in err and "What was written before (1 result) is complete" in err
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


def test_a_students_check_without_a_terminal_reports_progress_in_its_language():
    """`!autograde check` in Colab writes to a pipe, not a terminal: its progress lines follow the
    check's language like the live line does, not the TA batch's English."""
    stream = io.StringIO()
    console = ConsoleProgress(60, stream=stream, quiet_s=5, every_s=15, setting="ko")
    console.running("xor.py", "starting", 7.0, 8.0)
    [line] = stream.getvalue().splitlines()
    assert line.startswith("  ... xor.py: 실행 중: ") and "CPU 시간 7 / 60초 사용 (8초)" in line
    assert "still running" not in line


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


# --- `autograde check` in a terminal, `--only`, progress columns, `assign --check`, nbgrader's warnings ---

TIPS = ROOT / "reference" / "softmax_tips.py"


def _tips_config(tmp_path, discussion: bool = False):
    """grader.toml with absolute paths (it is written to tmp_path); softmax_tips optionally gets a
    discussion question graded by hand, as mnist_bn's Q1-2."""
    text = (ROOT / "grader.toml").read_text(encoding="utf-8").replace('"reference/', f'"{ROOT}/reference/')
    text = text.replace('"assignments/', f'"{ROOT}/assignments/').replace('root = "../shared/data"', f'root = "{DATA_ROOT}"')
    if discussion:
        text += ('\n[assignments.softmax_tips.notebook.discussion]\nid = "tips_q"\npoints = 10\n'
                 'prompt = "Why standardise?"\nsample_answer = "Scales."\n')
    (tmp_path / "grader.toml").write_text(text, encoding="utf-8")
    return tmp_path / "grader.toml"


def test_check_speaks_the_students_language_says_each_warning_once_and_keeps_the_verdicts_on_screen(capsys, tmp_path):
    """`--language ko`: the stderr lines too; the `__main__` advice once; the file name `softmax_tips (1).py`
    still names its lab; 200 printed lines shrink to the last 15 and a line saying where the rest is."""
    source = TIPS.read_text(encoding="utf-8") + (
        "\nmodel = build_model()\ntrain(model, optim.SGD(model.parameters(), lr=0.1), *toy_data()[:2])\n"
        + "".join(f"print('line {n}')\n" for n in range(200)))
    file = tmp_path / "softmax_tips (1).py"
    file.write_text(source, encoding="utf-8")
    code = main(["check", str(file), "--config", str(_tips_config(tmp_path)), "--language", "ko"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "검사 중:" in err and "파일 이름으로 판단" in err and "경고:" in err
    assert "Checking" not in err and "warning:" not in err and "from the file name" not in err
    assert (out + err).count('if __name__ == "__main__":') == 1, out + err
    printed = out.split("코드가 출력한 내용:\n", 1)[1].splitlines()
    why = [line for line in printed if line.startswith("  ")]  # why printed numbers are not the model's
    assert "여러분 모델의 결과가 아닙니다" in " ".join(why).replace("  ", " ")
    printed = printed[len(why):]
    assert len(printed) == 16  # the last 15 lines (the grader's own calls print too), after the note
    assert printed[0].startswith("[... 앞의 ") and "--full-output" in printed[0] and "softmax_tips (1).py' --full-output]" in printed[0]
    assert "line 0\n" not in out
    code = main(["check", str(file), "--config", str(tmp_path / "grader.toml"), "--language", "en", "--full-output"])
    out, err = capsys.readouterr()
    assert "line 0\n" in out and "left out" not in out and "Checking" in err and "warning: " in err


def test_check_says_which_points_a_ta_grades_by_hand_and_wraps_at_words(capsys, tmp_path):
    file = tmp_path / "softmax_tips_blank.py"
    file.write_text(TIPS.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(file), "--config", str(_tips_config(tmp_path, discussion=True))]) == 0
    out, err = capsys.readouterr()
    head = out.split("\n\n", 1)[0]  # the summary, before the checks
    assert head.splitlines()[0].endswith("100/100점 / 100/100 points")
    assert "\n  + 토론 문제 `tips_q`의 10점은 조교가 직접 채점합니다 (이 점수에 포함되지 않음)" in head
    assert "+ 10 points for the discussion question `tips_q`, graded by hand by a TA (not in this score)" in head
    assert "검사 중:" in err and "Checking" in err  # both languages, as the table


def _result(title: str, ko_title: str):
    from autograder.results import CheckResult, SandboxInfo, SubmissionResult, Texts

    check = CheckResult(id="train", title=title, status="passed", score=25, max_score=25, message="Fine.")
    return SubmissionResult(student="kim", assignment="softmax_tips", submission="softmax_tips.py", score=25,
                            max_score=25, checks=[check], duration_s=1.0, fingerprint="x",
                            sandbox=SandboxInfo(tier="process", cpu_limit_s=60, wall_limit_s=300, memory_limit_mb=1,
                                                file_limit_mb=1, process_limit=1, exit="ok"),
                            translations={"ko": Texts(titles={"train": ko_title}, messages={"train": "좋습니다."})})


def test_long_titles_wrap_between_words_by_display_width():
    from autograder.feedback import console_table
    from autograder.progress import columns

    title = ("train(): zero_grad, backward and step every epoch; the cost falls from its first value to its last "
             "one (SGD with the learning rate the grader passes in, lr 0.1, on the lab's eight training points, "
             "twenty epochs, and the model's outputs before and after)")
    ko_title = "train(): 매 에폭 zero_grad, backward, step을 호출하고 비용이 줄어듦 " * 4
    assert len(title) > 250
    for setting, words in (("en", title.split()), ("ko", ko_title.split()), ("both", [*ko_title.split(), "/", *title.split()])):
        lines = console_table(_result(title, ko_title), setting).splitlines()
        block = lines[lines.index("") + 1:]
        assert all(columns(line) <= 100 for line in block), (setting, block)
        shown = " ".join(line.strip() for line in block).split()
        start = shown.index(words[0])
        assert shown[start:start + len(words)] == words, setting  # every word whole, in order


def test_unknown_only_names_the_close_students(capsys, tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name in ("이서연", "김민수", "kim"):
        (submissions / f"{name}.py").write_text("syntax error\n", encoding="utf-8")
    code, err = _run(capsys, str(submissions), "--out", str(tmp_path / "out"), "--only", "이서", "--language", "en")
    assert code == 2 and "--only: no student '이서' in" in err and "did you mean 이서연?" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "이서연").exists()


def test_progress_lines_line_up_with_hangul_and_latin_names():
    from types import SimpleNamespace

    from autograder.progress import columns, pad, truncate

    stream = io.StringIO()
    console = ConsoleProgress(60, stream=stream)
    for done, name in enumerate(["kim", "김민수", "이서연_and_a_very_long_latin_tail", "박" * 30, "Ｆｕｌｌ"], 1):
        result = SimpleNamespace(student=name, score=100, max_score=100, duration_s=1.0, checks=[],
                                 sandbox=SimpleNamespace(attempts=1, alone=False))
        console.finished(done, 5, result, reused=False)
    lines = stream.getvalue().splitlines()
    assert len({columns(line.split(" 100/100")[0]) for line in lines}) == 1, lines  # the scores in one column
    assert "박" * 11 + "…" in lines[3] and "이서연_and_a_very_long_…" in lines[2]
    assert pad("김민수", 10) == "김민수    " and pad("kim", 10) == "kim       "
    assert truncate("가나다", 5) == "가나…" and truncate("가나다", 6) == "가나다"


def test_assign_check_says_what_it_is_doing(capsys, monkeypatch):
    import autograder.cli as cli

    compared = []
    monkeypatch.setattr(cli, "stale_skeletons", lambda config, names: compared.extend(names) or [])
    assert main(["assign", "--check", "--language", "en"]) == 0
    err = capsys.readouterr().err.splitlines()
    total = len(compared)
    assert total >= 2 and err[0].startswith(f"checking {compared[0]} (1/{total}): generating its skeleton")
    assert len(err) == total and err[-1].startswith(f"checking {compared[-1]} ({total}/{total})")


def test_sqlalchemy_warnings_do_not_reach_the_ta_while_nbgrader_is_driven(tmp_path):
    """`autograde nbgrader` with grade_course replaced by one that warns as nbgrader's gradebook calls
    do under SQLAlchemy 2 (nbgrader itself is exercised in tests/test_nbgrader.py, minutes long): only
    SQLAlchemy's warnings are silenced, a student's own warning still shows."""
    import subprocess
    import sys

    pytest.importorskip("sqlalchemy")
    (tmp_path / "gradebook.db").write_bytes(b"")
    script = f"""
import sys, warnings
import autograder.nbgrader_course as course
from sqlalchemy import exc

def grade_course(grader, path, assignment, force=False, progress=None):
    warnings.warn("relationship X will copy column Y", exc.SAWarning)
    warnings.warn_explicit("declarative_base() is moved", exc.MovedIn20Warning, "api.py", 1, module="nbgrader.api")
    warnings.warn_explicit("Query.get() is legacy", DeprecationWarning, "query.py", 1, module="sqlalchemy.orm.query")
    warnings.warn("the student's own warning", UserWarning)
    return []

course.grade_course = grade_course
from autograder.cli import main
sys.exit(main(["nbgrader", {str(tmp_path)!r}, "mnist_bn", "--data-root", {str(DATA_ROOT)!r}]))
"""
    done = subprocess.run([sys.executable, "-W", "default", "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "the student's own warning" in done.stderr
    for noise in ("SAWarning", "MovedIn20Warning", "copy column", "declarative_base", "Query.get"):
        assert noise not in done.stderr, done.stderr
