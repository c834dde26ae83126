"""What people read: a student's `feedback.md`, the TA's `gradebook.csv`, and the terminal table."""

from __future__ import annotations

import csv
import textwrap
import io

from .results import SubmissionResult

MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}


def _points(value: float) -> str:
    return f"{value:g}"


def feedback_markdown(result: SubmissionResult) -> str:
    lines = [
        f"# Feedback for {result.student}: {result.assignment}",
        "",
        f"**Score: {_points(result.score)} / {_points(result.max_score)}**  ",
        f"Submission: `{result.submission}`; graded in {result.duration_s:.1f} s "
        f"(sandbox: {result.sandbox.tier}, device: {result.sandbox.device or 'n/a'}, "
        f"CPU time {result.sandbox.cpu_s:.1f} of {result.sandbox.cpu_limit_s:g} s).",
        "",
        *_sections(result, "## "),
        "| check | result | points | what the grader saw |",
        "| --- | --- | --- | --- |",
    ]
    for check in result.checks:
        message = check.message.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{check.id}`: {check.title} | {MARK[check.status]} | "
                     f"{_points(check.score)}/{_points(check.max_score)} | {message} |")
    if result.output:
        lines += ["", "## What your code printed", "", "```text", result.output.rstrip(), "```"]
    lines += ["", "Run `autograde check <your file>` to see these results before you submit.", ""]
    return "\n".join(lines)


def _sections(result: SubmissionResult, heading: str) -> list[str]:
    """What to read before the table: causes that stopped several checks, warnings from the source,
    notes about the files handed in. Each a heading and a list, then a blank line."""
    lines = []
    for title, items in (("Fix this first", result.fix_first), ("Before the checks", result.warnings),
                         ("About the files handed in", result.notes)):
        if items:
            lines += [f"{heading}{title}", "", *(f"- {item}" for item in items), ""]
    return lines


def _text_cell(text: str) -> str:
    """Text cells come from names students chose: one a spreadsheet would take for a formula
    (starting with =, +, -, @) is prefixed with "'"."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def excel_csv(header: list[str], rows: list[list[object]]) -> str:
    """CSV text that starts with a UTF-8 byte order mark ("\ufeff"), so that Excel, which otherwise
    reads a CSV in the system's legacy code page, shows Korean names correctly; read it back with
    encoding="utf-8-sig". String cells are made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_text_cell(cell) if isinstance(cell, str) else cell for cell in row] for row in rows)
    return "\ufeff" + buffer.getvalue()


def gradebook_csv(results: list[SubmissionResult], check_ids: list[str]) -> str:
    """One row per student: student, assignment, submission (what was graded, relative to the
    submissions folder, so `jung_minho` maps back to `jung minho.py`), notes (joined with "; "),
    one column per check, score, max_score, errors (checks that could not run)."""
    rows = []
    for result in sorted(results, key=lambda r: r.student):
        by_id = {check.id: check for check in result.checks}
        errors = sum(check.status == "error" for check in result.checks)
        rows.append([result.student, result.assignment, result.submission, "; ".join(result.notes),
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


def console_table(result: SubmissionResult, width: int = 100) -> str:
    lines = [f"{result.submission}: {_points(result.score)}/{_points(result.max_score)} points", ""]
    for line in _sections(result, ""):
        lines.append(textwrap.fill(line, width, subsequent_indent="  ") if line.startswith("- ") else line)
    for check in result.checks:
        lines.append(f"  {MARK[check.status]:<5} {check.id:<16} {_points(check.score):>3}/{_points(check.max_score):<3} {check.title}")
        lines.append(textwrap.indent(textwrap.fill(check.message, width - 8), " " * 8))
    return "\n".join(lines)
