"""`autograde gradescope`: the autograder zip, and its `run_autograder` run against a local stand-in
of Gradescope's /autograder layout (source/, submission/, results/), with results.json validated
against Gradescope's format."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
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
    started = time.monotonic()
    run = subprocess.run([str(autograder / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((autograder / "results" / "results.json").read_text(encoding="utf-8"))
    _validate(results)
    assert results["score"] == 100 and len(results["tests"]) >= 4
    # The whole run's seconds (the sandbox's start included), not the submission's share of it.
    assert elapsed - 2 <= results["execution_time"] <= elapsed + 1, (results["execution_time"], elapsed)
    assert all("통과 / PASS" in test["output"] for test in results["tests"])

    # A broken submission: every test failed, and still valid JSON with the causes in both languages.
    (autograder / "submission" / "softmax_tips.py").write_text("def build_model(:\n", encoding="utf-8")
    run = subprocess.run([str(autograder / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    results = json.loads((autograder / "results" / "results.json").read_text(encoding="utf-8"))
    _validate(results)
    assert results["score"] == 0 and all(test["status"] == "failed" for test in results["tests"])


def test_setup_installs_python_3_11_and_never_uses_the_images_python3(tmp_path):
    """Gradescope's Ubuntu 22.04 image has Python 3.10 as python3, which its own harness uses: setup.sh
    installs python3.11 (Ubuntu's package, else the deadsnakes PPA) and calls it by that name."""
    assert main(["gradescope", "softmax_tips", "--out", str(tmp_path)]) == 0
    with zipfile.ZipFile(tmp_path / "autograder_softmax_tips.zip") as packed:
        setup = packed.read("setup.sh").decode()
    (tmp_path / "setup.sh").write_text(setup)
    assert subprocess.run(["bash", "-n", str(tmp_path / "setup.sh")]).returncode == 0
    assert setup.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in setup
    commands = [line for line in setup.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert not [line for line in commands if re.search(r"\bpython3\b(?!\.)|\bpip3?\b(?! install)", line)
                and "python -m pip" not in line], "nothing may run the image's python3 or its pip"
    assert "apt-get install -y python3.11 python3.11-venv" in setup and "ppa:deadsnakes/ppa" in setup
    assert "python3.11 -m venv .venv" in setup and "sys.version_info[:2] == (3, 11)" in setup


def test_an_unknown_assignment_is_a_clear_error(tmp_path, capsys):
    assert main(["gradescope", "no_such_lab", "--out", str(tmp_path)]) == 2
    assert "no assignment 'no_such_lab'" in capsys.readouterr().err
