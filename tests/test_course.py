"""A course of several assignments: choosing the assignment of a file, grading a course folder in
one command, listing the rubric, and the judging side never importing torch."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from autograder.catalog import render
from autograder.cli import main
from autograder.config import ConfigError, load_config
from autograder.course import assignment_for_file, assignments_named, close_names, infer_assignment, listing

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


def _chosen(config, path, explicit=None) -> tuple[str, str]:
    name, how = assignment_for_file(config, path, explicit)
    return name, render(how, "en")


def test_a_file_is_matched_to_its_assignment_and_the_choice_is_said(two, tmp_path):
    config = load_config(two)
    assert _chosen(config, tmp_path / "other.py") == ("other", "from the file name")
    assert _chosen(config, tmp_path / "mnist_bn.ipynb") == ("mnist_bn", "from the file name")
    assert _chosen(config, tmp_path / "kim.py", "other") == ("other", "as asked")
    notebook = tmp_path / "kim.ipynb"
    notebook.write_text(json.dumps({"cells": [], "metadata": {"autograder": {"assignment": "other"}}}), encoding="utf-8")
    assert _chosen(config, notebook) == ("other", "from the notebook's metadata")
    with pytest.raises(ConfigError, match=f"cannot tell which assignment.*--assignment NAME, one of: {', '.join(config.assignments)}$"):
        assignment_for_file(config, tmp_path / "kim.py", None)


def test_a_file_name_names_its_assignment_as_a_word_and_two_matches_are_no_guess(two, tmp_path):
    """What browsers, LMSs and students make of `xor.py`, and labs whose names look alike."""
    config = load_config(two)
    for stem in ("xor", "xor_blank", "xor (1)", "김민수_xor", "XOR", "hw2-xor-final", "이서연xor"):
        assert assignments_named(config, stem) == ["xor"], stem
        assert _chosen(config, tmp_path / f"{stem}.py") == ("xor", "from the file name")
    assert _chosen(config, tmp_path / "XOR.ipynb") == ("xor", "from the file name")  # no metadata: the name
    for stem in ("exorcism", "xorxor", "kim"):
        assert assignments_named(config, stem) == [], stem
    assert assignments_named(config, "mnist_batchnorm") == ["mnist_batchnorm"]
    assert assignments_named(config, "mnist_bn") == ["mnist_bn"]
    assert assignments_named(config, "kim_mnist_batchnorm (2)") == ["mnist_batchnorm"]
    assert assignments_named(config, "kim_mnist_bn_final") == ["mnist_bn"]
    with pytest.raises(ConfigError, match=r"fits several assignments \(mnist_bn, mnist_batchnorm\), so the grader does not guess"):
        assignment_for_file(config, tmp_path / "mnist_bn_vs_mnist_batchnorm.py", None)


def _handed_in(folder, names: dict[str, str]) -> None:
    for name, text in names.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def test_a_folder_of_one_assignment_is_recognised_by_what_the_students_handed_in(two, tmp_path):
    import zipfile

    config = load_config(two)
    subs = tmp_path / "subs"
    _handed_in(subs, {"xor.py": "x = 1\n", "김민수_xor.py": "x = 1\n", "lee (1)/hw/XOR.py": "x = 1\n",
                      "kim.py": "x = 1\n", "README.md": "not a student\n"})
    with zipfile.ZipFile(subs / "park.zip", "w") as archive:
        archive.writestr("park/xor_blank.py", "x = 1\n")
    name, how = infer_assignment(config, subs)
    assert (name, render(how, "en")) == ("xor", "from the file names of 4 of 5 submissions")
    assert render(how, "ko") == "제출물 5개 중 4개의 파일 이름으로 판단"
    (subs / "choi.ipynb").write_text(json.dumps({"cells": [], "metadata": {"autograder": {"assignment": "xor"}}}),
                                     encoding="utf-8")
    assert render(infer_assignment(config, subs)[1], "en") == "from the file names and notebooks of 5 of 6 submissions"
    xor = tmp_path / "course" / "xor"
    _handed_in(xor, {"kim.py": "x = 1\n", "lee.py": "x = 1\n"})
    name, how = infer_assignment(config, xor)
    assert (name, render(how, "en")) == ("xor", "from the folder's name, xor")


def test_a_folder_whose_files_disagree_is_a_question_not_a_guess(two, tmp_path):
    config = load_config(two)
    subs = tmp_path / "subs"
    _handed_in(subs, {"a_xor.py": "", "b_xor.py": "", "c_mnist_bn.py": "", "d_mnist_batchnorm.py": "", "e.py": "",
                      "f_mnist_bn_and_mnist_batchnorm.py": ""})
    with pytest.raises(ConfigError) as asked:
        infer_assignment(config, subs)
    said = str(asked.value).splitlines()[-1]  # both languages: the English line last
    assert said.startswith(f"{subs}: cannot tell which assignment these submissions are for")
    assert "xor: 2, mnist_bn: 1, mnist_batchnorm: 1, naming no single assignment: 2" in said
    assert said.endswith(f"add --assignment NAME, one of: {', '.join(config.assignments)}")
    (subs / "g.py").write_text("")  # 2 of 7 name xor: not half of the students
    for name in ("c_mnist_bn.py", "d_mnist_batchnorm.py"):
        (subs / name).unlink()
    with pytest.raises(ConfigError, match="xor: 2, naming no single assignment: 3"):
        infer_assignment(config, subs)


def test_the_grade_command_says_which_assignment_it_inferred_and_grades_nothing_to_decide(two, tmp_path, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    _handed_in(subs, {"xor.py": "syntax error\n", "김민수_xor.py": "syntax error\n", "lee_xor (1).py": "syntax error\n",
                      "kim.py": "syntax error\n"})  # graded without a sandbox
    assert main([str(subs), "--out", str(out), "--config", str(two), "--language", "en"]) == 0
    err = capsys.readouterr().err
    assert "Grading xor (from the file names of 3 of 4 submissions)" in err
    rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 4 and {row["assignment"] for row in rows} == {"xor"}
    _handed_in(subs, {"park_mnist_bn.py": "syntax error\n", "choi_mnist_bn.py": "syntax error\n"})
    again = tmp_path / "again"
    assert main([str(subs), "--out", str(again), "--config", str(two), "--language", "en"]) == 2
    err = capsys.readouterr().err
    assert "cannot tell which assignment" in err and "xor: 3, mnist_bn: 2" in err and "Traceback" not in err
    assert not list(again.rglob("result.json"))  # nothing graded to decide


def test_close_names_finds_hangul_names_and_lms_ids():
    import unicodedata

    known = ["이서연", "이서준", "김민수", "kim_minsu_1234_assignsubmission_file_", "lee"]
    assert close_names("이서", known) == ["이서연", "이서준"]
    assert close_names(unicodedata.normalize("NFD", "이서연"), ["이서연"]) == ["이서연"]  # a Mac's terminal
    assert close_names("kim", known)[0] == "kim_minsu_1234_assignsubmission_file_"
    assert close_names("김민쑤", known) == ["김민수"]
    assert close_names("nobody-like-this", known) == []


def test_only_with_an_unknown_student_in_a_course_names_the_close_ones(two, tmp_path, capsys):
    course = tmp_path / "course"
    _handed_in(course, {"mnist_bn/이서연.py": "syntax error\n", "other/kim.py": "syntax error\n"})
    code = main([str(course), "--out", str(tmp_path / "out"), "--config", str(two), "--only", "이서"])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean 이서연?" in err and "혹시 다음 학생인가요? 이서연" in err


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
    assert main([str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--config", str(two), "--language", "en"]) == 2
    names = ", ".join(load_config(two).assignments)
    err = capsys.readouterr().err
    assert "cannot tell which assignment these submissions are for (submissions whose files name each: naming no " \
           f"single assignment: 1); add --assignment NAME, one of: {names}" in err and "Traceback" not in err


def test_list_shows_every_assignment_with_its_checks_and_points(two, capsys):
    assert main(["list", "--config", str(two)]) == 0
    out = capsys.readouterr().out
    assert out == listing(load_config(two))
    assert "mnist_bn: " in out and "other: " in out and out.count("100  total") == len(load_config(two).assignments)


def test_the_readme_table_of_assignments_matches_grader_toml():
    """README's table is generated (docs/readme_table.py): the committed one is what grader.toml gives."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_table", ROOT / "docs" / "readme_table.py")
    readme_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(readme_table)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == readme_table.with_table(readme, load_config(ROOT / "grader.toml")), \
        "README's table of assignments is stale: run python docs/readme_table.py"


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
