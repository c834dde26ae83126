"""`autograde nbgrader COURSE_DIR ASSIGNMENT`: nbgrader's workflow with our grading in the middle.

nbgrader's own `autograde` re-executes every notebook in full in the student's kernel. This fast
path reads `submitted/<student>/<assignment>/*.ipynb` (what `nbgrader collect` gathered), grades
each one in our sandbox, and then hands the verdicts back to nbgrader's own machinery:

  - `autograded/<student>/<assignment>/<notebook>.ipynb`: the submission with each graded test cell
    showing the visible part of its source only (hidden tests never leave the gradebook) and our
    verdict as its output: stdout when passed, stderr when not, which nbgrader scores full or 0;
  - the gradebook: nbgrader's `SaveAutoGrades` preprocessor records those scores (and the
    manually graded cells, exactly as nbgrader would), so formgrader and `nbgrader export` show them;
  - `nbgrader generate_feedback` then writes `feedback/<student>/<assignment>/` with the
    timestamp and secret that `nbgrader release_feedback` needs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .catalog import msg
from .feedback import Language, check_line
from .grading import Grader, Progress
from .nbsource import put_environment_on_path
from .results import SubmissionResult
from .submissions import Submission

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)


class CourseError(Exception):
    """The course directory is not what nbgrader leaves behind; the message says what is missing."""


def submissions(course: Path, assignment: str, notebook: str) -> list[Submission]:
    root = course / "submitted"
    if not root.is_dir():
        raise CourseError(f"{root}: no submitted/ folder (run `nbgrader collect {assignment}` first)")
    found = []
    for student in sorted(p for p in root.iterdir() if p.is_dir()):
        folder = student / assignment
        if not folder.is_dir():
            continue
        path = folder / f"{notebook}.ipynb"
        notebooks = [path] if path.is_file() else sorted(folder.glob("*.ipynb"))
        if len(notebooks) == 1:
            found.append(Submission(student.name, notebooks[0]))
        else:
            found.append(Submission(student.name, None, msg("nbgrader_course.no_notebook", folder=str(folder),
                                                               notebook=f"{notebook}.ipynb")))
    return found


def _verdict_outputs(result: SubmissionResult, check_id: str, setting: Language) -> list[dict]:
    text = check_line(result, check_id, setting)
    if text is None:
        return []
    passed = next(c for c in result.checks if c.id == check_id).status == "passed"
    return [{"output_type": "stream", "name": "stdout" if passed else "stderr", "text": text + "\n"}]


def autograded_notebook(submitted: dict, result: SubmissionResult, source_of: Callable[[str], str],
                        setting: Language = "both") -> dict:
    """The submission with our verdicts as the outputs of its test cells (visible code only)."""
    for cell in submitted.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            cell["source"] = HIDDEN.sub("", source_of(grade_id))
            cell["outputs"] = _verdict_outputs(result, grade_id.removeprefix("test_"), setting)
            cell["execution_count"] = None
    return submitted


def grade_course(grader: Grader, course: Path, assignment: str, force: bool = False,
                 progress: Progress | None = None) -> list[SubmissionResult]:
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.preprocessors import SaveAutoGrades
    from nbgrader.utils import parse_utc

    put_environment_on_path()
    course = course.resolve()
    notebook = grader.plan.module_name
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db_url) as gb:
        try:
            gb.find_notebook(notebook, assignment)
        except MissingEntry:
            raise CourseError(f"the gradebook of {course} has no notebook {assignment}/{notebook}.ipynb "
                              f"(run `nbgrader generate_assignment {assignment}` first)") from None
    results = grader.grade(submissions(course, assignment, notebook), out_dir=course / "autograder" / assignment,
                           force=force, progress=progress)
    for result in results:
        folder = course / "submitted" / result.student / assignment
        path = folder / result.submission
        if not path.is_file():
            continue
        with Gradebook(db_url) as gb:
            gb.update_or_create_student(result.student)
            timestamp_file = folder / "timestamp.txt"
            timestamp = parse_utc(timestamp_file.read_text().strip()) if timestamp_file.is_file() else None
            gb.update_or_create_submission(assignment, result.student, **({"timestamp": timestamp} if timestamp else {}))
            sources = {cell.name: cell.source for cell in gb.find_notebook(notebook, assignment).source_cells}
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nb = nbformat.from_dict(autograded_notebook(nb, result, lambda grade_id: sources.get(grade_id, ""),
                                                    grader.config.report.language))
        out = course / "autograded" / result.student / assignment
        out.mkdir(parents=True, exist_ok=True)
        for extra in ("timestamp.txt", "submission_secret.txt"):
            if (folder / extra).is_file():
                shutil.copy(folder / extra, out / extra)
        resources = {"nbgrader": {"notebook": Path(result.submission).stem, "assignment": assignment,
                                  "student": result.student, "db_url": db_url}}
        SaveAutoGrades().preprocess(nb, resources)
        nbformat.write(nb, str(out / result.submission))
    feedback = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", assignment, "--force"],
                              cwd=course, capture_output=True, text=True)
    if feedback.returncode != 0:
        raise CourseError(f"nbgrader generate_feedback failed:\n{feedback.stderr[-2000:]}")
    return results
