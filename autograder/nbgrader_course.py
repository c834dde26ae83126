"""`autograde nbgrader COURSE_DIR ASSIGNMENT`: nbgrader's workflow with our grading in the middle.

nbgrader's own `autograde` re-executes every notebook in full in the student's kernel. This fast
path reads `submitted/<student>/<assignment>/*.ipynb` (what `nbgrader collect` gathered), first
does to each notebook what `nbgrader autograde` does before running it and more
(`nbgrader_sanitize`: outputs cleared, cells restored from the gradebook, points and cell types
the gradebook's only), grades the result in our sandbox, and hands the verdicts to nbgrader's own
machinery:

  - `autograded/<student>/<assignment>/<notebook>.ipynb`: the sanitized submission with each graded
    test cell showing the visible part of its source only (hidden tests never leave the gradebook)
    and our verdict as its output: stdout when passed, stderr when not, which nbgrader scores full
    or 0;
  - the gradebook: nbgrader's `SaveAutoGrades` preprocessor records those scores (and the
    manually graded cells, pending a TA), so formgrader and `nbgrader export` show them;
  - `nbgrader generate_feedback` then writes `feedback/<student>/<assignment>/` with the
    timestamp and secret that `nbgrader release_feedback` needs.

One student's notebook never stops the others: whatever fails for one (no notebook, a renamed
one, metadata nbgrader refuses, a file nesting JSON 100,000 deep) is a note in that student's
result, and the gradebook records 0 for it, as nbgrader does for a missing notebook.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import SOURCE, Text, msg, render
from .feedback import Language, check_line, write_feedback
from .grading import Grader, Progress
from .nbsource import put_environment_on_path
from .results import SubmissionResult, save_result
from .source import NotText, Unreadable, decode, read_regular
from .student_files import MAX_FILE_BYTES, names
from .submissions import Submission

if TYPE_CHECKING:  # nbgrader is imported only when a course is graded: `autograde` starts faster
    from .nbgrader_sanitize import Released

EXTRAS = ("timestamp.txt", "submission_secret.txt")  # what generate_feedback and release_feedback need


class CourseError(Exception):
    """The course directory is not what nbgrader leaves behind; the message says what is missing."""


@dataclass
class _Student:
    """One student's submitted folder, read and sanitized before anything is graded."""

    submission: Submission
    notebook: Any = None  # the sanitized notebook; None when there is nothing to grade
    timestamp: datetime | None = None
    extras: dict[str, bytes] = field(default_factory=dict)  # EXTRAS as submitted


def _change_notes(changes: list[tuple[str, str]]) -> list[Text]:
    restored = [f"{cell}.{what}" for cell, what in changes if what not in ("missing", "html")]
    missing = [cell for cell, what in changes if what == "missing"]
    plain = [cell for cell, what in changes if what == "html"]
    return ([msg("nbgrader_course.restored", cells=names(restored, 20))] if restored else []) + \
        ([msg("nbgrader_course.missing_cells", cells=names(missing, 20))] if missing else []) + \
        ([msg("nbgrader_course.plain_text", cells=names(plain, 20))] if plain else [])


