"""Gradescope: the autograder zip a Gradescope course uploads, and what its `run_autograder` runs.

`autograde gradescope ASSIGNMENT --out DIR` writes `DIR/autograder_<assignment>.zip` holding
`setup.sh` (Gradescope runs it once, when it builds the image: Python, torch, this grader, MNIST),
`run_autograder` (run for every submission) and `source/` (this package, `grader.toml` and the
assignment's skeleton). `run_autograder` calls `python -m autograder.gradescope`, which grades
`/autograder/submission/` with the same sandbox and checks as `autograde`, and writes
`/autograder/results/results.json` in Gradescope's format: the score, the execution time, and one
test per check (name, score, max_score, output in `[report] language`, visibility, status).

The stand-in used by the tests sets GRADESCOPE_ROOT (instead of /autograder), AUTOGRADE_PYTHON and
AUTOGRADE_DATA, so the same script runs here against a local copy of Gradescope's layout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from .config import Config, load_config
from .feedback import Language, Words, check_line
from .grading import PACKAGE, Grader, package_files
from .results import SubmissionResult
from .submissions import discover

SETUP = """\
#!/usr/bin/env bash
# Run once by Gradescope when it builds the autograder image (Ubuntu 22.04, as root, with internet).
# The grader needs Python 3.11, and the image's python3 is 3.10: install python3.11 next to it and
# use it by that name (Gradescope's own harness runs on the system python3, which must stay as it is).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
if ! apt-get install -y python3.11 python3.11-venv; then
  # Not in the image's sources (Ubuntu's universe): the deadsnakes PPA builds it for every Ubuntu LTS.
  apt-get install -y software-properties-common
  add-apt-repository -y ppa:deadsnakes/ppa
  apt-get update
  apt-get install -y python3.11 python3.11-venv
fi
apt-get install -y bubblewrap || echo "setup.sh: no bubblewrap; the grader uses its Landlock or process tier" >&2
apt-get install -y fonts-nanum || true
cd /autograder/source
python3.11 -m venv .venv
.venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version'
.venv/bin/python -m pip install torch==2.14.1 torchvision==0.29.1
.venv/bin/python -m pip install -e .
# MNIST where grader.toml's [data] root points (source/data): the hidden test labels stay on this image.
.venv/bin/python -c "import torchvision; [torchvision.datasets.MNIST('data', train=t, download=True) for t in (True, False)]"
"""

RUN = """\
#!/usr/bin/env bash
# Run by Gradescope for every submission: grade /autograder/submission, write results/results.json.
set -uo pipefail
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
cd "$ROOT/source"
exec "${{AUTOGRADE_PYTHON:-$ROOT/source/.venv/bin/python}}" -m autograder.gradescope {assignment} \\
    --root "$ROOT" --data-root "${{AUTOGRADE_DATA:-$ROOT/source/data}}"
"""


def build_zip(config: Config, name: str, out: Path) -> Path:
    """The autograder zip of one assignment, for Gradescope's "Configure Autograder" page."""
    assignment = config.assignments[name]
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"autograder_{name}.zip"
    only = {"grader": config.grader.model_dump(mode="json"), "limits": config.limits.model_dump(mode="json"),
            "report": config.report.model_dump(mode="json")}
    toml = _toml_of(only) + '\n[data]\nroot = "data"\n\n' + _assignment_toml(config, name)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP)
        _add(archive, "run_autograder", RUN.format(assignment=name))
        for path in package_files():
            archive.write(path, f"source/autograder/{path.relative_to(PACKAGE).as_posix()}")
        archive.write(PACKAGE.parent / "pyproject.toml", "source/pyproject.toml")
        archive.writestr("source/README.md", "The grader of the course, packed by `autograde gradescope`.\n")
        archive.write(config.path(assignment.skeleton), f"source/{assignment.skeleton.as_posix()}")
        archive.writestr("source/grader.toml", toml)
    return target


def _add(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16  # Gradescope runs them as programs
    archive.writestr(info, text)


def _toml_of(tables: dict[str, dict]) -> str:
    return "".join(f"[{table}]\n" + "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n"
                                           for key, value in values.items()
                                           if value is not None) + "\n" for table, values in tables.items())


def _assignment_toml(config: Config, name: str) -> str:
    """The assignment's own section, read back from the TA's grader.toml (comments and all)."""
    source = config.base_dir / "grader.toml"
    lines, keep = [], False
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            table = line.strip("[] ")
            keep = table == f"assignments.{name}" or table.startswith(f"assignments.{name}.")
        if keep:
            lines.append(line)
    return "\n".join(lines) + "\n"


def results_json(result: SubmissionResult, setting: Language, seconds: float | None = None) -> dict:
    """Gradescope's results.json for one graded submission. `execution_time` is `seconds`, what the
    whole run took (the sandbox's start, importing torch and loading MNIST included), in whole
    seconds as Gradescope shows it; the result's own `duration_s` counts only this submission's
    share after the start (a 15 s run reported 1 s)."""
    words = Words(result, setting)
    overview = [" / ".join(title) + ":\n" + "\n".join("- " + "\n  ".join(item) for item in items)
                for title, items in words.sections()]
    elapsed = result.duration_s if seconds is None else seconds
    return {"score": result.score, "execution_time": max(1, round(elapsed)),
            "output": "\n\n".join(overview), "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [{"name": f"{check.id}: {' / '.join(words.check(index, 'title'))}", "score": check.score,
                       "max_score": check.max_score, "status": "passed" if check.status == "passed" else "failed",
                       "output": check_line(result, check.id, setting), "visibility": "visible"}
                      for index, check in enumerate(result.checks)]}


def run(config: Config, name: str, root: Path, data_root: Path | None, started: float | None = None) -> dict:
    """Grade Gradescope's `<root>/submission/` and write `<root>/results/results.json`; its
    execution time is the whole run's, from `started` (time.monotonic(), default: now)."""
    started = time.monotonic() if started is None else started
    grader = Grader(config, name, data_root)
    student = _student(root)
    with tempfile.TemporaryDirectory(prefix="autograde-gradescope-") as scratch:
        batch = Path(scratch) / "batch"
        shutil.copytree(root / "submission", batch / student, symlinks=True)
        unpacked = Path(scratch) / "unpacked"
        unpacked.mkdir()
        submissions, _ = discover(batch, grader.plan.module_name, scratch=unpacked)
        [result] = grader.grade(submissions)
    payload = results_json(result, config.report.language, time.monotonic() - started)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return payload


def _student(root: Path) -> str:
    """The student's name from Gradescope's submission_metadata.json, else "submission"."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8")).get("users") or []
        return str(users[0].get("name") or "submission").replace("/", "_")
    except (OSError, ValueError, AttributeError, IndexError):
        return "submission"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope",
                                     description="What run_autograder runs on Gradescope (see autograde gradescope).")
    parser.add_argument("assignment")
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    parser.add_argument("--data-root", type=Path)
    started = time.monotonic()
    args = parser.parse_args(argv)
    config = load_config(Path("grader.toml").resolve())
    try:
        run(config, args.assignment, args.root, args.data_root, started)
    except Exception as exc:  # Gradescope shows results.json; a failure must still say something there
        (args.root / "results").mkdir(parents=True, exist_ok=True)
        (args.root / "results" / "results.json").write_text(json.dumps(
            {"score": 0, "output": f"The autograder could not run ({type(exc).__name__}: {exc}); tell your TA.",
             "tests": []}), encoding="utf-8")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
