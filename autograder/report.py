"""What a TA's spreadsheet reads: `gradebook.csv`, `course_gradebook.csv` (a student's pages are in feedback.py)."""

from __future__ import annotations

import csv
import io
import unicodedata

from .feedback import points as _points
from .results import SubmissionResult


FORMULA_STARTS = ("=", "+", "-", "@")


def _text_cell(text: str) -> str:
    """Text cells come from names students chose: one a spreadsheet would take for a formula is
    prefixed with "'" (OWASP's rule): it starts with a tab or a carriage return, or its first
    character after any spaces is =, +, - or @, in any width a spreadsheet may read as one (NFKC:
    full-width `＝`, small `﹢`, and full-width spaces before them, too). A carriage return becomes
    a newline: the csv module leaves a cell with a lone CR unquoted, and a spreadsheet would start a
    new row there (a forged row), where a newline makes the cell quoted."""
    first = unicodedata.normalize("NFKC", text.lstrip()[:1])
    formula = text.startswith(("\t", "\r")) or first.startswith(FORMULA_STARTS)
    return ("'" if formula else "") + text.replace("\r\n", "\n").replace("\r", "\n")


def excel_csv(header: list[str], rows: list[list[object]]) -> str:
    """CSV text that starts with a UTF-8 byte order mark ("\ufeff"), so that Excel, which otherwise
    reads a CSV in the system's legacy code page, shows Korean names correctly; read it back with
    encoding="utf-8-sig". String cells are made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_text_cell(cell) if isinstance(cell, str) else cell for cell in row] for row in rows)
    return "\ufeff" + buffer.getvalue()


def _said(note: str, cause: str) -> bool:
    """The cause is (in) a note already: a link the grader did not follow is both."""
    note, cause = note.rstrip(". "), cause.rstrip(". ")
    return bool(note) and (note in cause or cause in note)


def row_notes(result: SubmissionResult) -> list[str]:
    """The gradebook's notes for one student: those about the files handed in and, when no check
    could run, why (the cause every check points to: an empty file, a `.hwp` handed in alone, a file
    stopped while importing), so that a 0 in the spreadsheet never comes without its reason."""
    notes = list(result.notes)
    if result.checks and all(check.status == "error" for check in result.checks):
        causes = result.fix_first or [check.standalone_message for check in result.checks]
        notes += [cause for cause in dict.fromkeys(causes) if not any(_said(note, cause) for note in notes)]
    return notes


def gradebook_csv(results: list[SubmissionResult], check_ids: list[str]) -> str:
    """One row per student: student, assignment, submission (what was graded, relative to the
    submissions folder, so `jung_minho` maps back to `jung minho.py`), notes (`row_notes`, joined
    with "; "), one column per check, score, max_score, errors (checks that could not run)."""
    rows = []
    for result in sorted(results, key=lambda r: r.student):
        by_id = {check.id: check for check in result.checks}
        errors = sum(check.status == "error" for check in result.checks)
        rows.append([result.student, result.assignment, result.submission, "; ".join(row_notes(result)),
                     *(_points(by_id[i].score) if i in by_id else "" for i in check_ids),
                     _points(result.score), _points(result.max_score), errors])
    return excel_csv(["student", "assignment", "submission", "notes", *check_ids, "score", "max_score", "errors"], rows)


def course_gradebook_csv(results: dict[str, list[SubmissionResult]], max_scores: dict[str, float],
                         bonus: frozenset[str] = frozenset()) -> str:
    """One row per student, one column per assignment's total (empty when the student handed in
    nothing for it), the course total, and the bonus assignments' points apart from it."""
    names = list(results)
    by = {(name, r.student): r.score for name, rows in results.items() for r in rows}
    students = sorted({student for _, student in by})
    course = [name for name in names if name not in bonus]
    extra = [name for name in names if name in bonus]

    def total(student: str, among: list[str]) -> str:
        return _points(sum(by.get((name, student), 0.0) for name in among))

    rows = [[student, *(_points(by[name, student]) if (name, student) in by else "" for name in names),
             total(student, course), _points(sum(max_scores[name] for name in course)),
             *([total(student, extra), _points(sum(max_scores[name] for name in extra))] if extra else [])]
            for student in students]
    return excel_csv(["student", *names, "total", "max_total", *(["bonus", "max_bonus"] if extra else [])], rows)


def long_csv(results: list[SubmissionResult]) -> str:
    """One row per student and check (the long format pandas and pivot tables want): student,
    assignment, check, status, score, max_score, measured (the value a measuring check compared,
    e.g. the accuracy), threshold, message (English). A check stopped by a cause that the feedback
    page explains once under "Fix this first" says "see above" there; a CSV row has no above, so
    it carries the cause itself (`standalone_message`)."""
    rows = [[r.student, r.assignment, c.id, c.status, _points(c.score), _points(c.max_score),
             "" if c.measured is None else c.measured, "" if c.threshold is None else c.threshold,
             c.standalone_message]
            for r in sorted(results, key=lambda r: (r.assignment, r.student)) for c in r.checks]
    return excel_csv(["student", "assignment", "check", "status", "score", "max_score", "measured", "threshold",
                      "message"], rows)