def _prepare(folder: Path, student: str, released: Released, scratch: Path) -> _Student:
    """Read and sanitize the student's notebook into `scratch`; any failure is the student's problem."""
    from nbformat import writes
    from nbgrader.utils import parse_utc

    from .nbgrader_sanitize import sanitize

    notes: list[Text] = []
    extras: dict[str, bytes] = {}
    linked = next((path for path in (folder.parent, folder) if path.is_symlink()), None)
    if linked is not None:  # `submitted/mallory -> alice`: never graded as mallory's work
        problem = msg("student_files.link", label=f"{linked.parent.name}/{linked.name}/", target=os.readlink(linked))
        return _Student(Submission(student, None, problem), None, None, extras)
    for name in EXTRAS:
        if (folder / name).exists():
            try:
                extras[name] = read_regular(folder / name, 4096)
            except OSError:
                notes.append(msg("nbgrader_course.unreadable_extra", file=name))
    timestamp = None
    if "timestamp.txt" in extras:
        try:
            timestamp = parse_utc(extras["timestamp.txt"].decode("utf-8").strip())
        except Exception:  # noqa: BLE001 - anything in the file: recorded without a time
            del extras["timestamp.txt"]  # generate_feedback would refuse the student over it
            notes.append(msg("nbgrader_course.bad_timestamp"))
    expected = folder / f"{released.notebook}.ipynb"
    found = [expected] if expected.is_file() else sorted(folder.glob("*.ipynb"))
    if len(found) != 1:
        problem = msg("nbgrader_course.no_notebook", folder=str(folder), notebook=expected.name)
        return _Student(Submission(student, None, problem, notes=tuple(notes)), None, timestamp, extras)
    if found[0] != expected:
        notes.append(msg("nbgrader_course.renamed", file=found[0].name, notebook=expected.name))
    try:
        nb, changes = sanitize(decode(read_regular(found[0], MAX_FILE_BYTES), found[0].name), released)
        path = scratch / student / expected.name
        path.parent.mkdir()
        path.write_text(writes(nb), encoding="utf-8")
    except (Unreadable, NotText) as exc:
        return _Student(Submission(student, None, exc.message, notes=tuple(notes)), None, timestamp, extras)
    except Exception as exc:  # noqa: BLE001 - whatever the file does to nbformat or nbgrader: this student's alone
        problem = msg("nbgrader_course.not_prepared", file=found[0].name, exception=type(exc).__name__,
                      detail=str(exc)[:300])
        return _Student(Submission(student, None, problem, notes=tuple(notes)), None, timestamp, extras)
    return _Student(Submission(student, path, notes=tuple(notes + _change_notes(changes))), nb, timestamp, extras)


def _verdict_outputs(result: SubmissionResult, check_id: str, setting: Language) -> list[dict]:
    text = check_line(result, check_id, setting)
    if text is None:
        return []
    passed = next(c for c in result.checks if c.id == check_id).status == "passed"
    return [{"output_type": "stream", "name": "stdout" if passed else "stderr", "text": text + "\n"}]


def autograded_notebook(nb: Any, result: SubmissionResult, released: Released, setting: Language = "both") -> Any:
    """The sanitized submission with our verdicts as the outputs of its test cells (visible code only)."""
    from nbformat import from_dict

    from .nbgrader_sanitize import visible

    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.source = visible(released.cells[meta["grade_id"]].source)
            cell.outputs = [from_dict(output) for output in
                            _verdict_outputs(result, meta["grade_id"].removeprefix("test_"), setting)]
            cell.execution_count = None
    return nb


