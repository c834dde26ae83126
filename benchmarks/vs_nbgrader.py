"""The side-by-side against nbgrader: the same N students' correct solutions of the homework,

(a) as conventional nbgrader notebooks: the course's code as written, training in its cells (15
    epochs, then Q1-2's three more models), with the assert test cells an instructor would write
    (layer sizes, block order, Xavier init, eval mode, accuracy), run through `nbgrader autograde`;
(b) graded by `autograde`: the batch command on the same solutions as .py files, and
    `autograde nbgrader` on an nbgrader course of this grader's notebooks.

    .venv/bin/python -m benchmarks.vs_nbgrader 3 [--runs 3]

Prints both wall times and the ratio; the last line is `nbgrader S1 s, autograde S2 s, ratio R`
(S2: the batch command; with --runs, each the median). One bare one-thread epoch of the homework's
reference, measured in the same run (benchmarks/bare_epoch.py), gives each time as a multiple.
Everything runs in a temporary folder, on this machine's CPU.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.nbsource import put_environment_on_path
from benchmarks.bare_epoch import bare_epoch_s, describe
from tests.test_nbgrader import COURSE_CONFIG, fill

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT.parent / "shared" / "data").resolve()
ASSIGNMENT = "mnist_bn"

# What an instructor writes as nbgrader test cells for this homework: asserts, points each.
TESTS = {
    "test_shapes": (20, """layers = [m for m in build_model().modules() if isinstance(m, torch.nn.Linear)]
assert [(l.in_features, l.out_features) for l in layers] == [(784, 100), (100, 100), (100, 10)]"""),
    "test_order": (20, """kinds = [type(m).__name__ for m in build_model().modules()][1:]
kinds = [k for k in kinds if k != "Sequential"]
assert kinds[:4] == ["Linear", "BatchNorm1d", "ReLU", "Dropout"], kinds"""),
    "test_xavier": (20, """import math
for layer in [m for m in build_model().modules() if isinstance(m, torch.nn.Linear)]:
    expected = math.sqrt(2 / (layer.in_features + layer.out_features))
    assert abs(layer.weight.std().item() / expected - 1) < 0.15"""),
    "test_eval": (20, """bn_model.train()
evaluate(bn_model, test_loader)
assert not bn_model.training, "evaluate() must call model.eval()\""""),
    "test_accuracy": (20, """assert evaluate(bn_model, test_loader) > 0.9"""),
}


def nbgrader(*args: str, cwd: Path) -> None:
    put_environment_on_path()
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def conventional_notebook() -> nbformat.NotebookNode:
    """The course's code as a notebook runs it: every cell top to bottom, the training included."""
    code = "\n".join(line for line in (ROOT / "reference" / f"{ASSIGNMENT}.py").read_text(encoding="utf-8").splitlines()
                     if "SOLUTION" not in line)  # a conventional notebook has no solution regions
    code = code.replace('if __name__ == "__main__":', "if True:  # the notebook runs it", 1)
    code = code.replace("mnist_train, mnist_test = load_mnist()", f"mnist_train, mnist_test = load_mnist({str(DATA)!r})", 1)
    cells = [nbformat.v4.new_code_cell(code)]
    for grade_id, (points, test) in TESTS.items():
        cell = nbformat.v4.new_code_cell(test)
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": points,
                                     "schema_version": 3, "solution": False, "task": False}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                          "language": "python"}})


def course(root: Path, source: Path, students: list[str]) -> Path:
    """An nbgrader course with `source` as the assignment, and each student's submitted copy."""
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(COURSE_CONFIG.format(course=root, exchange=root / "exchange"))
    shutil.copy(source, root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    for student in students:
        nbgrader("db", "student", "add", student, cwd=root)
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=root)
    return root


def submit(root: Path, student: str, notebook: Path) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(notebook, folder / f"{ASSIGNMENT}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-30 10:00:00.000000 UTC")


def timed(command: list[str], cwd: Path) -> float:
    start = time.monotonic()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return time.monotonic() - start


def side_by_side(students: list[str]) -> tuple[float, float, float, list[float]]:
    """One run: (nbgrader's time, the batch command's, `autograde nbgrader`'s, nbgrader's own scores)."""
    with tempfile.TemporaryDirectory(prefix="vs-nbgrader-") as tmp:
        tmp_path = Path(tmp)
        # (a) nbgrader as courses use it.
        source = tmp_path / "conventional.ipynb"
        nbformat.write(conventional_notebook(), str(source))
        plain = course(tmp_path / "plain", source, students)
        for student in students:
            submit(plain, student, source)
        nbgrader_s = timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], plain)
        # (b1) autograde's batch command on the same solutions.
        folder = tmp_path / "submissions"
        folder.mkdir()
        for student in students:
            shutil.copy(ROOT / "reference" / f"{ASSIGNMENT}.py", folder / f"{student}.py")
        batch_s = timed([sys.executable, "-m", "autograder", str(folder), "--assignment", ASSIGNMENT, "--out",
                         str(tmp_path / "results"), "--data-root", str(DATA), "--quiet"], ROOT)
        # (b2) autograde nbgrader on a course of this grader's notebooks.
        ours = course(tmp_path / "ours", ROOT / "reference" / f"{ASSIGNMENT}.ipynb", students)
        release = ours / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        reference = (ROOT / "reference" / f"{ASSIGNMENT}.py").read_text(encoding="utf-8")
        for student in students:
            filled = tmp_path / f"{student}.ipynb"
            shutil.copy(release, filled)
            fill(filled, reference, "Wider layers trained better.")
            submit(ours, student, filled)
        fast_s = timed([sys.executable, "-m", "autograder", "nbgrader", str(ours), ASSIGNMENT, "--data-root",
                        str(DATA), "--quiet"], ROOT)
        scores = json.loads(subprocess.run([sys.executable, "-c", (
            "from nbgrader.api import Gradebook; import json;"
            f"gb = Gradebook('sqlite:///{plain / 'gradebook.db'}');"
            f"print(json.dumps([gb.find_submission('{ASSIGNMENT}', s).score for s in {students!r}]))")],
            capture_output=True, text=True, check=True).stdout)
    return nbgrader_s, batch_s, fast_s, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("students", type=int, nargs="?", default=3)
    parser.add_argument("--runs", type=int, default=1, help="side-by-side runs; each time is their median")
    args = parser.parse_args()
    students = [f"student{number:02d}" for number in range(1, args.students + 1)]
    runs = [side_by_side(students) for _ in range(args.runs)]
    epoch = bare_epoch_s(runs=3)
    nbgrader_s, batch_s, fast_s = (statistics.median(run[index] for run in runs) for index in range(3))
    epoch_s = statistics.median(epoch)
    print(f"{args.students} students, correct solutions; nbgrader's own scores: {runs[-1][3]}")
    print(f"one bare epoch of the homework's reference: {describe(epoch)}")
    print(f"(a)  nbgrader autograde, conventional notebooks (training in cells): {nbgrader_s:.1f} s "
          f"({nbgrader_s / epoch_s:.0f}x the bare epoch)")
    print(f"(b1) autograde SUBMISSIONS/ (the batch command):                      {batch_s:.1f} s "
          f"({batch_s / epoch_s:.1f}x)")
    print(f"(b2) autograde nbgrader COURSE ASSIGNMENT (this grader's notebooks):  {fast_s:.1f} s "
          f"({fast_s / epoch_s:.1f}x)")
    print(f"nbgrader {nbgrader_s:.1f} s, autograde {batch_s:.1f} s, ratio {nbgrader_s / batch_s:.1f}")


if __name__ == "__main__":
    main()
