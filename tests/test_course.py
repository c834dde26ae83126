"""A course of several assignments: choosing the assignment of a file, grading a course folder in
one command, listing the rubric, and the judging side never importing torch."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from autograder.cli import main
from autograder.config import ConfigError, load_config
from autograder.course import assignment_for_file, listing

from .conftest import DATA_ROOT, REFERENCE, ROOT


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """grader.toml plus a second assignment (a renamed copy of mnist_bn): a course of two."""
    folder = tmp_path_factory.mktemp("course")
    text = (ROOT / "grader.toml").read_text(encoding="utf-8").replace('root = "../shared/data"', f'root = "{DATA_ROOT}"')
    section, inside = [], False
    for line in text.splitlines(keepends=True):  # mnist_bn's tables only, not the other labs'
        if line.startswith("["):
            inside = line.startswith("[assignments.mnist_bn")
        if inside:
            section.append(line)
    second = "".join(section).replace("assignments.mnist_bn", "assignments.other").replace("mnist_bn.py", "other.py")
    second = second.replace('"reference/other.py"', f'"{REFERENCE}"')
    (folder / "grader.toml").write_text(text + "\n" + second, encoding="utf-8")
    return folder / "grader.toml"


def test_the_judging_side_never_imports_torch():
    code = ("import sys\nimport autograder, autograder.cli, autograder.grading, autograder.verdicts, autograder.checks\n"
            "import autograder.course, autograder.report\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\nprint('clean')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "clean" in done.stdout, done.stderr


def test_a_file_is_matched_to_its_assignment_and_the_choice_is_said(two, tmp_path):
    config = load_config(two)
    assert assignment_for_file(config, tmp_path / "other.py", None) == ("other", "from the file name")
    assert assignment_for_file(config, tmp_path / "mnist_bn.ipynb", None) == ("mnist_bn", "from the file name")
    assert assignment_for_file(config, tmp_path / "kim.py", "other") == ("other", "as asked")
    notebook = tmp_path / "kim.ipynb"
    notebook.write_text(json.dumps({"cells": [], "metadata": {"autograder": {"assignment": "other"}}}), encoding="utf-8")
    assert assignment_for_file(config, notebook, None) == ("other", "from the notebook's metadata")
    with pytest.raises(ConfigError, match=f"cannot tell which assignment.*--assignment NAME, one of: {', '.join(config.assignments)}$"):
        assignment_for_file(config, tmp_path / "kim.py", None)


def test_released_notebooks_name_their_assignment():
    release = json.loads((ROOT / "assignments" / "mnist_bn" / "mnist_bn.ipynb").read_text(encoding="utf-8"))
    assert release["metadata"]["autograder"]["assignment"] == "mnist_bn"
    test_cells = [c for c in release["cells"] if "show(" in "".join(c["source"])]
    assert test_cells and all('assignment="mnist_bn"' in "".join(c["source"]) for c in test_cells)


def test_a_course_folder_is_graded_in_one_command(two, tmp_path, capsys):
    course = tmp_path / "submissions"
    (course / "mnist_bn").mkdir(parents=True)
    (course / "other").mkdir()
    (course / "mnist_bn" / "alice.py").write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    (course / "other" / "alice.py").write_text("syntax error\n", encoding="utf-8")
    (course / "other" / "bob.py").write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "results"
    assert main([str(course), "--out", str(out), "--config", str(two)]) == 0
    rows = {row["student"]: row for row in csv.DictReader((out / "course_gradebook.csv").open(encoding="utf-8-sig"))}
    assert rows["alice"]["mnist_bn"] == "100" and rows["alice"]["other"] == "0" and rows["alice"]["total"] == "100"
    assert rows["bob"]["mnist_bn"] == "" and rows["bob"]["other"] == "100" and rows["bob"]["max_total"] == "200"
    assert (out / "mnist_bn" / "gradebook.csv").is_file() and (out / "other" / "bob" / "result.json").is_file()


def test_several_assignments_and_no_way_to_choose_is_a_clear_error(two, tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "kim.py").write_text("x = 1\n", encoding="utf-8")
    assert main([str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--config", str(two)]) == 2
    names = ", ".join(load_config(two).assignments)
    assert f"several assignments ({names})" in capsys.readouterr().err


def test_list_shows_every_assignment_with_its_checks_and_points(two, capsys):
    assert main(["list", "--config", str(two)]) == 0
    out = capsys.readouterr().out
    assert out == listing(load_config(two))
    assert "mnist_bn: " in out and "other: " in out and out.count("100  total") == len(load_config(two).assignments)


def test_the_readme_table_of_assignments_matches_grader_toml():
    config = load_config(ROOT / "grader.toml")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The course's assignments", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(config.assignments)
    for name, assignment in config.assignments.items():
        row = next(r for r in rows if r.startswith(f"| `{name}` |"))
        assert f"| {assignment.max_score:g} |" in row, row
        for check_id, check in assignment.checks.enabled().items():
            assert f"`{check_id}` {check.points:g}" in row, (name, check_id, check.points)


def test_the_sandbox_implements_exactly_the_phases_of_the_table():
    import autograder.probe.runner  # noqa: F401  (imports every lab's phases)
    from autograder.probe.phases import PHASE_FUNCTIONS
    from autograder.sandbox.protocol import PHASES

    assert list(PHASE_FUNCTIONS) == list(PHASES)


def test_nbgrader_submitted_folders_are_split_by_assignment(two, tmp_path, capsys):
    """nbgrader's submitted/<student>/<assignment>/: each assignment grades only its own subfolders, so
    a student who handed in `other` alone is not graded on `mnist_bn` with other's file."""
    submitted = tmp_path / "submitted"
    for student, assignment, text in [("alice", "mnist_bn", REFERENCE.read_text(encoding="utf-8")),
                                      ("alice", "other", "syntax error\n"),
                                      ("bob", "other", REFERENCE.read_text(encoding="utf-8"))]:
        (submitted / student / assignment).mkdir(parents=True)
        (submitted / student / assignment / f"{assignment}.py").write_text(text, encoding="utf-8")
    out = tmp_path / "results"
    assert main([str(submitted), "--out", str(out), "--config", str(two)]) == 0
    assert "nbgrader's submitted/" in capsys.readouterr().err
    rows = {row["student"]: row for row in csv.DictReader((out / "course_gradebook.csv").open(encoding="utf-8-sig"))}
    assert rows["alice"]["mnist_bn"] == "100" and rows["alice"]["other"] == "0"
    assert rows["bob"]["mnist_bn"] == "" and rows["bob"]["other"] == "100"
    one = tmp_path / "one"
    assert main([str(submitted), "--assignment", "mnist_bn", "--out", str(one), "--config", str(two)]) == 0
    graded = [row["student"] for row in csv.DictReader((one / "gradebook.csv").open(encoding="utf-8-sig"))]
    assert graded == ["alice"]


