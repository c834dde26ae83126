"""`autograde gradescope`: the autograder zip, and its `run_autograder` run against a local stand-in
of Gradescope's /autograder layout (source/, submission/, results/), with results.json validated
against Gradescope's format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder.cli import main

from .conftest import DATA_ROOT

ROOT = Path(__file__).resolve().parents[1]


def _validate(results: dict) -> None:
    """Gradescope's results.json: a numeric score, tests with name/score/max_score/output/visibility."""
    assert isinstance(results["score"], (int, float)) and isinstance(results["execution_time"], int)
    assert results["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility", "status"}
        assert isinstance(test["score"], (int, float)) and 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed") and isinstance(test["output"], str)
    assert abs(results["score"] - sum(t["score"] for t in results["tests"])) < 1e-9


def test_the_zip_runs_as_gradescope_runs_it(tmp_path, capsys):
    assert main(["gradescope", "softmax_tips", "--out", str(tmp_path / "out")]) == 0
    archive = tmp_path / "out" / "autograder_softmax_tips.zip"
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as packed:
        names = packed.namelist()
        assert {"setup.sh", "run_autograder", "source/grader.toml", "source/autograder/cli.py",
                "source/autograder/catalog/ko/feedback.po", "source/assignments/softmax_tips/softmax_tips.py"} <= set(names)
        assert not any(name.startswith("source/reference/") for name in names), "the reference stays with the TA"
        assert (packed.getinfo("run_autograder").external_attr >> 16) & 0o111, "run_autograder must be executable"
        packed.extractall(autograder)
    (autograder / "run_autograder").chmod(0o755)
    (autograder / "submission").mkdir()
    (autograder / "submission" / "softmax_tips.py").write_bytes((ROOT / "reference" / "softmax_tips.py").read_bytes())
    (autograder / "submission_metadata.json").write_text(json.dumps({"users": [{"name": "김민준"}]}), encoding="utf-8")
    env = {**os.environ, "GRADESCOPE_ROOT": str(autograder), "AUTOGRADE_PYTHON": sys.executable,
           "AUTOGRADE_DATA": str(DATA_ROOT)}
    run = subprocess.run([str(autograder / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((autograder / "results" / "results.json").read_text(encoding="utf-8"))
    _validate(results)
    assert results["score"] == 100 and len(results["tests"]) >= 4
    assert all("통과 / PASS" in test["output"] for test in results["tests"])

    # A broken submission: every test failed, and still valid JSON with the causes in both languages.
    (autograder / "submission" / "softmax_tips.py").write_text("def build_model(:\n", encoding="utf-8")
    run = subprocess.run([str(autograder / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    results = json.loads((autograder / "results" / "results.json").read_text(encoding="utf-8"))
    _validate(results)
    assert results["score"] == 0 and all(test["status"] == "failed" for test in results["tests"])


def test_an_unknown_assignment_is_a_clear_error(tmp_path, capsys):
    assert main(["gradescope", "no_such_lab", "--out", str(tmp_path)]) == 2
    assert "no assignment 'no_such_lab'" in capsys.readouterr().err