def _record(course: Path, released: Released, db_url: str, student: _Student, result: SubmissionResult,
            setting: Language) -> None:
    """Write the autograded notebook and the gradebook's scores; for a student with nothing to
    grade, nbgrader's rule for a missing notebook: every grade 0, none pending."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import SaveAutoGrades

    from .nbgrader_sanitize import QUIET

    name, assignment = result.student, released.assignment
    with Gradebook(db_url) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's, from inside nbgrader, when it adds a new student
        gb.update_or_create_student(name)
        gb.update_or_create_submission(assignment, name, **({"timestamp": student.timestamp} if student.timestamp else {}))
        if student.notebook is None:
            for grade in gb.find_submission_notebook(released.notebook, assignment, name).grades:
                grade.auto_score, grade.needs_manual_grade = 0, False
            gb.db.commit()
    out = course / "autograded" / name / assignment
    path = out / f"{released.notebook}.ipynb"
    if student.notebook is None:  # an earlier run's notebook and feedback must not stand for this run
        for stale in (path, course / "feedback" / name / assignment / path.with_suffix(".html").name):
            stale.unlink(missing_ok=True)
        return
    nb = autograded_notebook(student.notebook, result, released, setting)
    out.mkdir(parents=True, exist_ok=True)
    for file, content in [*student.extras.items(), (path.name, nbformat.writes(nb).encode("utf-8"))]:
        (out / file).unlink(missing_ok=True)  # `nbgrader autograde` leaves its files read-only
        (out / file).write_bytes(content)
    resources = {"nbgrader": {"notebook": released.notebook, "assignment": assignment, "student": name,
                              "db_url": db_url}}
    SaveAutoGrades(log=QUIET).preprocess(nb, resources)


def _noted(result: SubmissionResult, note: Text, folder: Path, setting: Language) -> SubmissionResult:
    """`result` with one more note, in every language, written again with its feedback pages."""
    translations = {language: texts.model_copy(update={"notes": [*texts.notes, render(note, language)]})
                    for language, texts in result.translations.items()}
    result = result.model_copy(update={"notes": [*result.notes, render(note, SOURCE)], "translations": translations})
    write_feedback(folder, result, setting)
    save_result(result, folder / "result.json")
    return result


def _generate_feedback(course: Path, assignment: str, notebook: str, students: list[str]) -> set[str]:
    """Run `nbgrader generate_feedback`; the students it wrote no feedback for this time. It goes on
    past a student it fails on, so only a failure that leaves everyone without feedback is the run's."""
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", assignment, "--force"],
                          cwd=course, capture_output=True, text=True)

    def fresh(student: str) -> bool:
        page = course / "feedback" / student / assignment / f"{notebook}.html"
        return page.is_file() and page.stat().st_mtime >= started - 1

    missing = {student for student in students if not fresh(student)}
    if done.returncode != 0 and students and len(missing) == len(students):
        last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "no message")
        raise CourseError(f"nbgrader generate_feedback failed: {last}")
    return missing


def grade_course(grader: Grader, course: Path, assignment: str, force: bool = False,
                 progress: Progress | None = None) -> list[SubmissionResult]:
    from .extras import require

    require("nbgrader", "nbgrader", "autograde nbgrader")
    from nbgrader.api import MissingEntry

    from .nbgrader_sanitize import read_released

    put_environment_on_path()
    course = course.resolve()
    notebook = grader.plan.module_name
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    try:
        released = read_released(db_url, notebook, assignment)
    except MissingEntry:
        raise CourseError(f"the gradebook of {course} has no notebook {assignment}/{notebook}.ipynb "
                          f"(run `nbgrader generate_assignment {assignment}` first)") from None
    root = course / "submitted"
    if not root.is_dir():
        raise CourseError(f"{root}: no submitted/ folder (run `nbgrader collect {assignment}` first)")
    out_dir = course / "autograder" / assignment
    setting = grader.config.report.language
    with tempfile.TemporaryDirectory(prefix="autograde-nbgrader-") as scratch:
        students = {folder.name: _prepare(folder / assignment, folder.name, released, Path(scratch))
                    for folder in sorted(root.iterdir()) if (folder / assignment).is_dir()}
        results = grader.grade([s.submission for s in students.values()], out_dir=out_dir, force=force,
                               progress=progress)
    recorded, final = [], []
    for result in results:
        student = students[result.student]
        try:
            _record(course, released, db_url, student, result, setting)
        except Exception as exc:  # noqa: BLE001 - the gradebook refused this one result: the others go on
            result = _noted(result, msg("nbgrader_course.not_recorded", exception=type(exc).__name__,
                                        detail=str(exc)[:300]), out_dir / result.student, setting)
        else:
            if student.notebook is not None:
                recorded.append(result.student)
        final.append(result)
    missing = _generate_feedback(course, assignment, notebook, recorded)
    return [_noted(result, msg("nbgrader_course.no_feedback"), out_dir / result.student, setting)
            if result.student in missing else result for result in final]
