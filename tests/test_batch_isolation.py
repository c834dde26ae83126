"""One student never stops a batch: whatever exception a per-student step of the trusted process
raises on a file (reading, decoding, notebook conversion, syntax check, static vetting, job
preparation, judging, writing), that student gets a row saying so and everyone else the result
they get alone. The same for `autograde check` (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import grading, prepare, similarity, verdicts
from autograder.results import load_result
from autograder.sandbox.batch import LocalBatch

from .conftest import DATA_ROOT, ROOT

LAB = "softmax_tips"  # the cheapest lab to grade: 0.1 s of CPU for its reference
SOURCE = (ROOT / "reference" / f"{LAB}.py").read_text(encoding="utf-8")


class Boom(Exception):
    """Stands for any exception no one thought of."""


def _files(folder: Path) -> None:
    """Three small inputs that stopped whole batches, plus an honest submission."""
    (folder / "honest.py").write_text(SOURCE, encoding="utf-8")
    (folder / "empty.py").write_text("\n\n", encoding="utf-8")
    (folder / "long_sum.py").write_text(SOURCE + "\nX = " + "+".join(["1"] * 200_000) + "\n", encoding="utf-8")
    notebook = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": "not an object"}, "source": SOURCE,
                           "outputs": [], "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "string_metadata.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (folder / "deep_json.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    # A name that is not UTF-8 (a zip made on another system): Python sees a surrogate in it.
    with open(os.path.join(os.fsencode(folder), b"kim\xff.py"), "w", encoding="utf-8") as handle:
        handle.write(SOURCE)


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograder", *args, "--data-root", str(DATA_ROOT)],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def test_inputs_that_break_the_trusted_steps_are_their_authors_rows_only(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    _files(subs)
    run = _cli(str(subs), "--assignment", LAB, "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    gradebook = (out / "gradebook.csv").read_text(encoding="utf-8-sig")
    for student in ("honest", "long_sum", "string_metadata", "deep_json", "kim"):
        assert student in gradebook
    assert load_result(out / "honest" / "result.json").score == 100
    empty = load_result(out / "empty" / "result.json")
    assert empty.score == 0 and "empty.py holds no code: it is empty" in empty.fix_first[0]
    kim = load_result(out / "kim" / "result.json")
    assert kim.score == 100 and kim.submission == "kim\ufffd.py"
    # A notebook whose nbgrader metadata is not an object is simply a notebook without nbgrader cells.
    assert load_result(out / "string_metadata" / "result.json").score == 100
    for student, step in (("long_sum", "checking the syntax"), ("deep_json", "converting the notebook")):
        result = load_result(out / student / "result.json")
        assert result.score == 0
        assert f"The grader could not read your file: {step} failed (RecursionError" in result.fix_first[0]
        assert "채점기가 제출한 파일을 읽을 수 없었습니다" in result.translations["ko"].fix_first[0]


def test_check_says_so_with_exit_2_and_no_traceback(tmp_path):
    file = tmp_path / f"{LAB}.py"
    file.write_text(SOURCE + "\nX = " + "+".join(["1"] * 200_000) + "\n", encoding="utf-8")
    run = _cli("check", str(file), "--language", "en")
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "The grader could not read your file: checking the syntax failed (RecursionError" in run.stderr
    # A notebook: its metadata is read first, to tell which assignment it is for.
    notebook = tmp_path / f"{LAB}.ipynb"
    notebook.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    run = _cli("check", str(notebook), "--language", "en")
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "converting the notebook failed (RecursionError" in run.stderr


STEPS = {  # victim -> (module, function): each victim's file makes that step raise
    "read": (prepare, "read_regular"), "decode": (prepare, "decode"), "notebook": (prepare, "notebook_to_module"),
    "syntax": (prepare, "syntax_problem"), "vetting": (prepare, "static_warnings"),
    "prints": (similarity, "fingerprints"), "job": (LocalBatch, "job"), "judge": (verdicts, "judge"),
    "feedback": (grading, "write_feedback"), "save": (grading, "save_result"),
}


def _victim(args: tuple[object, ...]) -> str | None:
    """Which victim a call is about: its path, file name, source or result names it."""
    for arg in args:
        text = str(getattr(arg, "student", "") or getattr(arg, "submission_name", "") or arg)[:200_000]
        for victim in STEPS:
            if f"victim_{victim}" in text:
                return victim
    return None


def test_an_exception_at_any_step_is_that_students_row(tmp_path, monkeypatch, config):
    folder, out = tmp_path / "subs", tmp_path / "out"
    folder.mkdir()
    submissions = [grading.Submission("honest", folder / "honest.py")]
    (folder / "honest.py").write_text(SOURCE, encoding="utf-8")
    for victim in STEPS:
        suffix = ".ipynb" if victim == "notebook" else ".py"
        path = folder / f"victim_{victim}{suffix}"
        text = f"# victim_{victim}\n" + SOURCE
        if suffix == ".ipynb":
            text = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": text, "outputs": [],
                                          "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
        path.write_text(text, encoding="utf-8")
        submissions.append(grading.Submission(f"victim_{victim}", path))
    raised: set[str] = set()  # each step fails once: the grader's fallback for it must then work
    for victim, (owner, name) in STEPS.items():
        original = getattr(owner, name)

        def failing(*args, _victim_name=victim, _original=original, **kwargs):
            if _victim(args) == _victim_name and _victim_name not in raised:
                raised.add(_victim_name)
                raise Boom(f"injected at {_victim_name}")
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, failing)
    grader = grading.Grader(config, LAB, data_root=DATA_ROOT)
    results = {r.student: r for r in grader.grade(submissions, out_dir=out)}
    assert set(results) == {s.student for s in submissions}
    assert raised == set(STEPS)
    assert results["honest"].score == 100 and load_result(out / "honest" / "result.json").score == 100
    for victim in STEPS:
        result = results[f"victim_{victim}"]
        if victim == "feedback":  # the score stands; the page that could not be written is a note
            assert result.score == 100 and any("could not write this student's feedback page" in n for n in result.notes)
            assert any("피드백 페이지를 쓰지 못했습니다" in n for n in result.translations["ko"].notes)
            continue
        assert result.score == 0, victim
        assert any("Boom: injected at" in text for text in [*result.fix_first, *(c.message for c in result.checks)]), victim
        assert load_result(out / f"victim_{victim}" / "result.json").score == 0
    assert "honest" in (out / "gradebook.csv").read_text(encoding="utf-8-sig")
