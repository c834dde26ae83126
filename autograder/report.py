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
        f"(sandbox: {result.sandbox.tier}, device: {result.sandbox.device or 'n/a'}).",
        "",
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


def gradebook_csv(results: list[SubmissionResult], check_ids: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "assignment", *check_ids, "score", "max_score", "errors"])
    for result in sorted(results, key=lambda r: r.student):
        by_id = {check.id: check for check in result.checks}
        errors = sum(check.status == "error" for check in result.checks)
        writer.writerow([result.student, result.assignment,
                         *(_points(by_id[i].score) if i in by_id else "" for i in check_ids),
                         _points(result.score), _points(result.max_score), errors])
    return buffer.getvalue()


def console_table(result: SubmissionResult, width: int = 100) -> str:
    lines = [f"{result.submission}: {_points(result.score)}/{_points(result.max_score)} points", ""]
    for check in result.checks:
        lines.append(f"  {MARK[check.status]:<5} {check.id:<11} {_points(check.score):>3}/{_points(check.max_score):<3} {check.title}")
        lines.append(textwrap.indent(textwrap.fill(check.message, width - 8), " " * 8))
    return "\n".join(lines)
