"""Screenshots of the class report, the course page and one student's feedback page, for the README.

Generates a class of 40 submissions of the homework (tests/classroom.py: correct styles, every known
bug, the skeleton, files that do not run, two pairs who share code), grades them with the batch
command as a course folder (`course/<assignment>/`), and renders the assignment's `report.html`, the
course page and one `feedback.html` in headless Chromium:

    .venv/bin/python -m benchmarks.report_screenshot [--assignment mnist_bn] [--out docs/]

Prints the figures of the batch (students, mean score, seconds) and where the PNGs went. Look at
them: Korean must be drawn as Korean, not as empty boxes (a Korean font: `bash .ci/setup`).
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
from pathlib import Path

from autograder.class_report import load_results
from autograder.cli import find_config, main
from autograder.config import load_config
from tests.browser import find_chromium, korean_font, screenshot
from tests.classroom import make_class


def run(assignment: str, out: Path) -> None:
    config = load_config(find_config(None))
    lab = importlib.import_module(f"tests.labs.{assignment}")
    if find_chromium() is None:
        raise SystemExit("no chromium: install Debian's chromium (bash .ci/setup does)")
    print(f"Korean font: {korean_font() or 'none (plots in English only)'}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        handed = make_class(lab, config.path(config.assignments[assignment].skeleton), root / "course" / assignment)
        start = time.monotonic()
        main(["grade", str(root / "course"), "--out", str(root / "results"), "--quiet"])
        seconds = time.monotonic() - start
        folder = root / "results" / assignment
        results = load_results(folder)
        print(f"{len(handed)} students graded in {seconds:.1f} s, mean {sum(r.score for r in results) / len(results):.1f}")
        out.mkdir(parents=True, exist_ok=True)
        screenshot(folder / "report.html", out / "class_report.png", root / "chromium", 1200, 2400)
        screenshot(root / "results" / "report.html", out / "course_report.png", root / "chromium3", 1200, 1000)
        student = next(r.student for r in results if 0 < r.score < r.max_score)
        screenshot(folder / student / "feedback.html", out / "feedback.png", root / "chromium2", 1100, 1300)
    print(f"wrote {out / 'class_report.png'}, {out / 'course_report.png'} and {out / 'feedback.png'} "
          f"(feedback of {student})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="mnist_bn")
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    run(args.assignment, args.out)
