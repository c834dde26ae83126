"""nbgrader's own workflow, headless, end to end: generate → release → fetch → submit → collect →
autograde → feedback → export, with two students, and our fast path on the same course."""

from __future__ import annotations

import ast
import copy
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.nbsource import put_environment_on_path
from autograder.results import load_result

from .conftest import DATA_ROOT, REFERENCE, ROOT
from .variants import VARIANTS, apply_edits

ASSIGNMENT = "mnist_bn"
COURSE_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "dl2"
c.CourseDirectory.root = r"{course}"
c.Exchange.root = r"{exchange}"
c.ClearSolutions.code_stub = {{"python": "'Fill this blank!'"}}
# Feedback without hidden test code (nbgrader's default shows it).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
"""
# Noise that must not cost a student anything: a warning on stderr and a bare number as last line.
NOISE = "import warnings\nwarnings.warn('a harmless UserWarning from the student')\n0.5\n"


def nbgrader(*args: str, cwd: Path, student: str | None = None) -> str:
    put_environment_on_path()
    # Each student gets an exchange cache of their own (they share one OS user here).
    extra = ["--course", "dl2", f"--Exchange.root={cwd.parent / 'exchange'}",
             f"--Exchange.cache={cwd / '.nbgrader_cache'}"] if student else []
    if student and args[0] in ("submit", "fetch_feedback"):
        extra.append(f"--student={student}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, *extra], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def fill(notebook: Path, reference: str, discussion: str) -> None:
    """What a student does: write each function into its solution cell, and answer Q1-2."""
    lines = reference.splitlines()
    functions = {node.name: "\n".join(line for line in lines[node.lineno - 1:node.end_lineno] if "SOLUTION" not in line)
                 for node in ast.parse(reference).body if isinstance(node, ast.FunctionDef)}
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = (NOISE + functions[meta["grade_id"]]) if cell["cell_type"] == "code" else discussion
    notebook.write_text(json.dumps(nb), encoding="utf-8")


def gradebook_scores(course: Path, students: tuple[str, ...] = ("alice", "bob")) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {student: {grade.name.removeprefix("test_"): grade.score
                          for grade in gb.find_submission(ASSIGNMENT, student).notebooks[0].grades
                          if grade.name.startswith("test_")}
                for student in students}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nbgrader")
    course, exchange = tmp / "course", tmp / "exchange"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    exchange.mkdir()
    exchange.chmod(0o777)
    (course / "nbgrader_config.py").write_text(COURSE_CONFIG.format(course=course, exchange=exchange))
    shutil.copy(ROOT / "reference" / f"{ASSIGNMENT}.ipynb", course / "source" / ASSIGNMENT)
    for student in ("alice", "bob"):
        nbgrader("db", "student", "add", student, cwd=course)
    nbgrader("generate_assignment", ASSIGNMENT, cwd=course)
    nbgrader("release_assignment", ASSIGNMENT, cwd=course)

    reference = REFERENCE.read_text(encoding="utf-8")
    buggy = apply_edits(apply_edits(reference, VARIANTS["bn_after_relu"][0]), VARIANTS["no_model_eval"][0])
    for student, code in (("alice", reference), ("bob", buggy)):
        home = tmp / student
        home.mkdir()
        nbgrader("fetch_assignment", ASSIGNMENT, cwd=home, student=student)
        fill(home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", code, f"{student}: wider layers trained better.")
        nbgrader("submit", ASSIGNMENT, cwd=home, student=student)
    nbgrader("collect", ASSIGNMENT, cwd=course)

    start = time.monotonic()
    nbgrader("autograde", ASSIGNMENT, cwd=course)
    autograde_s = time.monotonic() - start
    by_nbgrader = gradebook_scores(course)
    nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    nbgrader("release_feedback", ASSIGNMENT, cwd=course)
    for student in ("alice", "bob"):
        nbgrader("fetch_feedback", ASSIGNMENT, cwd=tmp / student, student=student)
    nbgrader("export", cwd=course)
    return {"tmp": tmp, "course": course, "by_nbgrader": by_nbgrader, "autograde_s": autograde_s}


def test_released_notebook_is_exactly_what_nbgrader_generates(course):
    released = course["course"] / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert released.read_text(encoding="utf-8") == (ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(
        encoding="utf-8")


def test_nbgraders_own_autograde_gives_our_checks_scores(course):
    scores = course["by_nbgrader"]
    assert sum(scores["alice"].values()) == 100 and len(scores["alice"]) == 12
    assert {check for check, score in scores["bob"].items() if score == 0} == {"order", "eval_mode"}


def test_feedback_reaches_students_without_hidden_tests(course):
    for student, phrase in (("alice", "통과 / PASS shapes"), ("bob", "실패 / FAIL order")):
        [html] = (course["tmp"] / student / ASSIGNMENT / "feedback").glob("*/mnist_bn.html")
        text = html.read_text(encoding="utf-8")
        assert phrase in text
        assert "assert_passed" not in text and "HIDDEN TESTS" not in text


def test_export_has_both_students(course):
    rows = {row["student_id"]: row for row in csv.DictReader((course["course"] / "grades.csv").open())}
    assert float(rows["alice"]["score"]) == 100 and float(rows["bob"]["score"]) == 80


def test_fast_path_writes_the_same_scores_into_the_gradebook_on_one_machine_or_a_cluster(course, capsys):
    course_dir = course["course"]
    grade = ["nbgrader", str(course_dir), ASSIGNMENT, "--force", "--data-root", str(DATA_ROOT)]
    start = time.monotonic()
    assert main(grade) == 0
    fast_s = time.monotonic() - start
    assert gradebook_scores(course_dir) == course["by_nbgrader"]
    result = load_result(course_dir / "autograder" / ASSIGNMENT / "bob" / "result.json")
    assert {c.id for c in result.checks if c.status != "passed"} == {"order", "eval_mode"}
    feedback = (course_dir / "feedback" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "실패 / FAIL order" in feedback and "assert_passed" not in feedback
    assert (course_dir / "feedback" / "bob" / ASSIGNMENT / "submission_secret.txt").is_file()
    nbgrader("release_feedback", ASSIGNMENT, cwd=course_dir)
    print(f"nbgrader autograde: {course['autograde_s']:.1f} s, autograde nbgrader: {fast_s:.1f} s")  # a figure, not a test

    # The same on a local Dask cluster: result.json equal apart from timings, and the same gradebook.
    pytest.importorskip("distributed", reason="the cluster path needs Dask: pip install -e '.[test]'")
    embedded = {student: _without_timings(course_dir / "autograder" / ASSIGNMENT / student / "result.json")
                for student in ("alice", "bob")}
    assert main([*grade, "--quiet", "--cluster", "local:2"]) == 0
    assert gradebook_scores(course_dir) == course["by_nbgrader"]
    for student, expected in embedded.items():
        clustered = _without_timings(course_dir / "autograder" / ASSIGNMENT / student / "result.json")
        assert clustered == expected, {key: (expected.get(key), clustered.get(key)) for key in expected | clustered
                                       if expected.get(key) != clustered.get(key)}


def _without_timings(path: Path) -> dict:
    result = json.loads(path.read_text(encoding="utf-8"))
    result.pop("duration_s")
    for key in ("cpu_s", "max_memory_mb"):
        result["sandbox"].pop(key)
    return result


def hostile_submissions(honest: dict) -> dict[str, dict[str, str]]:
    """Students who edit what nbgrader's own autograde would not trust, each built on the honest
    notebook (all checks pass): student -> the files of their submitted folder."""
    def edited(change) -> str:
        nb = copy.deepcopy(honest)
        change(nb, {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]})
        return json.dumps(nb)

    def inflate(nb, cells):  # 1000 points a cell, the discussion auto-graded code, a test emptied, one deleted
        for cell in cells.values():
            if cell["metadata"].get("nbgrader", {}).get("grade"):
                cell["metadata"]["nbgrader"]["points"] = 1000
        cells["q1_2_discussion"].update(cell_type="code", source="print('full marks')", outputs=[], execution_count=1)
        cells["q1_2_discussion"]["metadata"]["nbgrader"].update(solution=False, cell_type="code")
        cells["test_order"]["source"] = "pass"
        nb["cells"].remove(cells["test_accuracy"])

    def script(nb, cells):  # stored HTML and script outputs, markdown and raw HTML, widget state; the discussion unflagged
        cells["build_model"]["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {
            "text/html": "<script>alert('xss-output')</script>", "application/javascript": "alert('xss-js')"}}]
        cells["q1_2_discussion"]["source"] = "<script>alert('xss-md')</script> [more](javascript:alert(1))"
        cells["q1_2_discussion"]["metadata"]["nbgrader"]["grade"] = False
        nb["cells"] += [{"cell_type": "raw", "id": "raw-html", "metadata": {"raw_mimetype": "text/html"},
                         "source": "<script>alert('xss-raw')</script>"},
                        {"cell_type": "markdown", "id": "svg", "metadata": {}, "source": "<svg onload=alert('xss-svg')>"}]
        nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "state": {}, "html": "</script><script>alert('xss-widget')</script>"}}

    def string_metadata(nb, cells):
        cells["build_model"]["metadata"]["nbgrader"] = "solution"

    notebook = f"{ASSIGNMENT}.ipynb"
    return {"inflate": {notebook: edited(inflate)}, "script": {notebook: edited(script)},
            "renamed": {"homework.ipynb": json.dumps(honest)}, "string_metadata": {notebook: edited(string_metadata)},
            "deep": {notebook: "[" * 100_000 + "]" * 100_000}, "missing": {}}


@pytest.fixture(scope="module")
def hostile_course(course, tmp_path_factory):
    """A copy of the course where the honest alice and the hostile students are graded in ONE
    fast-path run, then exported."""
    hostile = tmp_path_factory.mktemp("hostile") / "course"
    shutil.copytree(course["course"], hostile)
    (hostile / "nbgrader_config.py").write_text(COURSE_CONFIG.format(course=hostile, exchange=course["tmp"] / "exchange"))
    for folder in ("submitted", "autograded"):
        shutil.rmtree(hostile / folder / "bob")
    for folder in ("autograded", "feedback"):  # as if an earlier notebook of `deep`'s had been graded
        shutil.copytree(hostile / folder / "alice", hostile / folder / "deep")
    alice = hostile / "submitted" / "alice" / ASSIGNMENT
    for student, files in hostile_submissions(json.loads((alice / f"{ASSIGNMENT}.ipynb").read_text("utf-8"))).items():
        folder = hostile / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(alice / "timestamp.txt", folder)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    (hostile / "submitted" / "mallory").symlink_to("alice", target_is_directory=True)  # alice's work, twice
    (hostile / "submitted" / "eve").mkdir()
    (hostile / "submitted" / "eve" / ASSIGNMENT).symlink_to(alice, target_is_directory=True)
    code = main(["nbgrader", str(hostile), ASSIGNMENT, "--force", "--quiet", "--data-root", str(DATA_ROOT)])
    nbgrader("export", cwd=hostile)
    return {"course": hostile, "code": code,
            "export": {row["student_id"]: row for row in csv.DictReader((hostile / "grades.csv").open())},
            "results": {path.parent.name: load_result(path)
                        for path in (hostile / "autograder" / ASSIGNMENT).glob("*/result.json")}}


def _discussion(course: Path, student: str) -> tuple[float, bool]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade("q1_2_discussion", ASSIGNMENT, ASSIGNMENT, student)
        return grade.score, grade.needs_manual_grade


def test_hostile_students_leave_the_honest_one_as_graded_alone(course, hostile_course):
    assert hostile_course["code"] == 0
    assert gradebook_scores(hostile_course["course"], ("alice",)) == {"alice": course["by_nbgrader"]["alice"]}
    assert hostile_course["results"]["alice"].notes == []  # an honest notebook is restored from nothing


def test_points_and_cell_types_come_from_the_gradebook(hostile_course):
    honest = hostile_course["export"]["alice"]
    for student in ("inflate", "script", "renamed"):
        row = hostile_course["export"][student]
        assert (float(row["raw_score"]), float(row["max_score"])) == (float(honest["raw_score"]), 110) == (100, 110)
        assert _discussion(hostile_course["course"], student) == (0, True)  # still the TA's to grade
    notes = " ".join(hostile_course["results"]["inflate"].notes)
    for restored in ("test_shapes.points", "q1_2_discussion.cell_type", "test_order.checksum", "test_accuracy"):
        assert restored in notes
    inflated = json.loads((hostile_course["course"] / "autograded" / "inflate" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
                          .read_text("utf-8"))
    discussion = next(c for c in inflated["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q1_2_discussion")
    assert discussion["cell_type"] == "markdown" and "full marks" in "".join(discussion["source"])


def test_no_student_html_or_script_reaches_feedback_or_formgrader(hostile_course):
    feedback = {student: (hostile_course["course"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html")
                .read_text("utf-8") for student in ("alice", "script")}
    page = feedback["script"]
    assert page.count("<script") == feedback["alice"].count("<script")  # the template's own (MathJax) only
    assert "xss-md" in page and "xss-raw" in page and "xss-svg" in page  # shown, as text
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=|<script>alert|href=\"\s*javascript:", page, re.I)
    autograded = (hostile_course["course"] / "autograded" / "script" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text("utf-8")
    assert "<script" not in autograded and "<svg" not in autograded
    nb = json.loads(autograded)
    assert "widgets" not in nb["metadata"] and "xss-output" not in autograded and "xss-js" not in autograded
    assert all(output["output_type"] == "stream" for cell in nb["cells"] for output in cell.get("outputs", []))
    assert "shown there as plain text" in " ".join(hostile_course["results"]["script"].notes)


def test_a_broken_or_renamed_notebook_is_its_students_note(hostile_course):
    from nbgrader.api import Gradebook

    results, course_dir = hostile_course["results"], hostile_course["course"]
    assert any("homework.ipynb was graded and recorded as mnist_bn.ipynb" in note for note in results["renamed"].notes)
    assert gradebook_scores(course_dir, ("renamed",))["renamed"] == gradebook_scores(course_dir, ("alice",))["alice"]
    for student, why in (("string_metadata", "ValueError: cell "), ("deep", "RecursionError"), ("missing", "holds no")):
        assert results[student].score == 0 and why in " ".join(results[student].fix_first), student
        assert float(hostile_course["export"][student]["raw_score"]) == 0
        with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
            grades = gb.find_submission(ASSIGNMENT, student).notebooks[0].grades
            assert all(g.auto_score == 0 and not g.needs_manual_grade for g in grades), student
        assert not (course_dir / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
        assert not (course_dir / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()


def test_a_linked_student_or_assignment_folder_is_never_graded_as_its_target(hostile_course):
    results = hostile_course["results"]
    for student, label in (("mallory", "submitted/mallory/"), ("eve", f"eve/{ASSIGNMENT}/")):
        assert results[student].score == 0, student
        assert f"{label} is a symbolic link" in " ".join(results[student].fix_first), results[student].fix_first
        assert float(hostile_course["export"][student]["raw_score"]) == 0


def test_notebook_errors_point_at_the_cell(tmp_path, config):
    from .conftest import grade_files

    nb = json.loads((ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
    reference = REFERENCE.read_text(encoding="utf-8").replace(
        "    linear1 = torch.nn.Linear(784, hidden1, bias=True)", "    linear1 = torch.nn.Linear(784, hidden1, bias=True)\n    1 / 0")
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    fill(path, reference, "answer")
    cell = next(i for i, c in enumerate(json.loads(path.read_text())["cells"], start=1)
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "build_model")
    result = grade_files(config, {"broken": path})["broken"]
    shapes = next(c for c in result.checks if c.id == "shapes")
    assert shapes.status == "error" and "raised ZeroDivisionError" in shapes.message
    [cause] = result.fix_first  # explained once, for every check build_model() stopped
    assert f"broken.ipynb cell {cell}, line " in cause and "ZeroDivisionError" in cause
    assert shapes.standalone_message == cause  # what a notebook's test cell shows, with no section above it