def test_an_lms_folder_with_one_nested_assignment_folder_is_not_taken_for_nbgrader(two, tmp_path):
    from autograder.course import assignment_folder

    config = load_config(two)
    (tmp_path / "kim" / "mnist_bn").mkdir(parents=True)
    (tmp_path / "lee").mkdir()
    (tmp_path / "lee" / "mnist_bn.py").write_text("x = 1\n", encoding="utf-8")
    assert assignment_folder(config, tmp_path, "mnist_bn") == (tmp_path, None)
    (tmp_path / "park.py").write_text("x = 1\n", encoding="utf-8")
    assert assignment_folder(config, tmp_path, "mnist_bn") == (tmp_path, None)
    (tmp_path / "lee" / "other").mkdir()
    (tmp_path / "park.py").unlink()
    assert assignment_folder(config, tmp_path, "mnist_bn") == (tmp_path, "mnist_bn")


def test_every_definition_of_a_reference_is_in_its_notebook():
    """The source notebook has a cell for every top-level function and class of the reference (a
    class, as softmax_tips' model, once went missing), and every solution block closes in its cell."""
    import ast

    config = load_config(ROOT / "grader.toml")
    for name, assignment in config.assignments.items():
        reference = config.path(assignment.reference).read_text(encoding="utf-8")
        defined = {node.name for node in ast.parse(reference).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        notebook = json.loads(config.path(assignment.notebook.source).read_text(encoding="utf-8"))
        code = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
        found = {node.name for cell in code for node in ast.parse(cell).body
                 if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        assert defined <= found, (name, defined - found)
        for cell in code:
            assert cell.count("### BEGIN SOLUTION") == cell.count("### END SOLUTION"), (name, cell[:200])
