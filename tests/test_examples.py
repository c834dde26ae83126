"""The README's main job, through the command line: `autograde examples/submissions/`."""

from __future__ import annotations

import csv

from autograder.cli import main
from autograder.results import load_result

from .conftest import DATA_ROOT, ROOT


def test_grading_the_examples_folder(tmp_path, capsys):
    out = tmp_path / "results"
    assert main([str(ROOT / "examples" / "submissions"), "--out", str(out), "--data-root", str(DATA_ROOT),
                 "--assignment", "mnist_bn"]) == 0
    progress = capsys.readouterr().err
    assert "[3/3]" in progress and "Done in" in progress
    results = {name: load_result(out / name / "result.json") for name in ("alice", "bob", "chris")}
    failing = {name: {c.id for c in r.checks if c.status != "passed"} for name, r in results.items()}
    assert failing == {"alice": set(), "bob": {"order", "eval_mode"}, "chris": {"init", "optimizer", "accuracy"}}
    assert results["bob"].submission == "bob.ipynb" and results["chris"].submission == "chris/mnist_bn.py"
    assert "ReLU → BatchNorm" in (out / "bob" / "feedback.md").read_text()
    # The pages and exports a TA and the students get, in Korean and English.
    page = (out / "bob" / "feedback.html").read_text(encoding="utf-8")
    assert "bob의 피드백" in page and "Feedback for bob" in page and "ReLU → BatchNorm" in page
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "제출물 3개" in report and "3 submissions" in report and 'id="measured-accuracy"' in report
    long = list(csv.DictReader((out / "results_long.csv").open(encoding="utf-8-sig")))
    assert len(long) == sum(len(r.checks) for r in results.values())
    accuracy = {row["student"]: row for row in long if row["check"] == "accuracy"}
    assert float(accuracy["alice"]["measured"]) >= float(accuracy["alice"]["threshold"]) > 0
    rows = {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig"))}
    assert rows["alice"]["score"] == "100" and rows["chris"]["accuracy"] == "0"
    assert rows["chris"]["submission"] == "chris/mnist_bn.py" and rows["bob"]["notes"] == ""
    # A second run re-uses everything.
    assert main([str(ROOT / "examples" / "submissions"), "--out", str(out), "--data-root", str(DATA_ROOT),
                 "--assignment", "mnist_bn"]) == 0
    assert capsys.readouterr().err.count("result re-used") == 3
